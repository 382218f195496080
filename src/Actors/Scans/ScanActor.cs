using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;
using XcsCt.Actors.Hosting;
using XcsCt.Actors.Workers;
using XcsCt.Messages;
using XcsCt.Messages.Experiments;
using XcsCt.Messages.Scans;
using XcsCt.Messages.Tiles;
using XcsCt.Messages.Workers;
using static XcsCt.Messages.Scans.ScanCommands;

namespace XcsCt.Actors.Scans;

/// <summary>
/// One scan (<c>experiment/scan</c>): plans the batches, hands them to worker pools that ask,
/// persists a batch once it is durable on every tile, and when all are, has the tiles write the
/// result. Its journal holds only <see cref="ScanEvents"/>. After a move or restart it asks every
/// tile what it holds before handing out work again (see <see cref="DispatchBook"/>).
/// </summary>
public sealed class ScanActor : ReceivePersistentActor, IWithTimers
{
    private readonly string _experimentId;
    private readonly string _scanId;
    private readonly XcsClusterOptions _options;
    private readonly IActorRef _experiments;
    private readonly IActorRef _tiles;
    private readonly IScanPlanner _planner;
    private readonly IActorRef _mediator = DistributedPubSub.Get(Context.System).Mediator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _subscribers = [];
    private readonly HashSet<int> _surveyMissing = [];
    private readonly HashSet<int> _resultsWritten = [];
    private ScanState _state = ScanState.Empty;
    private DispatchBook? _book;
    private bool _outcomeRecorded;

    public ScanActor(string entityId, XcsClusterOptions options, IActorRef experiments, IActorRef tiles, IScanPlanner planner)
    {
        var parts = entityId.Split('/');
        (_experimentId, _scanId) = (parts[0], parts[1]);
        (_options, _experiments, _tiles, _planner) = (options, experiments, tiles, planner);
        PersistenceId = "scan-" + entityId;

        Recover<ScanEvents.IScanEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => Resume());

        Command<StartScan>(OnStart);
        Command<PlanResult>(OnPlanned);
        Command<RequestWork>(_ => OnRequestWork());
        Command<BatchComputed>(OnBatchComputed);
        Command<BatchFailed>(OnBatchFailed);
        Command<TileReport>(OnTileReport);
        Command<Terminated>(OnTerminated);
        Command<TileResultWritten>(OnResultWritten);
        Command<OutcomeRecorded>(o => { if (o.Generation == _state.Generation) { _outcomeRecorded = true; MaybePassivate(); } });
        Command<SubscribeScan>(_ =>
        {
            if (_subscribers.Add(Sender)) Context.Watch(Sender);
            Sender.Tell(Status());
        });
        Command<ScanQueries.GetScanStatus>(_ => Sender.Tell(Status()));
        Command<Tick>(_ => OnTick());
        Command<StopEntity>(_ => Context.Stop(Self));
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        base.PreStart();
        Timers.StartPeriodicTimer(Tick.Instance, Tick.Instance, TimeSpan.FromMilliseconds(500));
    }

    private void Resume()
    {
        switch (_state.Phase)
        {
            case ScanPhase.Planning: BeginPlanning(); break;
            case ScanPhase.Running: StartRunning(survey: true); break;
            case ScanPhase.Finishing: RequestResults(); break;
            case ScanPhase.Completed or ScanPhase.Failed: ReportOutcome(); break;
            case ScanPhase.New: break;
        }
    }

    private void OnStart(StartScan start)
    {
        var (decision, reason, events) = _state.Start(start.Job);
        if (decision == StartDecision.Rejected)
        {
            Sender.Tell(new ScanReplies.ScanRejected(_experimentId, _scanId, reason!));
            return;
        }
        var replyTo = Sender;
        if (events.Count == 0)
        {
            replyTo.Tell(Status());
            return;
        }
        PersistAll(events, e =>
        {
            _state = _state.Apply(e);
            (_book, _outcomeRecorded) = (null, false);
            _resultsWritten.Clear();
            replyTo.Tell(Status());
            Publish();
            BeginPlanning();
        });
    }

    private void BeginPlanning()
    {
        int generation = _state.Generation;
        var job = _state.Job!;
        var (tileSize, planner) = (_options.TileSize, _planner);
        Task.Run(() =>
        {
            try
            {
                var scanJob = JobFile.Read(job);
                var counts = planner.FrameCounts(scanJob);
                var c = scanJob.Corrections;
                return new PlanResult(generation, new ScanPlan(c.Shape.Rows, c.Shape.Cols, c.Axis.Bins, tileSize, scanJob.BatchFrames, counts).Validated(), null);
            }
            catch (Exception e)
            {
                return new PlanResult(generation, null, e.Message);
            }
        }).PipeTo(Self);
    }

    private void OnPlanned(PlanResult result)
    {
        if (result.Plan is null)
        {
            Fail(result.Generation, result.Error!);
            return;
        }
        PersistAll(_state.Planned(result.Generation, result.Plan), e =>
        {
            _state = _state.Apply(e);
            Publish();
            if (_state.Phase == ScanPhase.Finishing) RequestResults();
            else StartRunning(survey: false);
        });
    }

    private void StartRunning(bool survey)
    {
        var plan = _state.Plan!;
        _book = new DispatchBook(plan, _state.Completed, _options.MaxUndurableBatches);
        _surveyMissing.Clear();
        if (survey)
        {
            for (int t = 0; t < plan.TileCount; t++) _surveyMissing.Add(t);
            AskSurvey();
        }
        else
        {
            // start the tiles (recovery, remembered-entity writes) while the first batches compute
            for (int t = 0; t < plan.TileCount; t++)
                _tiles.Tell(new TileCommands.GetTileStatus(_experimentId, _scanId, t, _state.Generation));
            Announce();
        }
    }

    private void AskSurvey()
    {
        foreach (var t in _surveyMissing)
            _tiles.Tell(new TileCommands.GetTileStatus(_experimentId, _scanId, t, _state.Generation));
    }

    private void OnRequestWork()
    {
        int? batch = _state.Phase == ScanPhase.Running && _surveyMissing.Count == 0 ? _book?.Assign(Sender.ToString()!) : null;
        if (batch is null)
        {
            Sender.Tell(new ScanReplies.NoWork(_experimentId, _scanId));
            return;
        }
        Context.Watch(Sender);
        Sender.Tell(new ScanReplies.WorkAssigned(_experimentId, _scanId, _state.Generation, _state.Job!, _state.Plan!, batch.Value));
    }

    private void OnBatchComputed(BatchComputed computed)
    {
        if (computed.Generation != _state.Generation || _book is null) return;
        _book.Computed(computed.Batch);
        // the last batch is in: the tiles checkpoint now rather than when idle
        if (_book.AllDelivered && _state.Phase == ScanPhase.Running) RequestCheckpoints();
    }

    private void RequestCheckpoints()
    {
        foreach (var t in _book!.TilesMissingDurability())
            _tiles.Tell(new TileCommands.CheckpointTile(_experimentId, _scanId, t, _state.Generation));
    }

    private void OnBatchFailed(BatchFailed failed)
    {
        if (failed.Generation != _state.Generation || _book is null) return;
        if (failed.BadInput)
        {
            Fail(failed.Generation, failed.Reason);
            return;
        }
        int attempts = _book.Failed(failed.Batch);
        _log.Warning("scan {0}: batch {1} failed (attempt {2}): {3}", PersistenceId, failed.Batch, attempts, failed.Reason);
        if (attempts >= _options.BatchRetries) Fail(failed.Generation, $"batch {failed.Batch} failed {attempts} times: {failed.Reason}");
        else PersistAll(_state.Requeue(1, "worker error"), Applied);
    }

    private void OnTileReport(TileReport report)
    {
        if (report.Generation > _state.Generation || _book is null || _state.Phase != ScanPhase.Running) return;
        // a tile still in an older generation (or never started) holds nothing of this one
        if (report.Generation < _state.Generation) report = report with { Applied = BatchSet.Empty, Durable = BatchSet.Empty };
        bool surveyed = _surveyMissing.Remove(report.Tile) && _surveyMissing.Count == 0;
        var (newly, requeued) = _book.Report(report.Tile, report.Applied, report.Durable, report.Recovered, report.Settled && _book.AllDelivered);
        // dispatch held back by batches that never become durable: partials lost in a hand-off
        if (report.Settled && _book.Throttled) requeued += _book.RequeueLost(report.Tile, report.Applied, LostAfterTicks);
        var events = _state.Requeue(requeued, $"tile {report.Tile} lost batches").Concat(_state.Durable(newly)).ToList();
        if (surveyed && events.Count == 0) EndSurvey();
        PersistAll(events, e =>
        {
            _state = _state.Apply(e);
            if (e is ScanEvents.BatchesCompleted done && _book is not null)
            {
                bool throttled = _book.Throttled;
                _book.MarkCompleted(done.Batches);
                if (throttled && !_book.Throttled) Announce();
            }
            if (surveyed && ReferenceEquals(e, events[^1])) EndSurvey();
            Publish();
            if (_state.Phase == ScanPhase.Finishing) RequestResults();
        });
    }

    private void EndSurvey()
    {
        int resumed = _state.Completed.Count;
        // batches every tile holds wait for snapshots; those only some tiles hold are computed again
        var events = _state.Requeue(_book!.AdoptSurvey(), "scan moved or restarted").Concat(_state.Resume(resumed)).ToList();
        PersistAll(events, Applied);
        _log.Info("scan {0}: resumed, {1} of {2} batches already durable", PersistenceId, resumed, _state.Plan!.BatchCount);
        Announce();
    }

    private void OnTerminated(Terminated terminated)
    {
        _subscribers.Remove(terminated.ActorRef);
        int lost = _book?.PoolLost(terminated.ActorRef.ToString()!) ?? 0;
        if (lost > 0)
        {
            PersistAll(_state.Requeue(lost, "worker node lost"), Applied);
            Announce();
        }
    }

    private void RequestResults()
    {
        var plan = _state.Plan!;
        for (int t = 0; t < plan.TileCount; t++)
            if (!_resultsWritten.Contains(t))
                _tiles.Tell(new TileCommands.WriteTileResult(_experimentId, _scanId, t, _state.Generation, ResultDirectory, plan.Tile(t).Pixels * plan.Bins));
    }

    private string ResultDirectory => Path.Combine(_options.ResultRoot, _experimentId, _scanId, $"g{_state.Generation}");

    private void OnResultWritten(TileResultWritten written)
    {
        if (written.Generation != _state.Generation || _state.Phase != ScanPhase.Finishing) return;
        _resultsWritten.Add(written.Tile);
        if (_resultsWritten.Count < _state.Plan!.TileCount) return;
        PersistAll(_state.ResultsWritten(ResultDirectory), e =>
        {
            _state = _state.Apply(e);
            Publish();
            for (int t = 0; t < _state.Plan!.TileCount; t++)
                _tiles.Tell(new TileCommands.ReleaseTile(_experimentId, _scanId, t, _state.Generation));
            ReportOutcome();
        });
    }

    private void Fail(int generation, string reason) =>
        PersistAll(_state.Fail(generation, reason), e =>
        {
            _state = _state.Apply(e);
            _book = null;
            _log.Warning("scan {0} failed: {1}", PersistenceId, reason);
            Publish();
            ReportOutcome();
        });

    private void ReportOutcome() => _experiments.Tell(new ExperimentCommands.RecordScanOutcome(_experimentId, _scanId, _state.Generation,
        _state.Phase == ScanPhase.Completed ? ScanOutcome.Completed : ScanOutcome.Failed, _state.FailureReason, _state.ResultDirectory));

    private void MaybePassivate()
    {
        if (_state.IsTerminal && _outcomeRecorded) StopEntity.Passivate(Context);
    }

    /// <summary>
    /// Ticks (500 ms) after which a delivered batch a settled tile lacks, while the dispatch is
    /// throttled, is taken as lost on the way (a partial can wait in a busy node's queues for
    /// seconds; one dropped in a hand-off never comes).
    /// </summary>
    private const int LostAfterTicks = 20;

    private void OnTick()
    {
        _book?.NextRound();
        switch (_state.Phase)
        {
            case ScanPhase.Running when _surveyMissing.Count > 0: AskSurvey(); break;
            case ScanPhase.Running when _book is { Throttled: true }: RequestCheckpoints(); break;
            case ScanPhase.Running when _book is { Pending: > 0 }: Announce(); break;
            case ScanPhase.Running when _book is { AllDelivered: true }: RequestCheckpoints(); break;
            case ScanPhase.Finishing: RequestResults(); break;
            case ScanPhase.Completed or ScanPhase.Failed when !_outcomeRecorded: ReportOutcome(); break;
        }
    }

    private void Applied(ScanEvents.IScanEvent e)
    {
        _state = _state.Apply(e);
        Publish();
    }

    private void Announce() => _mediator.Tell(new Publish(WorkerMessages.Topic, new WorkerMessages.WorkAvailable(_experimentId, _scanId)));

    private void Publish()
    {
        var status = Status();
        foreach (var s in _subscribers) s.Tell(status);
    }

    private ScanReplies.ScanStatus Status() => new(_experimentId, _scanId, _state.Phase, _state.Generation, _state.Job,
        _state.Plan?.BatchCount ?? 0, _state.Completed.Count, _state.Resumed, _state.Requeued, _state.FailureReason, _state.ResultDirectory, _state.Plan);

    /// <summary>Self: the planner's answer for one generation.</summary>
    private sealed record PlanResult(int Generation, ScanPlan? Plan, string? Error) : INoSerializationVerificationNeeded;

    /// <summary>Timer: announce work, ask for checkpoints or results, re-send the outcome.</summary>
    private sealed class Tick : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly Tick Instance = new();
    }
}

/// <summary>Registry key of the scan shard region.</summary>
public sealed class ScanRegion;

public static class ScanHosting
{
    /// <summary>The scan shard region (remembered entities: running scans restart by themselves after a node loss).</summary>
    public static AkkaConfigurationBuilder AddScanRegion(this AkkaConfigurationBuilder builder, XcsClusterOptions options, ShardOptions shardOptions, IScanPlanner planner) =>
        builder.WithShardRegion<ScanRegion>("xcs-scan",
            (_, registry, _) => entityId => Props.Create(() => new ScanActor(entityId, options,
                registry.Get<Experiments.ExperimentRegion>(), registry.Get<Tiles.TileRegion>(), planner)),
            new EntityExtractor(options.ShardCount, m => m is IWithScanId s and not IWithTileId ? EntityIds.Scan(s.ExperimentId, s.ScanId) : null),
            shardOptions);
}
