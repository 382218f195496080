using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using XcsCt.Domain.Compton;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Compton;

/// <summary>Spectra built from analytic Compton profiles and peaks, integrated exactly into bins.</summary>
internal static class Synthetic
{
    /// <summary>CDF of a normalised Gaussian profile J(pz) of standard deviation s (a.u.).</summary>
    public static Func<double, double> GaussianCdf(double s) => pz => 0.5 * (1 + SpecialFunctions.Erf(pz / (s * Math.Sqrt(2))));

    /// <summary>CDF of a normalised Lorentzian profile J(pz) of half width gamma (a.u.).</summary>
    public static Func<double, double> LorentzianCdf(double gamma) => pz => 0.5 + Math.Atan(pz / gamma) / Math.PI;

    /// <summary>
    /// Expected counts per bin of a profile with CDF <paramref name="cdf"/> (in pz) holding
    /// <paramref name="total"/> events, when the measured energies are the true ones plus
    /// <paramref name="shiftKeV"/>: bin i gets total (CDF(pz(E_hi - shift)) - CDF(pz(E_lo - shift))).
    /// </summary>
    public static double[] ProfileCounts(HistogramAxis axis, ComptonGeometry g, Func<double, double> cdf, double total,
        double shiftKeV = 0, double flatPerBin = 0)
    {
        var n = new double[axis.Bins];
        for (int i = 0; i < axis.Bins; i++)
        {
            double lo = axis.LowerEdge(i) - shiftKeV, hi = axis.UpperEdge(i) - shiftKeV;
            double plo = lo <= 0 ? double.NegativeInfinity : g.Pz(lo);
            double phi = hi <= 0 ? double.NegativeInfinity : g.Pz(hi);
            n[i] = total * (cdf(phi) - (double.IsNegativeInfinity(plo) ? 0 : cdf(plo))) + flatPerBin;
        }
        return n;
    }

    /// <summary>Expected counts of a Gaussian peak in energy (area events, centre and sigma in keV) plus a flat background.</summary>
    public static double[] GaussianPeak(HistogramAxis axis, double area, double centreKeV, double sigmaKeV, double flatPerBin = 0)
    {
        var n = new double[axis.Bins];
        for (int i = 0; i < axis.Bins; i++)
            n[i] = area * (Normal.CDF(centreKeV, sigmaKeV, axis.UpperEdge(i)) - Normal.CDF(centreKeV, sigmaKeV, axis.LowerEdge(i))) + flatPerBin;
        return n;
    }

    /// <summary>One seeded Poisson draw of every bin.</summary>
    public static uint[] Poisson(double[] expected, Random rng)
    {
        var n = new uint[expected.Length];
        for (int i = 0; i < n.Length; i++)
            n[i] = expected[i] > 0 ? (uint)MathNet.Numerics.Distributions.Poisson.Sample(rng, expected[i]) : 0u;
        return n;
    }

    public static uint[] Rounded(double[] expected)
    {
        var n = new uint[expected.Length];
        for (int i = 0; i < n.Length; i++) n[i] = (uint)Math.Round(Math.Max(0, expected[i]));
        return n;
    }

    /// <summary>Pixel spectra whose pixel p holds <paramref name="pixel"/>(p).</summary>
    public static PixelSpectra Pixels(DetectorShape shape, HistogramAxis axis, Func<int, uint[]> pixel, long frames = 1000)
    {
        var ps = new PixelSpectra(shape, axis) { Frames = frames };
        for (int p = 0; p < shape.Pixels; p++)
            pixel(p).CopyTo(ps.Counts.AsSpan(p * axis.Bins, axis.Bins));
        return ps;
    }

    public static double StdDev(IReadOnlyList<double> values)
    {
        double mean = 0;
        foreach (double v in values) mean += v;
        mean /= values.Count;
        double s = 0;
        foreach (double v in values) s += (v - mean) * (v - mean);
        return Math.Sqrt(s / (values.Count - 1));
    }
}
