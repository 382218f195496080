using XcsCt.Domain.Compton;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Compton;

public class PeakCentringTests
{
    /// <summary>ANALYSIS/brief: a peak planted at 93.9 keV gives a shift of 0.266 keV within 0.02 keV.</summary>
    private const double ShiftToleranceKeV = 0.02;
    private const double NoiseFreeToleranceKeV = 1e-6;
    /// <summary>A centroid error reported sensibly: the planted centroid lies within 4 reported sigmas.</summary>
    private const double MaxPull = 4;

    private static readonly HistogramAxis Axis = HistogramAxis.Default;
    private static readonly ComptonGeometry G = ComptonGeometry.Default;

    [Fact]
    public void NoiseFreeGaussianIsFittedExactly()
    {
        var n = Synthetic.GaussianPeak(Axis, 1e5, 93.9, 0.8, flatPerBin: 40);
        var s = Spectrum.FromCounts(Axis, n);
        var fit = PeakCentring.Fit(s, G);
        Assert.Equal(93.9, fit.CentroidKeV, NoiseFreeToleranceKeV);
        // The model is evaluated at bin centres, so the fitted width includes the bin: s^2 = 0.8^2 + w^2/12.
        Assert.Equal(Math.Sqrt(0.64 + 0.04 / 12), fit.SigmaKeV, 1e-4);
        Assert.Equal(93.9 - G.ComptonLineKeV, fit.ShiftKeV, NoiseFreeToleranceKeV);
        Assert.Equal(40, fit.BackgroundAtLine, 0.5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void PlantedPeakAt93_9keVGivesShift0_266(int seed)
    {
        var expected = Synthetic.GaussianPeak(Axis, 2e4, 93.9, 0.85, flatPerBin: 30);
        var s = Spectrum.FromCounts(Axis, Synthetic.Poisson(expected, new Random(seed)));
        Assert.True(PeakCentring.TryFit(s, G, out var fit));
        Assert.Equal(0.266, fit.ShiftKeV, ShiftToleranceKeV);
        Assert.InRange(Math.Abs(fit.CentroidKeV - 93.9) / fit.CentroidSigmaKeV, 0, MaxPull);
        Assert.InRange(fit.ReducedChiSquare, 0.5, 2.0);
    }

    [Fact]
    public void ShiftOnAComptonProfileSpectrumMapsItsCentreToTheLine()
    {
        // A symmetric J(pz) measured with a +0.3 keV calibration offset: the centroid sits close to E_C + 0.3.
        var expected = Synthetic.ProfileCounts(Axis, G, Synthetic.GaussianCdf(1.5), 1e5, shiftKeV: 0.3, flatPerBin: 10);
        var fit = PeakCentring.Fit(Spectrum.FromCounts(Axis, expected), G);
        Assert.Equal(0.3, fit.ShiftKeV, 0.05);
    }

    [Fact]
    public void FlatSpectrumHasNoPeak()
    {
        var flat = Spectrum.FromCounts(Axis, Synthetic.Poisson(Synthetic.GaussianPeak(Axis, 0, 93.6, 1, flatPerBin: 100), new Random(7)));
        Assert.False(PeakCentring.TryFit(flat, G, out _));
        var ex = Assert.Throws<AnalysisException>(() => PeakCentring.Fit(flat, G));
        Assert.Contains("90-97.5 keV", ex.Message);
    }

    [Fact]
    public void AxisWithoutTheFitRangeFailsCleanly()
    {
        var short_ = new HistogramAxis(0.2, 400);
        var s = Spectrum.FromCounts(short_, new double[400]);
        Assert.False(PeakCentring.TryFit(s, G, out _));
        Assert.Throws<AnalysisException>(() => PeakCentring.Fit(s, G));
    }

    [Fact]
    public void FitDoesNotAllocate()
    {
        var n = Synthetic.GaussianPeak(Axis, 1e4, 93.8, 0.8, flatPerBin: 20);
        var (first, end) = PeakCentring.FitBins(Axis, 90, 97.5);
        Assert.Equal(450, first); // centre 90.1 keV
        Assert.Equal(488, end);   // last centre 97.5 keV
        PeakCentring.TryFitBins(n.AsSpan(first, end - first), n.AsSpan(first, end - first), Axis.Centre(first), 0.2, G.ComptonLineKeV, out _, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool ok = PeakCentring.TryFitBins(n.AsSpan(first, end - first), n.AsSpan(first, end - first), Axis.Centre(first), 0.2, G.ComptonLineKeV, out var fit, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(ok);
        Assert.Equal(93.8, fit.CentroidKeV, 1e-4);
    }

    [Theory]
    [InlineData(93.7, 0.8)]
    [InlineData(90.0, 0.05)]
    [InlineData(85.0, 0.3)]
    [InlineData(101.0, 1.5)]
    [InlineData(93.63, 3.0)]
    public void GaussianRecurrenceEqualsDirectExponentials(double mu, double sigma)
    {
        const double RelativeTolerance = 1e-10; // rounding grows with the number of recurrence steps (~40 eps here)
        var g = new double[38];
        PeakCentring.Gaussian(g, 90.1, 0.2, mu, sigma);
        for (int i = 0; i < g.Length; i++)
        {
            double d = 90.1 + i * 0.2 - mu;
            double direct = Math.Exp(-d * d / (2 * sigma * sigma));
            Assert.Equal(direct, g[i], direct * RelativeTolerance + 1e-300);
        }
    }
}
