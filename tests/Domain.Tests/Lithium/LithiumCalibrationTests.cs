using XcsCt.Domain.Compton;
using XcsCt.Domain.Lithium;

namespace XcsCt.Domain.Tests.Lithium;

public class LithiumCalibrationTests
{
    private const double Exact = 1e-12;
    /// <summary>Pull widths from 2,000 seeded trials: the standard deviation of the pulls is 1 within 10 %.</summary>
    private const double PullTolerance = 0.10;

    // NMC811 (ANALYSIS section 5): EMF 0.900 Li-free, 0.954 at x = 1.
    private const double Emf0 = 0.900, Slope = 0.054;

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Fact]
    public void TwoReferencesGiveTheExactLineWithPropagatedCovariance()
    {
        var cal = LithiumCalibration.Fit([new(Emf0 + Slope * 1.0, 0.003, 1.0), new(Emf0 + Slope * 0.2, 0.004, 0.2)]);
        Assert.Equal(Emf0, cal.Emf0, Exact);
        Assert.Equal(Slope, cal.Slope, Exact);
        Assert.Equal(0.0, cal.ChiSquare, 1e-20);
        Assert.Equal(2, cal.References);
        // Exact line: k = (y1 - y2)/(x1 - x2), var k = (s1^2 + s2^2)/(x1 - x2)^2;
        // EMF0 = y2 - k x2 = (x1 y2 - x2 y1)/(x1 - x2), var = (x1^2 s2^2 + x2^2 s1^2)/(x1 - x2)^2.
        double dx2 = 0.8 * 0.8;
        Assert.Equal((0.003 * 0.003 + 0.004 * 0.004) / dx2, cal.Covariance[1, 1], Exact);
        Assert.Equal((1.0 * 0.004 * 0.004 + 0.04 * 0.003 * 0.003) / dx2, cal.Covariance[0, 0], Exact);
        Assert.Equal(cal.Covariance[0, 1], cal.Covariance[1, 0]);
        // cov(EMF0, k) = -(x1 s2^2 + x2 s1^2)/(x1 - x2)^2
        Assert.Equal(-(1.0 * 0.004 * 0.004 + 0.2 * 0.003 * 0.003) / dx2, cal.Covariance[0, 1], Exact);

        var (x, sigma) = cal.Apply(Emf0 + Slope * 0.5, 0);
        Assert.Equal(0.5, x, Exact);
        Assert.True(sigma > 0);
    }

    [Fact]
    public void ThirdPointIsRecoveredWithinItsSigmaAndSigmasAreHonest()
    {
        var rng = new Random(811);
        const double s1 = 0.002, s2 = 0.002, s3 = 0.0025, x3 = 0.55;
        var pulls = new List<double>();
        for (int k = 0; k < 2000; k++)
        {
            var cal = LithiumCalibration.Fit([
                new(Emf0 + Slope * 1.0 + s1 * Normal(rng), s1, 1.0),
                new(Emf0 + Slope * 0.1 + s2 * Normal(rng), s2, 0.1)]);
            var (x, sigma) = cal.Apply(Emf0 + Slope * x3 + s3 * Normal(rng), s3);
            pulls.Add((x - x3) / sigma);
        }
        Assert.Equal(1.0, Compton.Synthetic.StdDev(pulls), PullTolerance);
        // The first trial on its own: within its sigma (the 68 % case this seed gives; the pull study above is the real check).
        Assert.InRange(Math.Abs(pulls[0]), 0, 1);
    }

    [Fact]
    public void ManyReferencesFitByWeightedLeastSquares()
    {
        var xs = new[] { 0.0, 0.25, 0.5, 0.75, 1.0 };
        var rng = new Random(5);
        var refs = xs.Select(x => new LithiumReference(Emf0 + Slope * x + 0.001 * Normal(rng), 0.001, x)).ToList();
        var cal = LithiumCalibration.Fit(refs);
        Assert.Equal(Slope, cal.Slope, 4 * Math.Sqrt(cal.Covariance[1, 1]));
        Assert.Equal(Emf0, cal.Emf0, 4 * Math.Sqrt(cal.Covariance[0, 0]));
        // With equal sigmas: var k = s^2 / sum (x - xbar)^2 = 1e-6 / 0.625.
        Assert.Equal(1e-6 / 0.625, cal.Covariance[1, 1], 1e-18);
        Assert.InRange(cal.ChiSquare, 0, 20);
    }

    [Fact]
    public void OneReferenceAsksForDeltaEmf()
    {
        var ex = Assert.Throws<InputException>(() => LithiumCalibration.Fit([new(0.95, 0.01, 1)]));
        Assert.Contains("DeltaEmf", ex.Message);
        Assert.Throws<InputException>(() => LithiumCalibration.Fit([]));
        Assert.Throws<InputException>(() => LithiumCalibration.Fit([new(0.95, 0.01, 1), new(0.93, 0.01, 1)]));
        Assert.Throws<InputException>(() => LithiumCalibration.Fit([new(0.95, 0, 1), new(0.93, 0.01, 0)]));
        Assert.Throws<InputException>(() => LithiumCalibration.Fit([new(double.NaN, 0.01, 1), new(0.93, 0.01, 0)]));

        var (d, s) = DeltaEmf.Compute(new EmfResult(0.72, 0.03, 1, 1), new EmfResult(0.65, 0.04, 1, 1));
        Assert.Equal(0.07, d, Exact);
        Assert.Equal(0.05, s, Exact);
    }

    [Fact]
    public void UndefinedEmfOrFlatCalibrationGivesNaN()
    {
        var cal = LithiumCalibration.Fit([new(0.95, 0.01, 1), new(0.90, 0.01, 0)]);
        Assert.True(double.IsNaN(cal.Apply(double.NaN, double.NaN).X));
        var flat = LithiumCalibration.Fit([new(0.95, 0.01, 1), new(0.95, 0.01, 0)]);
        Assert.Equal(0.0, flat.Slope);
        Assert.True(double.IsNaN(flat.Apply(0.95, 0.01).Sigma));
    }
}
