using System.Text.Json;
using System.Text.Json.Serialization;

namespace XcsCt.Host.Serve;

/// <summary>Where an experiment stands on its node.</summary>
public enum ExperimentState
{
    /// <summary>Accepted, waiting in the node's queue.</summary>
    Queued,
    Running,
    /// <summary>Every scan and the series are written.</summary>
    Completed,
    /// <summary>Stopped by an error; the failing scan (or reference run) carries the reason.</summary>
    Failed,
    /// <summary>Cancelled by a user; what was written stays.</summary>
    Cancelled,
}

/// <summary>Where one scan of an experiment stands.</summary>
public enum ScanState
{
    Pending,
    Running,
    /// <summary>Its outputs (summary.json, figures, result.nxs) are written.</summary>
    Done,
    Failed,
    Cancelled,
}

/// <summary>
/// One scan's status: progress of its frames and, when it failed, why. On the cluster runner,
/// once the scan's spectra are in: how many batches were already durable when it (re)started
/// (<paramref name="BatchesResumed"/>) and how many were computed again after a loss
/// (<paramref name="BatchesRecomputed"/>).
/// </summary>
public sealed record ScanStatusView(
    string Id, double TimeS, double ZUm, ScanState State,
    long FramesDone, long FramesTotal, int BatchesDone, int BatchesTotal, string? Error,
    int BatchesResumed = 0, int BatchesRecomputed = 0)
{
    /// <summary>Fraction of the scan's frames counted, 0-1.</summary>
    public double Progress => State == ScanState.Done ? 1.0 : FramesTotal == 0 ? 0.0 : (double)FramesDone / FramesTotal;
}

/// <summary>
/// One experiment as the node's API shows it and keeps it on disk (<c>DATA/experiments/&lt;id&gt;/record.json</c>),
/// so a restarted node still knows what it ran.
/// </summary>
/// <param name="Id">Experiment id (from the manifest).</param>
/// <param name="Run">Submission number of this id on this node (1, then 2 after a --replace, ...).</param>
/// <param name="Node">Node that runs it (host name and HTTP port).</param>
/// <param name="BaseDirectory">Directory the manifest's relative paths resolved against.</param>
/// <param name="CurrentJob">Job being computed now (a scan id or <c>ref-dark</c>, <c>ref-empty</c>, <c>ref-ptfe</c>).</param>
/// <param name="Error">Why the experiment failed, or null.</param>
/// <param name="SeriesWritten">True once series.csv, series.json and series.png are written.</param>
public sealed record ExperimentView(
    string Id, int Run, ExperimentState State, string Node, string BaseDirectory,
    DateTimeOffset SubmittedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    string? CurrentJob, string? Error, bool SeriesWritten, IReadOnlyList<ScanStatusView> Scans)
{
    public int ScansDone => Scans.Count(s => s.State == ScanState.Done);

    /// <summary>Fraction of all scans' frames counted, 0-1 (scans weigh by their frames).</summary>
    public double Progress
    {
        get
        {
            if (State == ExperimentState.Completed) return 1.0;
            long total = Scans.Sum(s => s.FramesTotal);
            if (total == 0) return Scans.Count == 0 ? 0 : (double)ScansDone / Scans.Count;
            return (double)Scans.Sum(s => s.State == ScanState.Done ? s.FramesTotal : s.FramesDone) / total;
        }
    }

    public bool IsFinished => State is ExperimentState.Completed or ExperimentState.Failed or ExperimentState.Cancelled;
}

/// <summary>The JSON conventions of the API and of the records on disk (snake_case, enums as strings, NaN allowed).</summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            WriteIndented = false,
        };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        return o;
    }
}
