using XcsCt.Domain.Compton;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Compton;

public class ComptonProfileTests
{
    private const double AreaTolerance = 1e-12;
    private const double DensityRelativeTolerance = 1e-9;

    private static readonly HistogramAxis Axis = HistogramAxis.Default;
    private static readonly ComptonGeometry G = ComptonGeometry.Default;

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.266)]
    public void ProfileHasUnitAreaOverPzBelow5AndFollowsTheAnalyticDensity(double shift)
    {
        const double sigma = 1.3;
        var cdf = Synthetic.GaussianCdf(sigma);
        var s = Spectrum.FromCounts(Axis, Synthetic.ProfileCounts(Axis, G, cdf, 1e6, shift));
        var p = ComptonProfile.FromSpectrum(s, G, shift);

        double area = 0, norm = 0;
        for (int i = 0; i < p.Pz.Length; i++)
        {
            int bin = (int)Math.Floor((G.EnergyAtPz(p.Pz[i]) + shift) / Axis.BinWidthKeV);
            double lo = G.Pz(Axis.LowerEdge(bin) - shift), hi = G.Pz(Axis.UpperEdge(bin) - shift);
            double inside = Math.Max(0, Math.Min(hi, 5) - Math.Max(lo, -5));
            area += p.J[i] * inside;
            norm += (cdf(hi) - cdf(lo)) * inside / (hi - lo); // the analytic bin means, same window rule
        }
        Assert.Equal(1.0, area, AreaTolerance);
        Assert.True(p.Pz[0] < -10 + 0.3 && p.Pz[^1] > 10 - 0.3);

        // J of a bin is the profile's mean density over the bin's pz span.
        for (int i = 0; i < p.Pz.Length; i++)
        {
            int bin = (int)Math.Floor((G.EnergyAtPz(p.Pz[i]) + shift) / Axis.BinWidthKeV);
            double lo = G.Pz(Axis.LowerEdge(bin) - shift), hi = G.Pz(Axis.UpperEdge(bin) - shift);
            double mean = (cdf(hi) - cdf(lo)) / (hi - lo) / norm;
            Assert.Equal(mean, p.J[i], mean * DensityRelativeTolerance + 1e-15);
            Assert.Equal(Math.Sqrt(mean * norm * (hi - lo) * 1e6) / (hi - lo) / (norm * 1e6), p.JSigma[i], 1e-9);
        }
    }
}
