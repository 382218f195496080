using MessagePack;

namespace XcsCt.Messages.Scans;

public interface IScanCommand : IWithScanId;

/// <summary>Commands to a scan entity (<c>experiment/scan</c>).</summary>
public static class ScanCommands
{
    /// <summary>
    /// Starts the scan, or resumes it: the same job of a running or finished scan is idempotent;
    /// a failed scan starts a new generation. Replies <see cref="ScanReplies.ScanStatus"/> or
    /// <see cref="ScanReplies.ScanRejected"/>.
    /// </summary>
    [MessagePackObject]
    public sealed record StartScan(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] JobRef Job) : IScanCommand;

    /// <summary>The sender receives the current <see cref="ScanReplies.ScanStatus"/> now and on every change (until the entity moves; re-subscribe periodically).</summary>
    [MessagePackObject]
    public sealed record SubscribeScan([property: Key(0)] string ExperimentId, [property: Key(1)] string ScanId) : IScanCommand;

    /// <summary>From a node's worker pool (the sender): one batch please. Replies <see cref="ScanReplies.WorkAssigned"/> or <see cref="ScanReplies.NoWork"/>.</summary>
    [MessagePackObject]
    public sealed record RequestWork([property: Key(0)] string ExperimentId, [property: Key(1)] string ScanId) : IScanCommand;

    /// <summary>From a worker: every tile of the batch has been sent its partial.</summary>
    [MessagePackObject]
    public sealed record BatchComputed(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] int Generation,
        [property: Key(3)] int Batch) : IScanCommand;

    /// <summary>From a worker: the batch could not be computed. <c>BadInput</c> fails the scan with the reason; otherwise the batch is retried a few times.</summary>
    [MessagePackObject]
    public sealed record BatchFailed(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] int Generation,
        [property: Key(3)] int Batch,
        [property: Key(4)] string Reason,
        [property: Key(5)] bool BadInput) : IScanCommand;

    /// <summary>
    /// From a tile: the batches it has applied (in memory) and those durable in its latest
    /// snapshot. <c>Recovered</c> marks the first report of an incarnation that restarted from
    /// stored state: anything applied before but not durable was lost and must be sent again.
    /// <c>Settled</c> marks the answer to a checkpoint request made once every batch was
    /// delivered: a delivered batch missing from it was lost on the way.
    /// </summary>
    [MessagePackObject]
    public sealed record TileReport(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] int Tile,
        [property: Key(3)] int Generation,
        [property: Key(4)] BatchSet Applied,
        [property: Key(5)] BatchSet Durable,
        [property: Key(6)] bool Recovered,
        [property: Key(7)] bool Settled) : IScanCommand;

    /// <summary>From a tile: its final spectra are written to the result directory.</summary>
    [MessagePackObject]
    public sealed record TileResultWritten(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] int Tile,
        [property: Key(3)] int Generation) : IScanCommand;

    /// <summary>From the experiment: the scan's outcome is recorded there.</summary>
    [MessagePackObject]
    public sealed record OutcomeRecorded(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] int Generation) : IScanCommand;
}

/// <summary>Queries to a scan entity.</summary>
public static class ScanQueries
{
    /// <summary>Replies <see cref="ScanReplies.ScanStatus"/>.</summary>
    [MessagePackObject]
    public sealed record GetScanStatus([property: Key(0)] string ExperimentId, [property: Key(1)] string ScanId) : IScanCommand;
}

/// <summary>Where a scan is in its life.</summary>
public enum ScanPhase
{
    /// <summary>Never submitted.</summary>
    New = 0,
    /// <summary>Accepted; reading the input headers to cut the batch plan.</summary>
    Planning = 1,
    /// <summary>Batches being computed and made durable on the tiles.</summary>
    Running = 2,
    /// <summary>Every batch durable; the tiles are writing the result.</summary>
    Finishing = 3,
    Completed = 4,
    Failed = 5,
}

/// <summary>Replies of a scan entity.</summary>
public static class ScanReplies
{
    /// <summary>
    /// A scan's state. <c>BatchesResumed</c>: batches already durable when this incarnation took
    /// the scan over (a resumed run); <c>BatchesRecomputed</c>: batches dispatched again after a
    /// loss (node, tile or worker), over the scan's generation.
    /// </summary>
    [MessagePackObject]
    public sealed record ScanStatus(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] ScanPhase Phase,
        [property: Key(3)] int Generation,
        [property: Key(4)] JobRef? Job,
        [property: Key(5)] int BatchesTotal,
        [property: Key(6)] int BatchesDurable,
        [property: Key(7)] int BatchesResumed,
        [property: Key(8)] int BatchesRecomputed,
        [property: Key(9)] string? FailureReason,
        [property: Key(10)] string? ResultDirectory,
        [property: Key(11)] ScanPlan? Plan) : IXcsProtocol;

    [MessagePackObject]
    public sealed record ScanRejected([property: Key(0)] string ExperimentId, [property: Key(1)] string ScanId, [property: Key(2)] string Reason) : IXcsProtocol;

    /// <summary>One batch for the requesting pool: read it, run the frame chain, send each tile its partial.</summary>
    [MessagePackObject]
    public sealed record WorkAssigned(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] int Generation,
        [property: Key(3)] JobRef Job,
        [property: Key(4)] ScanPlan Plan,
        [property: Key(5)] int Batch) : IXcsProtocol;

    [MessagePackObject]
    public sealed record NoWork([property: Key(0)] string ExperimentId, [property: Key(1)] string ScanId) : IXcsProtocol;
}

/// <summary>Events persisted by a scan entity: small, one per decision, none per frame or photon.</summary>
public static class ScanEvents
{
    public interface IScanEvent : IXcsProtocol;

    [MessagePackObject]
    public sealed record ScanAccepted([property: Key(0)] int Generation, [property: Key(1)] JobRef Job) : IScanEvent;

    [MessagePackObject]
    public sealed record ScanPlanned([property: Key(0)] ScanPlan Plan) : IScanEvent;

    /// <summary>These batches are durable on every tile.</summary>
    [MessagePackObject]
    public sealed record BatchesCompleted([property: Key(0)] BatchSet Batches) : IScanEvent;

    /// <summary>Batches dispatched again after a loss (counted for the bounded-rework guarantee).</summary>
    [MessagePackObject]
    public sealed record BatchesRequeued([property: Key(0)] int Count, [property: Key(1)] string Cause) : IScanEvent;

    [MessagePackObject]
    public sealed record ScanFailed([property: Key(0)] string Reason) : IScanEvent;

    /// <summary>A new incarnation took the running scan over with this many batches already durable.</summary>
    [MessagePackObject]
    public sealed record ScanResumed([property: Key(0)] int BatchesDurable) : IScanEvent;

    /// <summary>Every tile wrote its spectra into <c>ResultDirectory</c>.</summary>
    [MessagePackObject]
    public sealed record ScanCompleted([property: Key(0)] string ResultDirectory) : IScanEvent;
}
