using MessagePack;
using XcsCt.Messages.Scans;

namespace XcsCt.Messages.Experiments;

public interface IExperimentCommand : IWithExperimentId;

/// <summary>Commands to an experiment entity.</summary>
public static class ExperimentCommands
{
    /// <summary>
    /// Registers an experiment's manifest and starts every scan in it. Idempotent: the same
    /// manifest again starts whatever is not complete; a different manifest for a registered
    /// experiment is rejected. Replies <see cref="ExperimentReplies.ExperimentAccepted"/> or
    /// <see cref="ExperimentReplies.ExperimentRejected"/>; a rejected manifest persists nothing.
    /// </summary>
    [MessagePackObject]
    public sealed record RegisterExperiment(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] ScanEntry[] Scans,
        [property: Key(2)] SeriesEntry[] Series) : IExperimentCommand;

    /// <summary>
    /// Submits one scan (adding it to the experiment when new; creating the experiment when
    /// needed). The same job again resumes or reports it; a failed scan is started afresh.
    /// </summary>
    [MessagePackObject]
    public sealed record SubmitScan(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] JobRef Job) : IExperimentCommand;

    /// <summary>From a scan entity: its final outcome, to be recorded. Acknowledged with the scan's <c>OutcomeRecorded</c>.</summary>
    [MessagePackObject]
    public sealed record RecordScanOutcome(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] int Generation,
        [property: Key(3)] ScanOutcome Outcome,
        [property: Key(4)] string? Reason,
        [property: Key(5)] string? ResultDirectory) : IExperimentCommand;
}

/// <summary>Queries to an experiment entity.</summary>
public static class ExperimentQueries
{
    /// <summary>Replies <see cref="ExperimentReplies.ExperimentStatus"/>.</summary>
    [MessagePackObject]
    public sealed record GetExperimentStatus([property: Key(0)] string ExperimentId) : IExperimentCommand;
}

/// <summary>Replies of an experiment entity.</summary>
public static class ExperimentReplies
{
    [MessagePackObject]
    public sealed record ExperimentAccepted([property: Key(0)] string ExperimentId, [property: Key(1)] string[] ScansStarted) : IXcsProtocol;

    [MessagePackObject]
    public sealed record ExperimentRejected([property: Key(0)] string ExperimentId, [property: Key(1)] string Reason) : IXcsProtocol;

    /// <summary>Every scan of the experiment and where it stands; <c>Registered</c> false for an unknown experiment.</summary>
    [MessagePackObject]
    public sealed record ExperimentStatus(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] bool Registered,
        [property: Key(2)] ScanRecord[] Scans,
        [property: Key(3)] SeriesEntry[] Series) : IXcsProtocol;
}

/// <summary>Events persisted by an experiment entity.</summary>
public static class ExperimentEvents
{
    public interface IExperimentEvent : IXcsProtocol;

    [MessagePackObject]
    public sealed record ExperimentRegistered([property: Key(0)] ScanEntry[] Scans, [property: Key(1)] SeriesEntry[] Series) : IExperimentEvent;

    [MessagePackObject]
    public sealed record ScanAdded([property: Key(0)] ScanEntry Scan) : IExperimentEvent;

    /// <summary>A failed scan submitted again (possibly with a new job).</summary>
    [MessagePackObject]
    public sealed record ScanResubmitted([property: Key(0)] ScanEntry Scan) : IExperimentEvent;

    [MessagePackObject]
    public sealed record ScanCompleted([property: Key(0)] string ScanId, [property: Key(1)] string ResultDirectory) : IExperimentEvent;

    [MessagePackObject]
    public sealed record ScanFailed([property: Key(0)] string ScanId, [property: Key(1)] string Reason) : IExperimentEvent;
}
