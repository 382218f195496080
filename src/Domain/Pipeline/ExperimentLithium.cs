using XcsCt.Domain.Compton;
using XcsCt.Domain.Lithium;

namespace XcsCt.Domain.Pipeline;

/// <summary>A reference state of the experiment: scan <paramref name="Scan"/> has lithium fraction <paramref name="X"/>.</summary>
public readonly record struct LithiumScanReference(string Scan, double X);

/// <summary>
/// Lithium calibration of an experiment (ANALYSIS section 6): one linear EMF(x) per region, the
/// whole detector (<see cref="Global"/>) and each component, fitted to the reference scans' EMFs of
/// that same region, because EMF0 and k depend on resolution, casing and binder.
/// </summary>
public sealed class ExperimentLithium
{
    /// <summary>Region name of the whole detector.</summary>
    public const string Global = "global";

    private readonly Dictionary<string, LithiumCalibration> _calibrations;

    private ExperimentLithium(Dictionary<string, LithiumCalibration> calibrations) => _calibrations = calibrations;

    public IReadOnlyDictionary<string, LithiumCalibration> Calibrations => _calibrations;

    /// <summary>
    /// Fits every region that has a defined EMF in at least two reference scans of distinct x; null
    /// when fewer than two references are given (then only EMF is reported).
    /// </summary>
    public static ExperimentLithium? Fit(IReadOnlyList<ScanResult> scans, IReadOnlyList<LithiumScanReference> references)
    {
        if (references.Count < 2) return null;
        var byScan = new Dictionary<string, ScanResult>(StringComparer.Ordinal);
        foreach (var s in scans) byScan[s.Scan] = s;
        var points = new Dictionary<string, List<LithiumReference>>(StringComparer.Ordinal);
        foreach (var r in references)
        {
            if (!byScan.TryGetValue(r.Scan, out var scan))
                throw new InputException($"lithium reference names scan '{r.Scan}', which is not in the experiment");
            Add(points, Global, scan.Global, r.X);
            foreach (var c in scan.Components) Add(points, c.Name, c.Emf, r.X);
        }
        var calibrations = new Dictionary<string, LithiumCalibration>(StringComparer.Ordinal);
        foreach (var (region, refs) in points)
        {
            if (refs.Count < 2) continue;
            bool distinct = false;
            foreach (var p in refs) distinct |= p.X != refs[0].X;
            if (distinct) calibrations[region] = LithiumCalibration.Fit(refs);
        }
        return new ExperimentLithium(calibrations);
    }

    /// <summary>Lithium fraction of <paramref name="emf"/> in <paramref name="region"/>, or null when that region has no calibration or no EMF.</summary>
    public (double X, double Sigma)? Apply(string region, EmfResult emf)
    {
        if (!emf.IsDefined || !_calibrations.TryGetValue(region, out var cal)) return null;
        var (x, sigma) = cal.Apply(emf.Value, emf.Sigma);
        return double.IsFinite(x) ? (x, sigma) : null;
    }

    private static void Add(Dictionary<string, List<LithiumReference>> points, string region, EmfResult emf, double x)
    {
        if (!emf.IsDefined || !(emf.Sigma > 0)) return;
        if (!points.TryGetValue(region, out var list)) points[region] = list = [];
        list.Add(new LithiumReference(emf.Value, emf.Sigma, x));
    }
}
