using XcsCt.Domain.Compton;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Compton;

public class RegionEmfTests
{
    private const double Exact = 1e-12;
    private static readonly HistogramAxis Axis = HistogramAxis.Default;
    private static readonly ComptonGeometry G = ComptonGeometry.Default;
    private static readonly AnalysisSettings S = AnalysisSettings.Default;

    private static PixelSpectra TwoPhase(DetectorShape shape, int seed)
    {
        var rng = new Random(seed);
        // Left half a narrow (lithium-rich) profile with few counts, right half a broad one with many.
        return Synthetic.Pixels(shape, Axis, p =>
        {
            bool left = p % shape.Cols < shape.Cols / 2;
            var cdf = Synthetic.GaussianCdf(left ? 0.9 : 1.8);
            return Synthetic.Poisson(Synthetic.ProfileCounts(Axis, G, cdf, left ? 800 : 8000, flatPerBin: 1), rng);
        });
    }

    [Fact]
    public void RegionEmfIsTheEmfOfTheWeightedSumOfPixelSpectra()
    {
        var shape = new DetectorShape(4, 4);
        var ps = TwoPhase(shape, 17);
        var mask = new float[16];
        var rng = new Random(3);
        for (int i = 0; i < mask.Length; i++) mask[i] = (float)rng.NextDouble();
        mask[0] = 0; mask[5] = 1; mask[7] = float.NaN; mask[10] = 1;

        var n = new double[Axis.Bins];
        var v = new double[Axis.Bins];
        for (int p = 0; p < 16; p++)
        {
            if (float.IsNaN(mask[p])) continue;
            var src = ps.Pixel(p / 4, p % 4);
            for (int b = 0; b < n.Length; b++) { n[b] += mask[p] * (double)src[b]; v[b] += (double)mask[p] * mask[p] * src[b]; }
        }
        var expected = EmfCalculator.Create(Axis, S, 0.05).Compute(n, v);
        var region = RegionEmf.Compute(ps, mask, S, 0.05);
        Assert.Equal(expected.Value, region.Value, Exact);
        Assert.Equal(expected.Sigma, region.Sigma, Exact);
        Assert.Equal(expected.HighCounts, region.HighCounts, 1e-9);

        var fromPixels = Spectrum.FromPixels(ps, mask);
        Assert.Equal(n, fromPixels.Counts, (a, b) => Math.Abs(a - b) < 1e-9);
        Assert.Equal(v, fromPixels.Variance, (a, b) => Math.Abs(a - b) < 1e-9);
        Assert.Equal((14, RegionEmf.Coverage(mask).Weight), RegionEmf.Coverage(mask));
    }

    [Fact]
    public void WholeDetectorRegionIsNotTheMeanOfPixelEmfs()
    {
        var shape = new DetectorShape(2, 4);
        var ps = TwoPhase(shape, 8);
        var whole = RegionEmf.Compute(ps, default, S, 0);
        var n = Spectrum.FromPixels(ps);
        Assert.Equal(EmfCalculator.Create(Axis, S).Compute(n).Value, whole.Value, Exact);

        var map = EmfMaps.Compute(ps, S with { PeakCentring = false });
        double mean = map.Emf.Average();
        // The count-rich broad phase dominates the summed spectrum: its EMF sits well below the pixel mean.
        Assert.True(mean - whole.Value > 5 * whole.Sigma, $"sum {whole.Value} +/- {whole.Sigma}, mean of pixels {mean}");
    }

    [Fact]
    public void MaskOfTheWrongShapeOrRangeIsRejected()
    {
        var ps = TwoPhase(new DetectorShape(2, 2), 1);
        var ex = Assert.Throws<InputException>(() => RegionEmf.Compute(ps, new float[3], S, 0));
        Assert.Contains("expected 2 x 2 = 4 values, found 3", ex.Message);
        Assert.Throws<InputException>(() => RegionEmf.Compute(ps, new float[] { 0, 1.5f, 0, 0 }, S, 0));
        Assert.Throws<InputException>(() => RegionEmf.Compute(ps, new float[] { 0, -0.5f, 0, 0 }, S, 0));
    }

    [Fact]
    public void EmptyRegionHasNoEmf()
    {
        var ps = TwoPhase(new DetectorShape(2, 2), 1);
        var r = RegionEmf.Compute(ps, new float[] { float.NaN, 0, 0, float.NaN }, S, 0);
        Assert.False(r.IsDefined);
        Assert.Equal(0.0, r.HighCounts);
    }
}
