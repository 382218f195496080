using XcsCt.Domain.Xct;

namespace XcsCt.Domain.Tests.Xct;

public class OtsuTests
{
    [Fact]
    public void Symmetric_bimodal_histogram_splits_at_its_centre()
    {
        // Two equal Gaussians at grey 64 and 192 (sigma 12) on 256 unit bins: mirror symmetry about
        // grey 128 puts the unique optimum on the edge between bins 127 and 128.
        var h = Gaussians(256, (64, 12, 1e6), (192, 12, 1e6));
        var t = Otsu.Find(h);
        Assert.Equal(128.0, t.Value);
        Assert.Equal(127, t.Bin);
        // Well-separated modes: sigma_B^2 is close to (192 - 64)^2 / 4 and separability close to 1.
        Assert.InRange(t.BetweenClassVariance, 0.99 * 4096, 4096);
        Assert.InRange(t.Separability, 0.95, 1.0);
    }

    [Fact]
    public void Two_point_histogram_has_the_textbook_between_class_variance()
    {
        // Half the voxels at grey 0.5, half at 1.5: sigma_B^2 = 0.25 = sigma_T^2, eta = 1.
        var h = new GreyHistogram(0, 2, 2);
        h.Counts[0] = 5;
        h.Counts[1] = 5;
        var t = Otsu.Find(h);
        Assert.Equal(1.0, t.Value);
        Assert.Equal(0.25, t.BetweenClassVariance, 12);
        Assert.Equal(1.0, t.Separability, 12);
    }

    [Fact]
    public void Unequal_modes_move_the_threshold_towards_the_smaller_one()
    {
        var h = Gaussians(256, (64, 10, 1e6), (192, 10, 1e5));
        var t = Otsu.Find(h);
        Assert.InRange(t.Value, 100, 150);
        Assert.True(t.Value < 140);
    }

    [Fact]
    public void Symmetric_three_mode_histogram_gives_mirror_thresholds()
    {
        var h = Gaussians(256, (40, 8, 1e6), (128, 8, 1e6), (216, 8, 1e6));
        var t = Otsu.FindTwo(h);
        Assert.Equal(256.0, t.Lower + t.Upper, 9);
        Assert.InRange(t.Lower, 83, 85);
        Assert.InRange(t.Separability, 0.95, 1.0);
    }

    [Fact]
    public void Histogram_of_a_volume_bins_every_voxel()
    {
        var volume = XctTestData.Random<ushort>(new VolumeShape(5, 6, 7), seed: 2, maxValue: 300);
        var h = GreyHistogram.Of(volume, bins: 64);
        Assert.Equal(volume.Shape.Voxels, h.Total);
        var small = XctTestData.Random<byte>(new VolumeShape(2, 3, 4), seed: 3, maxValue: 10);
        var exact = GreyHistogram.Of(small);
        Assert.Equal(1.0, exact.BinWidth);
    }

    [Fact]
    public void Histogram_with_one_grey_level_has_no_threshold()
    {
        var h = new GreyHistogram(0, 10, 10);
        h.Counts[3] = 100;
        Assert.Throws<AnalysisException>(() => Otsu.Find(h));
        Assert.Throws<AnalysisException>(() => Otsu.FindTwo(h));
    }

    private static GreyHistogram Gaussians(int bins, params (double Mean, double Sigma, double Weight)[] modes)
    {
        var h = new GreyHistogram(0, bins, bins);
        for (int i = 0; i < bins; i++)
        {
            double x = i + 0.5, c = 0;
            foreach (var (mean, sigma, weight) in modes)
                c += weight * Math.Exp(-0.5 * (x - mean) * (x - mean) / (sigma * sigma));
            h.Counts[i] = (long)Math.Round(c);
        }
        return h;
    }
}
