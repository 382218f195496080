using XcsCt.Domain.Formats;
using XcsCt.Domain.Formats.Output;
using XcsCt.Domain.Plots;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Pipeline;

/// <summary>Computes the pixel spectra of one job: directly, or through the cluster.</summary>
public delegate Task<PixelSpectra> SpectraRunner(ScanJob job, IProgress<ScanProgress>? progress, CancellationToken cancellationToken);

/// <summary>What an experiment run reports as it goes (all callbacks optional).</summary>
public interface IExperimentObserver
{
    /// <summary>A job (scan or reference run) starts; returns the progress sink for its frames.</summary>
    IProgress<ScanProgress>? Starting(string job, string description);

    /// <summary>A scan's outputs are written.</summary>
    void Written(ScanOutcome outcome);
}

/// <summary>One scan's outcome: its numbers and where its files are.</summary>
public sealed record ScanOutcome(ExperimentScan Scan, ScanSummary Summary, string Directory);

/// <summary>A whole experiment's outcome.</summary>
public sealed record ExperimentOutcome(string Directory, IReadOnlyList<ScanOutcome> Scans, IReadOnlyList<SeriesRow> Series);

/// <summary>
/// Runs an <see cref="ExperimentPlan"/> end to end (ANALYSIS sections 3-8): reference runs, then the
/// lithium reference scans (so the calibration is known before any result is written), then every
/// other scan, each analysed and written as soon as its spectra are in, so memory holds one scan
/// at a time; finally the operando series (<c>series.csv</c>, <c>series.json</c>, <c>series.png</c>).
/// </summary>
public static class ExperimentRunner
{
    public const string SeriesFigureName = "series.png";

    public static async Task<ExperimentOutcome> RunAsync(ExperimentPlan plan, string outputRoot, SpectraRunner runner,
        IExperimentObserver? observer = null, CancellationToken cancellationToken = default)
    {
        string experimentDir = Path.Combine(Path.GetFullPath(outputRoot), plan.Experiment);
        Directory.CreateDirectory(experimentDir);
        var shape = plan.Corrections.Shape;

        // Masks are read before any frame is processed: a bad mask fails the run at once.
        var masks = new Dictionary<string, IReadOnlyDictionary<string, float[]>>(StringComparer.Ordinal);
        foreach (var scan in plan.Scans) masks[scan.Id] = LoadMasks(scan, shape);

        async Task<PixelSpectra?> Reference(string name, IReadOnlyList<string>? frames) =>
            frames is null ? null : await runner(plan.Job($"ref-{name}", frames), observer?.Starting($"ref-{name}", $"{name} reference"), cancellationToken).ConfigureAwait(false);
        var references = new ScanReferences(
            await Reference("dark", plan.References.Dark).ConfigureAwait(false),
            await Reference("empty", plan.References.Empty).ConfigureAwait(false),
            await Reference("ptfe", plan.References.Ptfe).ConfigureAwait(false));

        async Task<ScanResult> Analyse(ExperimentScan scan)
        {
            var spectra = await runner(plan.Job(scan.Id, scan.Frames), observer?.Starting(scan.Id, $"scan {scan.Id}"), cancellationToken).ConfigureAwait(false);
            return ScanAnalysis.Analyze(plan.Experiment, scan.Id, spectra, plan.Analysis, masks[scan.Id], references);
        }

        var referenceIds = new HashSet<string>(plan.Lithium.Select(l => l.Scan), StringComparer.Ordinal);
        var early = new Dictionary<string, ScanResult>(StringComparer.Ordinal);
        foreach (var scan in plan.Scans)
            if (referenceIds.Contains(scan.Id)) early[scan.Id] = await Analyse(scan).ConfigureAwait(false);
        var lithium = ExperimentLithium.Fit([.. early.Values], plan.Lithium);

        var outcomes = new List<ScanOutcome>(plan.Scans.Count);
        var series = new List<SeriesRow>();
        foreach (var scan in plan.Scans)
        {
            var result = early.Remove(scan.Id, out var done) ? done : await Analyse(scan).ConfigureAwait(false);
            string dir = Path.Combine(experimentDir, scan.Id);
            var context = new ScanContext(plan.PitchUm / 1000.0, plan.ConfigurationJson(), InputFiles(plan, scan), DateTimeOffset.UtcNow);
            var summary = ScanOutputs.Write(dir, result, lithium, context);
            AddSeries(series, scan, result, lithium);
            var outcome = new ScanOutcome(scan, summary, dir);
            outcomes.Add(outcome);
            observer?.Written(outcome);
        }
        SeriesFiles.Write(experimentDir, series);
        Figures.Series(Path.Combine(experimentDir, SeriesFigureName), series, plan.Experiment);
        return new ExperimentOutcome(experimentDir, outcomes, series);
    }

    /// <summary>Reads the scan's component masks onto the detector grid.</summary>
    public static IReadOnlyDictionary<string, float[]> LoadMasks(ExperimentScan scan, Detector.DetectorShape shape)
    {
        var masks = new SortedDictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (name, path) in scan.Masks) masks[name] = MaskFiles.Read(path, shape);
        if (scan.Xct is { } xct)
            foreach (var (name, mask) in XctMasks(scan, xct, shape))
                if (!masks.TryAdd(name, mask))
                    throw new InputException($"scan {scan.Id}: component '{name}' is given both as a mask file and by the XCT registration");
        return masks;
    }

    /// <summary>
    /// Component masks from the scan's XCT label volume (ANALYSIS section 7): the registration file
    /// names the components and places the volume; the manifest's voxel size and the scan's sheet
    /// height override the file's, since one registration file serves every scan of a series.
    /// </summary>
    private static IReadOnlyDictionary<string, float[]> XctMasks(ExperimentScan scan, XctPlan xct, Detector.DetectorShape shape)
    {
        if (xct.Registration is null)
            throw new InputException($"scan {scan.Id}: xct.registration is required: it names the components (labels) and places the volume on the detector");
        var settings = Masks.RegistrationSettings.Load(xct.Registration) with { VoxelUm = xct.VoxelUm, ZUm = scan.ZUm };
        using var labels = Xct.VolumeReader.Open(xct.Volume, new Xct.VolumeReadOptions(settings.Dataset, settings.Axes));
        return Masks.Registration.Register(labels, settings, shape).Masks;
    }

    private static void AddSeries(List<SeriesRow> series, ExperimentScan scan, ScanResult r, ExperimentLithium? lithium)
    {
        var g = lithium?.Apply(ExperimentLithium.Global, r.Global);
        series.Add(new SeriesRow(scan.Id, scan.TimeS, scan.ZUm, ExperimentLithium.Global, r.Global.Value, r.Global.Sigma, g?.X, g?.Sigma));
        foreach (var c in r.Components)
        {
            var x = lithium?.Apply(c.Name, c.Emf);
            series.Add(new SeriesRow(scan.Id, scan.TimeS, scan.ZUm, c.Name, c.Emf.Value, c.Emf.Sigma, x?.X, x?.Sigma));
        }
    }

    private static List<string> InputFiles(ExperimentPlan plan, ExperimentScan scan)
    {
        var files = new List<string>(plan.CalibrationFiles);
        files.AddRange(scan.Frames);
        files.AddRange(scan.Masks.Values);
        foreach (var list in new[] { plan.References.Dark, plan.References.Empty, plan.References.Ptfe })
            if (list is not null) files.AddRange(list);
        if (scan.Xct is { } x)
        {
            files.Add(x.Volume);
            if (x.Registration is not null) files.Add(x.Registration);
        }
        return files;
    }
}
