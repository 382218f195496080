using System.Collections.Immutable;
using XcsCt.Messages;
using XcsCt.Messages.Experiments;
using XcsCt.Messages.Scans;
using static XcsCt.Messages.Experiments.ExperimentEvents;

namespace XcsCt.Actors.Experiments;

/// <summary>What an experiment decided about a command: accepted (and which scans to start) or rejected with a reason.</summary>
public sealed record ExperimentDecision(bool Accepted, string? Reason, string[] ScansToStart)
{
    public static ExperimentDecision Reject(string reason) => new(false, reason, []);
    public static ExperimentDecision Start(params string[] scans) => new(true, null, scans);
}

/// <summary>
/// An experiment: its scans (manifest order), their jobs and outcomes, and its series. Pure:
/// commands give a decision and events; <see cref="Apply"/> folds events into the next state.
/// </summary>
public sealed record ExperimentState(ImmutableList<ScanRecord> Scans, ImmutableArray<SeriesEntry> Series)
{
    public static ExperimentState Empty { get; } = new(ImmutableList<ScanRecord>.Empty, ImmutableArray<SeriesEntry>.Empty);

    public bool Registered => !Scans.IsEmpty;

    public ScanRecord? Find(string scanId) => Scans.Find(s => s.ScanId == scanId);

    /// <summary>
    /// A manifest: rejected (nothing persisted) when it has no scans, a bad or duplicate id, a
    /// series naming an unknown scan, or differs from the manifest already registered.
    /// </summary>
    public (ExperimentDecision, IReadOnlyList<IExperimentEvent>) Process(ExperimentCommands.RegisterExperiment command)
    {
        if (Validate(command) is { } problem)
            return (ExperimentDecision.Reject($"experiment {command.ExperimentId}: {problem}"), []);
        if (!Registered)
            return (ExperimentDecision.Start(command.Scans.Select(s => s.ScanId).ToArray()), [new ExperimentRegistered(command.Scans, command.Series)]);
        bool same = Scans.Count == command.Scans.Length
            && command.Scans.All(s => Find(s.ScanId) is { } known && known.Job == s.Job)
            && Series.SequenceEqual(command.Series);
        return same
            ? (ExperimentDecision.Start(Scans.Where(s => s.Outcome != ScanOutcome.Completed).Select(s => s.ScanId).ToArray()), [])
            : (ExperimentDecision.Reject($"experiment {command.ExperimentId} is already registered with a different manifest"), []);
    }

    /// <summary>One scan: added when new, resumed when known with the same job, restarted when it had failed.</summary>
    public (ExperimentDecision, IReadOnlyList<IExperimentEvent>) Process(ExperimentCommands.SubmitScan command)
    {
        if (!EntityIds.IsValid(command.ScanId))
            return (ExperimentDecision.Reject($"scan id '{command.ScanId}' is not valid: use 1-64 characters of letters, digits, '.', '_' or '-'"), []);
        var entry = new ScanEntry(command.ScanId, command.Job);
        var known = Find(command.ScanId);
        if (known is null)
            return (ExperimentDecision.Start(command.ScanId), [new ScanAdded(entry)]);
        if (known.Outcome == ScanOutcome.Failed)
            return (ExperimentDecision.Start(command.ScanId), [new ScanResubmitted(entry)]);
        if (known.Job != command.Job)
            return (ExperimentDecision.Reject($"scan {command.ExperimentId}/{command.ScanId} already has a different job ({known.Job.Hash[..Math.Min(12, known.Job.Hash.Length)]}); use a new scan id"), []);
        return (ExperimentDecision.Start(command.ScanId), []);
    }

    /// <summary>A scan's final outcome; recorded once (repeats and unknown scans change nothing).</summary>
    public IReadOnlyList<IExperimentEvent> Process(ExperimentCommands.RecordScanOutcome command)
    {
        var known = Find(command.ScanId);
        if (known is null || known.Outcome == command.Outcome) return [];
        return command.Outcome switch
        {
            ScanOutcome.Completed => [new ScanCompleted(command.ScanId, command.ResultDirectory ?? "")],
            ScanOutcome.Failed => [new ScanFailed(command.ScanId, command.Reason ?? "failed")],
            _ => [],
        };
    }

    public ExperimentState Apply(IExperimentEvent e) => e switch
    {
        ExperimentRegistered r => new(r.Scans.Select(s => new ScanRecord(s.ScanId, s.Job, ScanOutcome.Submitted, null, null)).ToImmutableList(), r.Series.ToImmutableArray()),
        ScanAdded a => this with { Scans = Scans.Add(new ScanRecord(a.Scan.ScanId, a.Scan.Job, ScanOutcome.Submitted, null, null)) },
        ScanResubmitted r => Replace(r.Scan.ScanId, s => s with { Job = r.Scan.Job, Outcome = ScanOutcome.Submitted, Reason = null, ResultDirectory = null }),
        ScanCompleted c => Replace(c.ScanId, s => s with { Outcome = ScanOutcome.Completed, Reason = null, ResultDirectory = c.ResultDirectory }),
        ScanFailed f => Replace(f.ScanId, s => s with { Outcome = ScanOutcome.Failed, Reason = f.Reason }),
        _ => throw new ArgumentException($"experiment: unknown event {e.GetType().Name}"),
    };

    private ExperimentState Replace(string scanId, Func<ScanRecord, ScanRecord> change)
    {
        int i = Scans.FindIndex(s => s.ScanId == scanId);
        if (i < 0) throw new ArgumentException($"experiment: event for unknown scan {scanId}");
        return this with { Scans = Scans.SetItem(i, change(Scans[i])) };
    }

    private static string? Validate(ExperimentCommands.RegisterExperiment command)
    {
        if (!EntityIds.IsValid(command.ExperimentId)) return "experiment id is not valid";
        if (command.Scans.Length == 0) return "the manifest has no scans";
        var ids = new HashSet<string>();
        foreach (var scan in command.Scans)
        {
            if (!EntityIds.IsValid(scan.ScanId)) return $"scan id '{scan.ScanId}' is not valid: use 1-64 characters of letters, digits, '.', '_' or '-'";
            if (!ids.Add(scan.ScanId)) return $"scan id '{scan.ScanId}' appears more than once";
        }
        var names = new HashSet<string>();
        foreach (var series in command.Series)
        {
            if (!names.Add(series.Name)) return $"series '{series.Name}' appears more than once";
            foreach (var id in series.ScanIds)
                if (!ids.Contains(id)) return $"series '{series.Name}' refers to unknown scan '{id}'";
        }
        return null;
    }
}
