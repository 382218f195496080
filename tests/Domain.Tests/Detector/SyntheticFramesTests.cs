using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Detector;

public class SyntheticFramesTests
{
    /// <summary>Pixels hit per frame is the requested occupancy within 15 % (fragments below threshold and collisions take some).</summary>
    private const double OccupancyTolerance = 0.15;

    /// <summary>The processed spectrum peaks within 1 keV of the Compton line (sigma 1.8 keV Doppler, 0.2 keV bins).</summary>
    private const double PeakToleranceKeV = 1.0;

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.02)]
    [InlineData(0.05)]
    public void FramesHaveTheRequestedOccupancyAndAComptonPeakAt93_6KeV(double occupancy)
    {
        var synthetic = new SyntheticFrames(DetectorShape.Hexitec, occupancy, seed: 3);
        var frames = synthetic.Generate(1000);
        var kernel = FrameKernel.Create(synthetic.Corrections);
        var acc = new FrameAccumulator(kernel);
        kernel.ProcessRaw(frames, 0, acc);
        var e = acc.Events;

        double hit = (double)(e.In - e.BelowThreshold) / (1000.0 * 6400);
        Assert.InRange(hit, occupancy * (1 - OccupancyTolerance), occupancy * (1 + OccupancyTolerance));
        Assert.True(e.Merged > 0.15 * e.Kept, $"expected many shared pairs: {e}");
        Assert.True(e.Discarded > 0, $"expected some triples: {e}");

        var spectra = new PixelSpectra(DetectorShape.Hexitec, HistogramAxis.Default);
        acc.MoveTo(spectra);
        var sum = spectra.Sum();
        int peak = Array.IndexOf(sum, sum.Max());
        Assert.InRange(HistogramAxis.Default.Centre(peak), SyntheticFrames.ComptonPeakKeV - PeakToleranceKeV, SyntheticFrames.ComptonPeakKeV + PeakToleranceKeV);
    }

    [Fact]
    public void TheSameSeedGivesTheSameFramesAndShapesAreTiled()
    {
        var shape = new DetectorShape(7, 170);
        var a = new SyntheticFrames(shape, 0.03, seed: 11).Generate(20);
        var b = new SyntheticFrames(shape, 0.03, seed: 11).Generate(20);
        var c = new SyntheticFrames(shape, 0.03, seed: 12).Generate(20);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        var corrections = new SyntheticFrames(shape, 0.03).Corrections;
        Assert.Equal(corrections.GradientsKeVPerAdu[5], corrections.GradientsKeVPerAdu[80 + 5]); // column 85 repeats column 5
        Assert.Equal(4, EmbeddedDeadPixels());
    }

    private static int EmbeddedDeadPixels()
    {
        var gains = new SyntheticFrames(DetectorShape.Hexitec, 0.01).Corrections.GradientsKeVPerAdu;
        return gains.Count(g => g == 0f);
    }

    [Fact]
    public void OccupancyOutsideItsRangeIsRejected()
    {
        Assert.Throws<InputException>(() => new SyntheticFrames(DetectorShape.Hexitec, 0));
        Assert.Throws<InputException>(() => new SyntheticFrames(DetectorShape.Hexitec, 0.8));
    }
}
