using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;
using XcsCt.Domain.Tests.Compton;

namespace XcsCt.Domain.Tests.Spectra;

public class PtfeSensitivityTests
{
    /// <summary>~2e5 counts per pixel in the band: Poisson error 0.2 %, so 1 % is 5 sigma.</summary>
    private const double SensitivityTolerance = 0.01;
    private static readonly HistogramAxis Axis = HistogramAxis.Default;

    [Fact]
    public void PlantedPixelGainsAreRecoveredWithMeanOne()
    {
        var shape = new DetectorShape(4, 4);
        var rng = new Random(42);
        double Gain(int p) => 0.8 + 0.4 * ((p * 7) % 16) / 15.0;
        var ptfe = Synthetic.Pixels(shape, Axis, p =>
            p == 6 ? new uint[Axis.Bins] : Synthetic.Poisson(Synthetic.GaussianPeak(Axis, 2e5 * Gain(p), 93.6, 2.0, flatPerBin: 1), rng));
        var s = SpectrumCorrections.PtfeSensitivity(ptfe, 85, 100);

        double meanGain = Enumerable.Range(0, 16).Where(p => p != 6).Average(Gain);
        for (int p = 0; p < 16; p++)
        {
            if (p == 6) { Assert.True(float.IsNaN(s[p])); continue; }
            Assert.Equal(Gain(p) / meanGain, s[p], SensitivityTolerance);
        }
        Assert.Equal(1.0, s.Where(x => !float.IsNaN(x)).Average(x => (double)x), 1e-6);

        var intensity = Enumerable.Range(0, 16).Select(p => 100.0 * Gain(p)).ToArray();
        var flat = new double[16];
        SpectrumCorrections.ApplySensitivity(intensity, s, flat);
        Assert.True(double.IsNaN(flat[6]));
        Assert.Equal(100 * meanGain, flat[0], 100 * meanGain * SensitivityTolerance);
    }

    [Fact]
    public void BinnedSensitivitySumsBlocksAndDarkIsSubtracted()
    {
        var shape = new DetectorShape(4, 4);
        var ptfe = Synthetic.Pixels(shape, Axis, p => Enumerable.Repeat(p < 8 ? 3u : 5u, Axis.Bins).ToArray(), frames: 100);
        var dark = Synthetic.Pixels(shape, Axis, _ => Enumerable.Repeat(2u, Axis.Bins).ToArray(), frames: 200);
        // Top blocks: 3 - 1 = 2 counts/bin, bottom blocks: 5 - 1 = 4: relative 2/3 and 4/3.
        var s = SpectrumCorrections.PtfeSensitivity(ptfe, binning: 2, dark: dark);
        Assert.Equal(new float[] { 2f / 3, 2f / 3, 4f / 3, 4f / 3 }, s, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Throws<InputException>(() => SpectrumCorrections.PtfeSensitivity(ptfe, 10, 5));
        Assert.Throws<InputException>(() => SpectrumCorrections.PtfeSensitivity(new PixelSpectra(shape, Axis)));
    }
}
