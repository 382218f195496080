using XcsCt.Domain.Compton;
using XcsCt.Domain.Lithium;

namespace XcsCt.Domain.Tests.Lithium;

public class LithiumMapsTests
{
    private const double Exact = 1e-12;

    private static EmfMap Map(double[] emf, double[] sigma, int binning = 1) =>
        new(2, 2, binning, emf, sigma, new double[4], new double[4]);

    [Fact]
    public void EachPixelGetsItsOwnLine()
    {
        // Pixel p: EMF0 = 0.9 + 0.01 p, k = 0.05 + 0.01 p; pixel 3 undefined in the second reference.
        double E(int p, double x) => 0.9 + 0.01 * p + (0.05 + 0.01 * p) * x;
        var s = new[] { 0.002, 0.002, 0.003, 0.002 };
        var r1 = Map([E(0, 1), E(1, 1), E(2, 1), E(3, 1)], s);
        var r0 = Map([E(0, 0), E(1, 0), E(2, 0), double.NaN], [.. s[..3], double.NaN]);
        var cal = LithiumMaps.Fit([(r1, 1.0), (r0, 0.0)]);
        for (int p = 0; p < 3; p++)
        {
            Assert.Equal(0.9 + 0.01 * p, cal.Emf0[p], Exact);
            Assert.Equal(0.05 + 0.01 * p, cal.Slope[p], Exact);
            Assert.Equal(2 * s[p] * s[p], cal.VarSlope[p], Exact);
        }
        Assert.True(double.IsNaN(cal.Emf0[3]));

        var scan = Map([E(0, 0.3), E(1, 0.6), double.NaN, E(3, 0.5)], [0.002, 0.002, 0.002, 0.002]);
        var (x, sigma) = cal.Apply(scan);
        Assert.Equal(0.3, x[0], 1e-9);
        Assert.Equal(0.6, x[1], 1e-9);
        Assert.True(double.IsNaN(x[2]) && double.IsNaN(sigma[2]));
        Assert.True(double.IsNaN(x[3]) && double.IsNaN(sigma[3]));

        // Same propagation as the scalar calibration of that pixel.
        var scalar = LithiumCalibration.Fit([new(E(1, 1), s[1], 1.0), new(E(1, 0), s[1], 0.0)]).Apply(E(1, 0.6), 0.002);
        Assert.Equal(scalar.Sigma, sigma[1], Exact);
    }

    [Fact]
    public void OneReferenceMapAsksForDeltaEmfAndGridsMustMatch()
    {
        var a = Map([1, 1, 1, 1], [0.1, 0.1, 0.1, 0.1]);
        Assert.Contains("DeltaEmf", Assert.Throws<InputException>(() => LithiumMaps.Fit([(a, 1.0)])).Message);
        Assert.Throws<InputException>(() => LithiumMaps.Fit([(a, 1.0), (Map([1, 1, 1, 1], [0.1, 0.1, 0.1, 0.1], binning: 2), 0.0)]));

        var b = Map([1.2, double.NaN, 0.9, 1], [0.3, 0.1, 0.4, 0.1]);
        var (d, s) = DeltaEmf.Map(b, a);
        Assert.Equal(0.2, d[0], Exact);
        Assert.Equal(Math.Sqrt(0.1), s[0], Exact);
        Assert.True(double.IsNaN(d[1]));
        Assert.Equal(Math.Sqrt(0.17), s[2], Exact);
    }
}
