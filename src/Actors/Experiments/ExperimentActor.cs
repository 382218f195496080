using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using XcsCt.Actors.Hosting;
using XcsCt.Messages.Experiments;
using XcsCt.Messages.Scans;
using static XcsCt.Messages.Experiments.ExperimentCommands;

namespace XcsCt.Actors.Experiments;

/// <summary>
/// One experiment: its manifest (scans, jobs, series) and each scan's outcome. Starts its scans;
/// scans report back when they finish. A rejected manifest persists nothing. It is not
/// remembered: sharding passivates it after two idle minutes (an experiment's jobs arrive one
/// after another, each would otherwise restart and replay it).
/// </summary>
public sealed class ExperimentActor : ReceivePersistentActor
{
    private readonly string _experimentId;
    private readonly IActorRef _scans;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ExperimentState _state = ExperimentState.Empty;

    public ExperimentActor(string experimentId, IActorRef scans)
    {
        (_experimentId, _scans) = (experimentId, scans);
        PersistenceId = "experiment-" + experimentId;

        Recover<ExperimentEvents.IExperimentEvent>(e => _state = _state.Apply(e));
        Command<RegisterExperiment>(c => Decide(_state.Process(c)));
        Command<SubmitScan>(c => Decide(_state.Process(c)));
        Command<RecordScanOutcome>(Record);
        Command<ExperimentQueries.GetExperimentStatus>(_ =>
            Sender.Tell(new ExperimentReplies.ExperimentStatus(_experimentId, _state.Registered, _state.Scans.ToArray(), _state.Series.ToArray())));
        Command<ScanReplies.ScanStatus>(s =>
        {
            if (s.Phase is ScanPhase.Completed or ScanPhase.Failed)
                Record(new RecordScanOutcome(_experimentId, s.ScanId, s.Generation,
                    s.Phase == ScanPhase.Completed ? ScanOutcome.Completed : ScanOutcome.Failed, s.FailureReason, s.ResultDirectory));
            else _log.Debug("experiment {0}: scan {1} is {2}", _experimentId, s.ScanId, s.Phase);
        });
        Command<ScanReplies.ScanRejected>(r =>
            Record(new RecordScanOutcome(_experimentId, r.ScanId, 0, ScanOutcome.Failed, r.Reason, null)));
    }

    public override string PersistenceId { get; }

    private void Decide((ExperimentDecision Decision, IReadOnlyList<ExperimentEvents.IExperimentEvent> Events) result)
    {
        var (decision, events) = result;
        var replyTo = Sender;
        if (!decision.Accepted)
        {
            replyTo.Tell(new ExperimentReplies.ExperimentRejected(_experimentId, decision.Reason!));
            return;
        }
        if (events.Count == 0)
        {
            StartScans(decision, replyTo);
            return;
        }
        int applied = 0;
        PersistAll(events, e =>
        {
            _state = _state.Apply(e);
            if (++applied == events.Count) StartScans(decision, replyTo);
        });
    }

    private void StartScans(ExperimentDecision decision, IActorRef replyTo)
    {
        foreach (var scanId in decision.ScansToStart)
            _scans.Tell(new ScanCommands.StartScan(_experimentId, scanId, _state.Find(scanId)!.Job));
        replyTo.Tell(new ExperimentReplies.ExperimentAccepted(_experimentId, decision.ScansToStart));
    }

    private void Record(RecordScanOutcome outcome)
    {
        var events = _state.Process(outcome);
        var ack = new ScanCommands.OutcomeRecorded(_experimentId, outcome.ScanId, outcome.Generation);
        if (events.Count == 0)
        {
            _scans.Tell(ack);
            return;
        }
        PersistAll(events, e =>
        {
            _state = _state.Apply(e);
            _scans.Tell(ack);
        });
    }
}

/// <summary>Registry key of the experiment shard region.</summary>
public sealed class ExperimentRegion;

public static class ExperimentHosting
{
    /// <summary>The experiment shard region (entities start on demand; scans report to them).</summary>
    public static AkkaConfigurationBuilder AddExperimentRegion(this AkkaConfigurationBuilder builder, int shardCount, ShardOptions shardOptions) =>
        builder.WithShardRegion<ExperimentRegion>("xcs-experiment",
            (_, registry, _) => entityId => Props.Create(() => new ExperimentActor(entityId, registry.Get<Scans.ScanRegion>())),
            new EntityExtractor(shardCount, m => m is Messages.IWithExperimentId e and not Messages.IWithScanId ? e.ExperimentId : null),
            shardOptions);
}
