using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using XcsCt.Domain;
using XcsCt.Domain.Compton;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;
using AnalysisSettings = XcsCt.Domain.Compton.AnalysisSettings;
using XcsCt.Domain.Pipeline;
using XcsCt.Domain.Spectra;

namespace XcsCt.Host.Commands;

/// <summary>
/// <c>xcsct process</c>: frames to spectra to EMF maps, per scan, written under
/// <c>OUT/&lt;experiment&gt;/&lt;scan&gt;/</c>. Either a manifest or flags describe the experiment.
/// </summary>
public sealed class ProcessCommand : AsyncCommand<ProcessCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--manifest <FILE>"), Description("Experiment manifest (YAML or JSON); replaces the flags below.")]
        public string? Manifest { get; init; }

        [CommandOption("--frames <FILE>"), Description("Frame file (.bin, or odin .h5 with /raw_frames or /processed_frames); repeat for several.")]
        public string[] Frames { get; init; } = [];

        [CommandOption("--gradients <FILE>"), Description("Per-pixel gain map, keV/ADU (text, rows x cols).")]
        public string? Gradients { get; init; }

        [CommandOption("--intercepts <FILE>"), Description("Per-pixel intercept map, keV.")]
        public string? Intercepts { get; init; }

        [CommandOption("--offsets <FILE>"), Description("Per-pixel dark level map, ADU.")]
        public string? Offsets { get; init; }

        [CommandOption("--threshold-adu <N>"), Description("Global threshold, ADU above the offset.")]
        public float? ThresholdAdu { get; init; }

        [CommandOption("--thresholds <FILE>"), Description("Per-pixel threshold map, ADU.")]
        public string? Thresholds { get; init; }

        [CommandOption("--charge-sharing <MODE>"), Description("cluster (default) | addition | discrimination | none.")]
        [DefaultValue("cluster")]
        public string ChargeSharing { get; init; } = "cluster";

        [CommandOption("--window <K>"), Description("Window for addition/discrimination: 3 (default) or 5.")]
        [DefaultValue(3)]
        public int Window { get; init; } = 3;

        [CommandOption("--next-frame"), Description("Next-frame correction.")]
        public bool NextFrame { get; init; }

        [CommandOption("--reorder"), Description("Raw ASIC order to spatial order (old firmware).")]
        public bool Reorder { get; init; }

        [CommandOption("--no-peak-centring"), Description("Do not shift the Compton peak to pz = 0.")]
        public bool NoPeakCentring { get; init; }

        [CommandOption("--bin-width <KEV>"), Description("Histogram bin width, keV (default 0.2; 0-200 keV).")]
        [DefaultValue(0.2)]
        public double BinWidth { get; init; } = 0.2;

        [CommandOption("--binning <K>"), Description("k x k spatial binning before EMF (default 1).")]
        [DefaultValue(1)]
        public int Binning { get; init; } = 1;

        [CommandOption("--min-counts <N>"), Description("Minimum counts in the high window for a pixel EMF (default 100).")]
        [DefaultValue(100.0)]
        public double MinCounts { get; init; } = 100;

        [CommandOption("--rows <N>"), Description("Detector rows for .bin files (default 80).")]
        [DefaultValue(80)]
        public int Rows { get; init; } = 80;

        [CommandOption("--cols <N>"), Description("Detector columns for .bin files (default 80).")]
        [DefaultValue(80)]
        public int Cols { get; init; } = 80;

        [CommandOption("--mask <NAME=FILE>"), Description("Component mask (text map or 8/16-bit TIFF, values in [0,1] or 0/255); repeat.")]
        public string[] Masks { get; init; } = [];

        [CommandOption("--experiment <ID>"), Description("Experiment id (default adhoc).")]
        [DefaultValue("adhoc")]
        public string Experiment { get; init; } = "adhoc";

        [CommandOption("--scan <ID>"), Description("Scan id (default scan).")]
        [DefaultValue("scan")]
        public string Scan { get; init; } = "scan";

        [CommandOption("--batch-frames <N>"), Description("Frames per batch: the unit of work, retry and resume (default 8192).")]
        [DefaultValue(ScanJob.DefaultBatchFrames)]
        public int BatchFrames { get; init; } = ScanJob.DefaultBatchFrames;

        [CommandOption("--threads <N>"), Description("Worker threads (default: all cores).")]
        public int? Threads { get; init; }

        [CommandOption("--direct"), Description("Run the plain in-process pipeline instead of the embedded cluster.")]
        public bool Direct { get; init; }

        [CommandOption("--data <DIR>"), Description("Embedded cluster's data directory: journal, snapshots, job files (default ./xcsct-data).")]
        [DefaultValue(ProcessRunner.DefaultDataDirectory)]
        public string Data { get; init; } = ProcessRunner.DefaultDataDirectory;

        [CommandOption("--out <DIR>"), Description("Output directory.")]
        public string? Out { get; init; }

        [CommandOption("--json"), Description("Print the per-scan summaries as JSON instead of a table.")]
        public bool Json { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Out))
            throw new InputException("--out DIR is required: where the results are written");
        var plan = settings.Manifest is not null ? ManifestPlans.Load(settings.Manifest, settings) : FromFlags(settings);
        var outcome = await ProcessRunner.RunAsync(plan, settings.Out, settings.Direct, settings.Threads, cancellationToken, settings.Data);
        ProcessReport.Print(outcome, settings.Json);
        return 0;
    }

    /// <summary>Builds the single-scan plan of the flags form.</summary>
    internal static ExperimentPlan FromFlags(Settings s)
    {
        if (s.Frames.Length == 0) throw new InputException("no frames: give --frames FILE (repeatable) or --manifest FILE");
        if (s.Gradients is null || s.Intercepts is null)
            throw new InputException("--gradients FILE and --intercepts FILE are required (the energy calibration maps)");
        if (s.ThresholdAdu is not null && s.Thresholds is not null)
            throw new InputException("give either --threshold-adu N or --thresholds FILE, not both");
        Ids.Check(s.Experiment, "experiment id");
        Ids.Check(s.Scan, "scan id");
        var shape = ShapeOf(s.Frames, new DetectorShape(s.Rows, s.Cols));
        var frames = s.Frames.Select(Existing).ToArray();
        var calibration = new List<string> { Existing(s.Gradients), Existing(s.Intercepts) };
        var corrections = new FrameCorrections(shape, HistogramAxis.Covering(s.BinWidth),
            PixelMapText.Read(calibration[0], shape, "gradient map"), PixelMapText.Read(calibration[1], shape, "intercept map"))
        {
            OffsetsAdu = s.Offsets is null ? null : PixelMapText.Read(Add(calibration, s.Offsets), shape, "offset map"),
            ThresholdAdu = s.ThresholdAdu,
            ThresholdMapAdu = s.Thresholds is null ? null : PixelMapText.Read(Add(calibration, s.Thresholds), shape, "threshold map"),
            NextFrame = s.NextFrame,
            Reorder = s.Reorder,
            ChargeSharing = ParseChargeSharing(s.ChargeSharing),
            Window = s.Window,
        }.Validated();
        var analysis = new AnalysisSettings { PeakCentring = !s.NoPeakCentring, Binning = s.Binning, MinCounts = s.MinCounts }.Validated();
        var masks = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in s.Masks)
        {
            int eq = m.IndexOf('=');
            if (eq <= 0 || eq == m.Length - 1) throw new InputException($"--mask '{m}': expected NAME=FILE");
            string name = m[..eq];
            Ids.Check(name, "mask name");
            if (!masks.TryAdd(name, Existing(m[(eq + 1)..]))) throw new InputException($"--mask: component '{name}' is given twice");
        }
        var scan = new ExperimentScan(s.Scan, 0, 0, frames, masks);
        return new ExperimentPlan(s.Experiment, corrections, analysis, 250, [scan], ReferencePlan.None, [], calibration)
        {
            BatchFrames = s.BatchFrames > 0 ? s.BatchFrames : throw new InputException($"--batch-frames {s.BatchFrames}: must be positive"),
        };
    }

    /// <summary>odin HDF5 files carry their own shape; .bin files take --rows/--cols.</summary>
    private static DetectorShape ShapeOf(string[] frames, DetectorShape binShape)
    {
        using var first = FrameSources.Open(Existing(frames[0]), binShape);
        return first.Shape;
    }

    internal static ChargeSharingMode ParseChargeSharing(string mode) => mode.ToLowerInvariant() switch
    {
        "cluster" => ChargeSharingMode.Cluster,
        "addition" => ChargeSharingMode.Addition,
        "discrimination" => ChargeSharingMode.Discrimination,
        "none" => ChargeSharingMode.None,
        _ => throw new InputException($"charge-sharing mode '{mode}' is not known: use cluster, addition, discrimination or none"),
    };

    private static string Add(List<string> files, string path)
    {
        files.Add(Existing(path));
        return files[^1];
    }

    internal static string Existing(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new InputException($"{path}: file not found");
        return full;
    }
}
