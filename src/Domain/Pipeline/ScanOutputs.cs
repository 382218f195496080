using System.Security.Cryptography;
using XcsCt.Domain.Formats.Output;

namespace XcsCt.Domain.Pipeline;

/// <summary>Provenance and geometry written with every scan's results.</summary>
/// <param name="PitchMm">Detector pixel pitch, mm (0.25 for HEXITEC).</param>
/// <param name="ConfigurationJson">The full resolved configuration, as JSON.</param>
/// <param name="InputFiles">Every input file of the scan (frames, calibration maps, references, masks).</param>
public sealed record ScanContext(double PitchMm, string ConfigurationJson, IReadOnlyList<string> InputFiles, DateTimeOffset Date);

/// <summary>
/// Writes one scan's outputs (FORMATS.md, Outputs) under its directory: <c>result.nxs</c>,
/// <c>summary.json</c> and the figures. Each file is written under a temporary name and renamed,
/// and <c>summary.json</c> is written last, so a scan directory with a summary is complete.
/// </summary>
public static class ScanOutputs
{
    public const string NexusName = "result.nxs";
    public const string SummaryName = "summary.json";

    /// <summary>Writes the outputs of <paramref name="result"/> into <paramref name="directory"/>.</summary>
    /// <param name="lithium">Experiment calibration, or null when uncalibrated.</param>
    public static ScanSummary Write(string directory, ScanResult result, ExperimentLithium? lithium, ScanContext context)
    {
        Directory.CreateDirectory(directory);
        var summary = Summary(result, lithium);
        NexusResultWriter.Write(Path.Combine(directory, NexusName), Nexus(result, lithium, context));
        ScanFigures.Write(directory, result, context.PitchMm);
        SummaryJson.Write(Path.Combine(directory, SummaryName), summary);
        return summary;
    }

    /// <summary>The summary.json content of a scan.</summary>
    public static ScanSummary Summary(ScanResult r, ExperimentLithium? lithium)
    {
        var components = new List<ComponentEmf>(r.Components.Count);
        var li = new List<ComponentLiFraction>();
        foreach (var c in r.Components)
        {
            components.Add(new ComponentEmf(c.Name, c.Emf.Value, c.Emf.Sigma, c.Pixels));
            if (lithium?.Apply(c.Name, c.Emf) is { } x) li.Add(new ComponentLiFraction(c.Name, x.X, x.Sigma));
        }
        LiFractionSummary? liSummary = null;
        if (lithium is not null)
        {
            var g = lithium.Apply(ExperimentLithium.Global, r.Global);
            liSummary = new LiFractionSummary(g is { } gx ? new Estimate(gx.X, gx.Sigma) : null, li);
        }
        var undefined = new List<PixelIndex>();
        foreach (var (row, col) in r.Map.Undefined()) undefined.Add(new PixelIndex(row, col));
        double centroid = r.Peak?.CentroidKeV ?? double.NaN; // null in summary.json when not fitted
        return new ScanSummary(r.Experiment, r.Scan, r.Spectra.Frames, SummaryEvents.From(r.Spectra.Events),
            centroid, r.ShiftKeV, new Estimate(r.Global.Value, r.Global.Sigma), components, liSummary, undefined);
    }

    private static NexusScanResult Nexus(ScanResult r, ExperimentLithium? lithium, ScanContext context)
    {
        var shape = r.Spectra.Shape;
        var axis = r.Spectra.Axis;
        var energy = new double[axis.Bins];
        for (int i = 0; i < energy.Length; i++) energy[i] = axis.Centre(i);
        var components = new List<NexusComponent>(r.Components.Count);
        foreach (var c in r.Components)
        {
            var x = lithium?.Apply(c.Name, c.Emf);
            components.Add(new NexusComponent(c.Name, c.Mask, c.Emf.Value, c.Emf.Sigma, c.Pixels, x?.X, x?.Sigma));
        }
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in context.InputFiles) hashes[Path.GetFullPath(f)] = Sha256(f);
        var process = new NexusProcessInfo(DomainInfo.Program, DomainInfo.Version, context.Date, context.ConfigurationJson, hashes);
        var (emf, sigma, counts) = FullResolution(r);
        return new NexusScanResult(r.Experiment, r.Scan, shape, context.PitchMm, emf, sigma, counts,
            r.Spectrum.Counts, energy, r.Profile.Pz, r.Profile.J, r.Spectra.Counts, axis.Bins, components, process);
    }

    /// <summary>
    /// The EMF map on the detector grid: with k x k binning each pixel carries its block's value,
    /// so the NeXus maps always have the detector's rows x cols (pixels outside whole blocks are NaN).
    /// </summary>
    internal static (double[] Emf, double[] Sigma, double[] Counts) FullResolution(ScanResult r)
    {
        var map = r.Map;
        if (map.Binning == 1) return (map.Emf, map.Sigma, r.Intensity);
        var shape = r.Spectra.Shape;
        var emf = new double[shape.Pixels];
        var sigma = new double[shape.Pixels];
        var counts = new double[shape.Pixels];
        int k = map.Binning;
        for (int row = 0; row < shape.Rows; row++)
            for (int col = 0; col < shape.Cols; col++)
            {
                int p = row * shape.Cols + col, br = row / k, bc = col / k;
                bool inside = br < map.Rows && bc < map.Cols;
                int b = br * map.Cols + bc;
                emf[p] = inside ? map.Emf[b] : double.NaN;
                sigma[p] = inside ? map.Sigma[b] : double.NaN;
                counts[p] = inside ? r.Intensity[b] / (k * k) : double.NaN;
            }
        return (emf, sigma, counts);
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
