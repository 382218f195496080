using XcsCt.Domain.Formats.Output;
using XcsCt.Domain.Plots;

namespace XcsCt.Domain.Tests.Plots;

/// <summary>Seeded synthetic inputs that look like a real XCS-CT scan, for the figure tests.</summary>
internal static class FigureData
{
    public const int Rows = 80, Cols = 80;
    public const double PitchMm = 0.25;

    /// <summary>0-200 keV in 0.2 keV bins: background, Compton peak, elastic line, W and Pb fluorescence, Cd/Te escapes, Poisson-like noise.</summary>
    public static (double[] EnergyKeV, double[] Counts) Spectrum(int seed = 7)
    {
        var random = new Random(seed);
        var lines = SpectrumLines.ForBeam();
        var energy = new double[1000];
        var counts = new double[1000];
        (double Centre, double Sigma, double Height)[] peaks =
        [
            (lines.ComptonKeV, 1.9, 5e4), (lines.ElasticKeV, 0.45, 9e3),
            (SpectrumLines.TungstenKAlpha1KeV, 0.4, 3e3), (SpectrumLines.TungstenKAlpha2KeV, 0.4, 1.7e3), (SpectrumLines.TungstenKBeta1KeV, 0.4, 1e3),
            (SpectrumLines.LeadKAlpha1KeV, 0.42, 600), (SpectrumLines.LeadKAlpha2KeV, 0.42, 350), (SpectrumLines.LeadKBeta1KeV, 0.44, 200),
            (lines.ElasticKeV - SpectrumLines.CadmiumKAlpha1KeV, 0.45, 500), (lines.ElasticKeV - SpectrumLines.CadmiumKAlpha2KeV, 0.45, 300),
            (lines.ElasticKeV - SpectrumLines.TelluriumKAlpha1KeV, 0.45, 350), (lines.ElasticKeV - SpectrumLines.TelluriumKAlpha2KeV, 0.45, 200),
        ];
        for (int i = 0; i < energy.Length; i++)
        {
            double e = (i + 0.5) * 0.2;
            energy[i] = e;
            double mean = e < 12 ? 0 : 300 * Math.Exp(-e / 45) + (e < 120 ? 40 : 0);
            foreach (var (c, s, h) in peaks) mean += h * Math.Exp(-0.5 * (e - c) * (e - c) / (s * s));
            double noisy = mean + Math.Sqrt(mean) * Gaussian(random);
            counts[i] = Math.Max(0, Math.Round(noisy));
        }
        return (energy, counts);
    }

    /// <summary>Profile points of 0.227 a.u. over |pz| &lt; 8: a narrow (Li-like) and a broad (core) Gaussian, unit area.</summary>
    public static (double[] Pz, double[] J) Profile()
    {
        int n = 71;
        var pz = new double[n];
        var j = new double[n];
        for (int i = 0; i < n; i++)
        {
            pz[i] = (i - 35) * 0.227;
            j[i] = 0.55 * Math.Exp(-0.5 * pz[i] * pz[i] / 0.8) + 0.15 * Math.Exp(-0.5 * pz[i] * pz[i] / 6.0);
        }
        return (pz, j);
    }

    /// <summary>A coin-cell-like cross-section: cathode (EMF ~0.72) left, anode (~1.7) right, a separator between, a gas bubble without EMF, casing corners outside the view.</summary>
    public static (double[] Emf, List<(string Name, float[] Mask)> Outlines) Map(int seed = 11)
    {
        var random = new Random(seed);
        var emf = new double[Rows * Cols];
        var cathode = new float[Rows * Cols];
        var anode = new float[Rows * Cols];
        var separator = new float[Rows * Cols];
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Cols; c++)
            {
                int p = r * Cols + c;
                double boundary = 36 + 4 * Math.Sin(r / 9.0);
                cathode[p] = (float)Math.Clamp(boundary - c + 0.5, 0, 1);
                anode[p] = (float)Math.Clamp(c - (boundary + 6) + 0.5, 0, 1);
                separator[p] = Math.Max(0f, 1f - cathode[p] - anode[p]);
                double value = cathode[p] * (0.70 + 0.0008 * r) + anode[p] * 1.70 + separator[p] * 1.10;
                emf[p] = value + 0.01 * Gaussian(random);
                double dr = r - 55, dc = c - 20;
                if (dr * dr + dc * dc < 36) emf[p] = double.NaN; // gas bubble: no counts
            }
        return (emf, [("cathode", cathode), ("separator", separator), ("anode", anode)]);
    }

    /// <summary>Five scans over 16 h, two components at two depths, x calibrated for the cathode only.</summary>
    public static List<SeriesRow> Series()
    {
        var rows = new List<SeriesRow>();
        for (int s = 0; s < 5; s++)
        {
            double t = s * 4 * 3600.0;
            foreach (double z in new[] { 1200.0, 1450.0 })
            {
                double x = 1.0 - 0.1 * s - (z > 1300 ? 0.03 * s : 0);
                rows.Add(new SeriesRow($"s{s:000}", t, z, "cathode", 0.70 + 0.05 * x, 0.004, x, 0.03));
                rows.Add(new SeriesRow($"s{s:000}", t, z, "anode", 1.70 - 0.04 * s, 0.02, null, null));
            }
        }
        return rows;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
