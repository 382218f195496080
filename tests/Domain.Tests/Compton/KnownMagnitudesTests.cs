using MathNet.Numerics.Distributions;
using XcsCt.Domain.Compton;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Compton;

/// <summary>
/// ANALYSIS section 5, "Known magnitudes": free-atom Biggs profiles (the embedded DABAX table),
/// measured with 0.93 keV FWHM, no background, give Li 2.07, C 1.72, O 1.30, F 1.13, Mn 0.80,
/// Co 0.72, Ni 0.69, LiNi0.8Mn0.1Co0.1O2 0.954 and its Li-free host 0.900. Here each profile is
/// turned into an expected 0.2 keV spectrum (J(pz(E)) dpz/dE on a 5 eV grid, each grid point spread
/// over the bins by the Gaussian resolution) and analysed with the default settings.
/// </summary>
public class KnownMagnitudesTests
{
    /// <summary>The spec quotes two to three significant figures; an independent Python model of the same chain gave Li 2.064, Mn 0.793.</summary>
    private const double SpecMagnitudeRelativeTolerance = 0.01;

    private static readonly Lazy<Dictionary<string, (double[] Pz, double[] J)>> Table = new(Load);

    private static Dictionary<string, (double[] Pz, double[] J)> Load()
    {
        using var stream = typeof(EmfCalculator).Assembly.GetManifestResourceStream("XcsCt.Domain.ComptonProfiles.dat")
            ?? throw new InvalidOperationException("embedded ComptonProfiles.dat missing");
        using var reader = new StreamReader(stream);
        var table = new Dictionary<string, (double[], double[])>();
        string? symbol = null;
        List<double> pz = [], j = [];
        void Flush() { if (symbol is not null) table[symbol] = (pz.ToArray(), j.ToArray()); pz = []; j = []; }
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            if (line.StartsWith("#S"))
            {
                Flush();
                symbol = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
            }
            else if (symbol is not null && !line.StartsWith('#') && line.Trim().Length > 0)
            {
                var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                pz.Add(double.Parse(v[0], System.Globalization.CultureInfo.InvariantCulture));
                j.Add(double.Parse(v[1], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        Flush();
        return table;
    }

    /// <summary>Total profile of one atom at |pz|, log-linear between tabulated points, 0 beyond the table.</summary>
    private static double J(string symbol, double pz)
    {
        var (p, j) = Table.Value[symbol];
        pz = Math.Abs(pz);
        if (pz >= p[^1]) return 0;
        int k = Array.BinarySearch(p, pz);
        if (k >= 0) return j[k];
        k = ~k - 1;
        double t = (pz - p[k]) / (p[k + 1] - p[k]);
        return Math.Exp(Math.Log(j[k]) + t * (Math.Log(j[k + 1]) - Math.Log(j[k])));
    }

    private static double[] ExpectedSpectrum(IReadOnlyList<(string Symbol, double Count)> formula, double fwhmKeV = 0.93)
    {
        const double Events = 1e6, Step = 0.005, Start = 70, End = 120;
        const int SubSteps = 40, Reach = 12; // 40 grid steps per 0.2 keV bin; +/-12 bins > 6 sigma
        var axis = HistogramAxis.Default;
        var g = ComptonGeometry.Default;
        double sigma = fwhmKeV / (2 * Math.Sqrt(2 * Math.Log(2)));
        // Resolution weights of a grid point at sub-position k of its bin over bins -Reach..Reach.
        var kernel = new double[SubSteps, 2 * Reach + 1];
        for (int k = 0; k < SubSteps; k++)
            for (int d = -Reach; d <= Reach; d++)
                kernel[k, d + Reach] = Normal.CDF(k * Step, sigma, (d + 1) * axis.BinWidthKeV) - Normal.CDF(k * Step, sigma, d * axis.BinWidthKeV);
        var n = new double[axis.Bins];
        int firstBin = (int)Math.Round(Start / axis.BinWidthKeV);
        for (int i = 0; Start + i * Step < End; i++)
        {
            double e = Start + i * Step;
            double pz = g.Pz(e);
            double jac = (g.Pz(e + 1e-4) - g.Pz(e - 1e-4)) / 2e-4;
            double density = 0;
            foreach (var (symbol, count) in formula) density += count * J(symbol, pz);
            double weight = Events * density * jac * Step;
            int bin = firstBin + i / SubSteps;
            for (int d = -Reach; d <= Reach; d++) n[bin + d] += weight * kernel[i % SubSteps, d + Reach];
        }
        return n;
    }

    public static TheoryData<string, double> Elements => new()
    {
        { "Li", 2.07 }, { "C", 1.72 }, { "O", 1.30 }, { "F", 1.13 }, { "Mn", 0.80 }, { "Co", 0.72 }, { "Ni", 0.69 },
    };

    [Theory]
    [MemberData(nameof(Elements))]
    public void FreeAtomEmfMatchesTheSpec(string symbol, double expected)
    {
        var n = ExpectedSpectrum([(symbol, 1)]);
        var r = EmfCalculator.Create(HistogramAxis.Default, AnalysisSettings.Default).Compute(n, n);
        Assert.Equal(expected, r.Value, expected * SpecMagnitudeRelativeTolerance);
    }

    [Fact]
    public void Nmc811AndItsLithiumFreeHostMatchTheSpec()
    {
        var calc = EmfCalculator.Create(HistogramAxis.Default, AnalysisSettings.Default);
        var nmc = ExpectedSpectrum([("Li", 1), ("Ni", 0.8), ("Mn", 0.1), ("Co", 0.1), ("O", 2)]);
        var host = ExpectedSpectrum([("Ni", 0.8), ("Mn", 0.1), ("Co", 0.1), ("O", 2)]);
        Assert.Equal(0.954, calc.Compute(nmc, nmc).Value, 0.954 * SpecMagnitudeRelativeTolerance);
        Assert.Equal(0.900, calc.Compute(host, host).Value, 0.900 * SpecMagnitudeRelativeTolerance);
    }
}
