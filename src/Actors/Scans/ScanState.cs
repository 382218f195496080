using XcsCt.Messages;
using XcsCt.Messages.Scans;
using static XcsCt.Messages.Scans.ScanEvents;

namespace XcsCt.Actors.Scans;

/// <summary>How a scan answered a start request.</summary>
public enum StartDecision
{
    /// <summary>New scan (generation 1): plan it.</summary>
    Fresh,
    /// <summary>A failed scan started again as a new generation: plan it.</summary>
    Restarted,
    /// <summary>Same job, already planning or running: nothing to do (a resume).</summary>
    AlreadyRunning,
    /// <summary>Same job, already complete: report the result.</summary>
    AlreadyCompleted,
    /// <summary>A different job for a scan that has not failed.</summary>
    Rejected,
}

/// <summary>
/// A scan's durable state: generation, job, plan, the batches durable on every tile, and how it
/// ended. Pure: each command method returns a decision and the events to persist;
/// <see cref="Apply"/> folds events (it reads no clock and throws on an unknown event).
/// </summary>
public sealed record ScanState(
    ScanPhase Phase,
    int Generation,
    JobRef? Job,
    ScanPlan? Plan,
    BatchSet Completed,
    int Requeued,
    string? FailureReason,
    string? ResultDirectory,
    int Resumed = 0)
{
    public static ScanState Empty { get; } = new(ScanPhase.New, 0, null, null, BatchSet.Empty, 0, null, null);

    public bool IsTerminal => Phase is ScanPhase.Completed or ScanPhase.Failed;

    public (StartDecision, string?, IReadOnlyList<IScanEvent>) Start(JobRef job) => Phase switch
    {
        ScanPhase.New => (StartDecision.Fresh, null, [new ScanAccepted(1, job)]),
        ScanPhase.Failed => (StartDecision.Restarted, null, [new ScanAccepted(Generation + 1, job)]),
        _ when Job!.Hash != job.Hash => (StartDecision.Rejected, $"the scan already has a different job ({Job.Hash[..Math.Min(12, Job.Hash.Length)]}); use a new scan id", []),
        ScanPhase.Completed => (StartDecision.AlreadyCompleted, null, []),
        _ => (StartDecision.AlreadyRunning, null, []),
    };

    /// <summary>The planner cut the batches (only while planning this generation).</summary>
    public IReadOnlyList<IScanEvent> Planned(int generation, ScanPlan plan) =>
        Phase == ScanPhase.Planning && generation == Generation ? [new ScanPlanned(plan)] : [];

    /// <summary>Bad input or exhausted retries: the scan fails with its reason (not once it has finished).</summary>
    public IReadOnlyList<IScanEvent> Fail(int generation, string reason) =>
        !IsTerminal && generation == Generation && Phase != ScanPhase.New ? [new ScanFailed(reason)] : [];

    /// <summary>Batches now durable on every tile: those not yet recorded become one event.</summary>
    public IReadOnlyList<IScanEvent> Durable(BatchSet everywhere)
    {
        if (Phase != ScanPhase.Running) return [];
        var fresh = everywhere.Except(Completed);
        return fresh.IsEmpty ? [] : [new BatchesCompleted(fresh)];
    }

    /// <summary>Batches sent again after a loss (counted, never forgotten).</summary>
    public IReadOnlyList<IScanEvent> Requeue(int count, string cause) =>
        count > 0 && Phase == ScanPhase.Running ? [new BatchesRequeued(count, cause)] : [];

    /// <summary>A new incarnation finished asking the tiles: this many batches were already durable (reported as resumed).</summary>
    public IReadOnlyList<IScanEvent> Resume(int durable) =>
        Phase is ScanPhase.Running or ScanPhase.Finishing && durable != Resumed ? [new ScanResumed(durable)] : [];

    /// <summary>Every tile wrote its part of the result.</summary>
    public IReadOnlyList<IScanEvent> ResultsWritten(string directory) =>
        Phase == ScanPhase.Finishing ? [new ScanCompleted(directory)] : [];

    public ScanState Apply(IScanEvent e) => e switch
    {
        ScanAccepted a => Empty with { Phase = ScanPhase.Planning, Generation = a.Generation, Job = a.Job },
        ScanPlanned p => this with { Phase = p.Plan.BatchCount == 0 ? ScanPhase.Finishing : ScanPhase.Running, Plan = p.Plan },
        BatchesCompleted c => WithCompleted(Completed.Union(c.Batches)),
        BatchesRequeued r => this with { Requeued = Requeued + r.Count },
        ScanFailed f => this with { Phase = ScanPhase.Failed, FailureReason = f.Reason },
        ScanCompleted c => this with { Phase = ScanPhase.Completed, ResultDirectory = c.ResultDirectory },
        ScanResumed r => this with { Resumed = r.BatchesDurable },
        _ => throw new ArgumentException($"scan: unknown event {e.GetType().Name}"),
    };

    private ScanState WithCompleted(BatchSet completed) => this with
    {
        Completed = completed,
        Phase = Plan is { } plan && completed.CoversAll(plan.BatchCount) ? ScanPhase.Finishing : Phase,
    };
}
