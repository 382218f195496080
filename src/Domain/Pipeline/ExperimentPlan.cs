using System.Text.Json;
using System.Text.Json.Nodes;
using XcsCt.Domain.Compton;
using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Pipeline;

/// <summary>One scan of an experiment: when, where, which frames, which component masks.</summary>
/// <param name="Id">Scan id, [a-z0-9._-]+.</param>
/// <param name="TimeS">Time since the start of the experiment, s.</param>
/// <param name="ZUm">Sheet height, um.</param>
/// <param name="Frames">Frame files, in acquisition order.</param>
/// <param name="Masks">Component masks as files (text maps or TIFF), by component name.</param>
/// <param name="Xct">XCT volume and registration that give further component masks, or null.</param>
public sealed record ExperimentScan(
    string Id, double TimeS, double ZUm, IReadOnlyList<string> Frames,
    IReadOnlyDictionary<string, string> Masks, XctPlan? Xct = null);

/// <summary>An XCT volume registered onto the detector grid (ANALYSIS section 7).</summary>
/// <param name="Volume">Label volume (or greyscale volume to segment) file.</param>
/// <param name="VoxelUm">Voxel size, um.</param>
/// <param name="Registration">Registration settings file (YAML), or null for the defaults.</param>
public sealed record XctPlan(string Volume, double VoxelUm, string? Registration);

/// <summary>Reference runs (ANALYSIS section 4), each a list of frame files, or null when absent.</summary>
public sealed record ReferencePlan(
    IReadOnlyList<string>? Dark = null, IReadOnlyList<string>? Empty = null, IReadOnlyList<string>? Ptfe = null)
{
    public static ReferencePlan None { get; } = new();
}

/// <summary>
/// A whole experiment, resolved and validated: what <c>xcsct process</c> runs, built from a manifest
/// or from command-line flags. All paths are absolute.
/// </summary>
public sealed record ExperimentPlan(
    string Experiment,
    FrameCorrections Corrections,
    AnalysisSettings Analysis,
    double PitchUm,
    IReadOnlyList<ExperimentScan> Scans,
    ReferencePlan References,
    IReadOnlyList<LithiumScanReference> Lithium,
    IReadOnlyList<string> CalibrationFiles)
{
    /// <summary>Frames per batch (the unit of work, of retries and of resume).</summary>
    public int BatchFrames { get; init; } = ScanJob.DefaultBatchFrames;

    /// <summary>The job that histograms <paramref name="frames"/> of this experiment (a scan or a reference run).</summary>
    public ScanJob Job(string scan, IReadOnlyList<string> frames) =>
        new(Experiment, scan, frames, Corrections, BatchFrames);

    /// <summary>The resolved configuration as JSON, written into every result's provenance.</summary>
    public string ConfigurationJson()
    {
        var c = Corrections;
        var a = Analysis;
        var root = new JsonObject
        {
            ["experiment"] = Experiment,
            ["beam"] = new JsonObject { ["energy_keV"] = a.Geometry.IncidentKeV, ["angle_deg"] = a.Geometry.AngleDeg },
            ["detector"] = new JsonObject { ["rows"] = c.Shape.Rows, ["cols"] = c.Shape.Cols, ["pitch_um"] = PitchUm },
            ["calibration"] = new JsonArray([.. CalibrationFiles.Select(f => (JsonNode)f)]),
            ["corrections"] = new JsonObject
            {
                ["reorder"] = c.Reorder,
                ["offsets"] = c.OffsetsAdu is not null,
                ["threshold_adu"] = c.ThresholdAdu,
                ["threshold_map"] = c.ThresholdMapAdu is not null,
                ["next_frame"] = c.NextFrame,
                ["charge_sharing"] = c.ChargeSharing.ToString().ToLowerInvariant(),
                ["window"] = c.Window,
            },
            ["analysis"] = new JsonObject
            {
                ["bin_width_keV"] = c.Axis.BinWidthKeV,
                ["bins"] = c.Axis.Bins,
                ["peak_centring"] = a.PeakCentring,
                ["binning"] = a.Binning,
                ["min_counts"] = a.MinCounts,
                ["low"] = new JsonArray(a.Windows.LowMin, a.Windows.LowMax),
                ["high"] = new JsonArray(a.Windows.HighInner, a.Windows.HighOuter),
            },
            ["batch_frames"] = BatchFrames,
            ["references"] = new JsonObject
            {
                ["dark"] = Files(References.Dark),
                ["empty"] = Files(References.Empty),
                ["ptfe"] = Files(References.Ptfe),
            },
            ["lithium"] = new JsonArray([.. Lithium.Select(l => (JsonNode)new JsonObject { ["scan"] = l.Scan, ["x"] = l.X })]),
            ["scans"] = new JsonArray([.. Scans.Select(s => (JsonNode)new JsonObject
            {
                ["id"] = s.Id, ["time_s"] = s.TimeS, ["z_um"] = s.ZUm, ["frames"] = Files(s.Frames),
                ["masks"] = new JsonObject([.. s.Masks.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))]),
            })]),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    private static JsonNode? Files(IReadOnlyList<string>? files) =>
        files is null ? null : new JsonArray([.. files.Select(f => (JsonNode)f)]);
}
