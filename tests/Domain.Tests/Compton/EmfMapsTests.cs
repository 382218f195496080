using XcsCt.Domain.Compton;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Compton;

public class EmfMapsTests
{
    private const double Exact = 1e-12;
    private const double ShiftToleranceKeV = 0.02;

    private static readonly HistogramAxis Axis = HistogramAxis.Default;
    private static readonly ComptonGeometry G = ComptonGeometry.Default;
    private static readonly AnalysisSettings NoCentring = AnalysisSettings.Default with { PeakCentring = false };

    /// <summary>Pixels with profiles of different widths and intensities, seeded Poisson.</summary>
    private static PixelSpectra Varied(DetectorShape shape, int seed, double total = 3000)
    {
        var rng = new Random(seed);
        return Synthetic.Pixels(shape, Axis, p =>
            Synthetic.Poisson(Synthetic.ProfileCounts(Axis, G, Synthetic.GaussianCdf(0.9 + 0.05 * (p % 7)), total * (1 + 0.1 * (p % 3)), flatPerBin: 2), rng));
    }

    private static double[] BlockSum(PixelSpectra ps, int r0, int c0, int k)
    {
        var n = new double[Axis.Bins];
        for (int r = r0; r < r0 + k; r++)
            for (int c = c0; c < c0 + k; c++)
            {
                var src = ps.Pixel(r, c);
                for (int b = 0; b < n.Length; b++) n[b] += src[b];
            }
        return n;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void BinningSumsBlocksBeforeTheEmf(int k)
    {
        var shape = new DetectorShape(6, 4);
        var ps = Varied(shape, 11);
        var s = NoCentring with { Binning = k };
        var map = EmfMaps.Compute(ps, s);
        Assert.Equal(6 / k, map.Rows);
        Assert.Equal(4 / k, map.Cols);
        Assert.Equal(k, map.Binning);
        var calc = EmfCalculator.Create(Axis, s);
        for (int r = 0; r < map.Rows; r++)
            for (int c = 0; c < map.Cols; c++)
            {
                var n = BlockSum(ps, r * k, c * k, k);
                var expected = calc.Compute(n, n);
                int o = r * map.Cols + c;
                Assert.Equal(expected.Value, map.Emf[o], Exact);
                Assert.Equal(expected.Sigma, map.Sigma[o], Exact);
                Assert.Equal(calc.ProfileCounts(n), map.Counts[o], 1e-9);
                Assert.Equal(0.0, map.ShiftKeV[o]);
            }
    }

    [Fact]
    public void PixelsBelowTheMinimumCountAreNaNAndListed()
    {
        var shape = new DetectorShape(2, 3);
        var rng = new Random(5);
        var ps = Synthetic.Pixels(shape, Axis, p =>
            Synthetic.Poisson(Synthetic.ProfileCounts(Axis, G, Synthetic.GaussianCdf(1), p == 4 ? 60 : 5000), rng));
        var map = EmfMaps.Compute(ps, NoCentring);
        Assert.True(double.IsNaN(map.Emf[4]));
        Assert.True(double.IsNaN(map.Sigma[4]));
        Assert.Equal(1, map.UndefinedPixels);
        Assert.Equal([(1, 1)], map.Undefined());
        Assert.True(map.Counts[4] > 0);
    }

    [Fact]
    public void PerPixelCentringRecoversPlantedShiftsAndFallsBackToTheGlobalShift()
    {
        var shape = new DetectorShape(3, 3);
        var rng = new Random(99);
        double Shift(int p) => 0.1 + 0.05 * p;
        var ps = Synthetic.Pixels(shape, Axis, p =>
            Synthetic.Poisson(Synthetic.GaussianPeak(Axis, p == 8 ? 800 : 30_000, G.ComptonLineKeV + Shift(p), 0.9, flatPerBin: 10), rng));
        var s = AnalysisSettings.Default;
        var map = EmfMaps.Compute(ps, s);

        var global = PeakCentring.Fit(Spectrum.FromPixels(ps), G);
        Assert.Equal(global.ShiftKeV, map.GlobalShiftKeV, Exact);
        Assert.Equal(8, map.FittedPixels);
        for (int p = 0; p < 8; p++)
            Assert.Equal(Shift(p), map.ShiftKeV[p], ShiftToleranceKeV);
        Assert.Equal(map.GlobalShiftKeV, map.ShiftKeV[8]);

        // Each pixel's EMF is the EMF of its own spectrum at its own shift.
        for (int p = 0; p < 9; p++)
        {
            var n = BlockSum(ps, p / 3, p % 3, 1);
            var expected = EmfCalculator.Create(Axis, s, map.ShiftKeV[p]).Compute(n, n);
            Assert.Equal(expected.Value, map.Emf[p], Exact);
            Assert.Equal(expected.Sigma, map.Sigma[p], Exact);
        }
    }

    [Fact]
    public void GivenGlobalShiftIsUsedWithoutCentring()
    {
        var ps = Varied(new DetectorShape(2, 2), 3);
        var map = EmfMaps.Compute(ps, NoCentring, globalShiftKeV: 0.2);
        var n = BlockSum(ps, 1, 0, 1);
        Assert.Equal(EmfCalculator.Create(Axis, NoCentring, 0.2).Compute(n, n).Value, map.Emf[2], Exact);
        Assert.All(map.ShiftKeV, x => Assert.Equal(0.2, x));
        Assert.Equal(0, map.FittedPixels);
    }

    [Fact]
    public void ParallelAndSequentialMapsAreIdentical()
    {
        var ps = Varied(new DetectorShape(8, 8), 21, total: 20_000);
        var s = AnalysisSettings.Default with { Spreading = BinSpreading.Linear };
        var a = EmfMaps.Compute(ps, s, maxDegreeOfParallelism: 1);
        var b = EmfMaps.Compute(ps, s, maxDegreeOfParallelism: 4);
        Assert.Equal(a.Emf, b.Emf);
        Assert.Equal(a.Sigma, b.Sigma);
        Assert.Equal(a.ShiftKeV, b.ShiftKeV);
        Assert.Equal(a.FittedPixels, b.FittedPixels);
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var ps = Varied(new DetectorShape(2, 2), 1);
        Assert.Throws<InputException>(() => EmfMaps.Compute(ps, NoCentring with { Binning = 3 }));
        Assert.Throws<InputException>(() => EmfMaps.Compute(ps, NoCentring with { Binning = 0 }));
        Assert.Throws<InputException>(() => EmfMaps.Compute(ps, NoCentring, globalShiftKeV: double.NaN));
        Assert.Throws<InputException>(() => new EmfMap(2, 2, 1, new double[3], new double[4], new double[4], new double[4]));
    }
}
