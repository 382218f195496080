using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using XcsCt.Actors.Hosting;
using XcsCt.Domain;
using XcsCt.Domain.Pipeline;
using XcsCt.Messages;
using XcsCt.Messages.Scans;
using XcsCt.Messages.Tiles;
using XcsCt.Messages.Workers;

namespace XcsCt.Actors.Workers;

/// <summary>
/// The worker pool of one node: at most <see cref="XcsClusterOptions.MaxBatchesInFlight"/>
/// batches computing at once, and as many more assigned and waiting (messages only, no frames),
/// so that a core finishing a batch starts the next without a round trip to its scan. It pulls: scans announce pending work on a pub-sub topic, and the pool asks
/// them in turn (round robin, one request per scan at a time), so free capacity anywhere takes
/// work and no scan starves while another is large. A batch is read from shared storage, run
/// through the Domain frame chain, cut into sparse per-tile partials, and sent to the tiles.
/// While a node hands off its shards (<see cref="WorkerMessages.HandOffStarting"/>) the pool asks
/// for no work, finishes what it holds and says so, until that node is removed.
/// </summary>
public sealed class WorkerPoolActor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    private readonly XcsClusterOptions _options;
    private readonly IActorRef _scans;
    private readonly IActorRef _tiles;
    private readonly IBatchComputer _computer;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<(string Experiment, string Scan)> _rotation = [];
    private readonly Dictionary<(string, string), DateTime> _asked = [];
    private readonly ConcurrentDictionary<string, ScanJob> _jobs = new();
    private readonly Queue<ScanReplies.WorkAssigned> _waiting = new();
    private readonly Dictionary<string, DateTime> _pausedFor = new(StringComparer.Ordinal);
    private readonly List<IActorRef> _idleWaiters = [];
    private int _next;
    private int _running;

    public WorkerPoolActor(XcsClusterOptions options, IActorRef scans, IActorRef tiles, IBatchComputer computer)
    {
        (_options, _scans, _tiles, _computer) = (options, scans, tiles, computer);
        Receive<SubscribeAck>(_ => _log.Debug("worker pool subscribed to {0}", WorkerMessages.Topic));
        Receive<WorkerMessages.WorkAvailable>(w =>
        {
            if (!_rotation.Contains((w.ExperimentId, w.ScanId))) _rotation.Add((w.ExperimentId, w.ScanId));
            Pump();
        });
        Receive<ScanReplies.WorkAssigned>(a =>
        {
            _asked.Remove((a.ExperimentId, a.ScanId));
            _waiting.Enqueue(a);
            LaunchWaiting();
            Pump();
        });
        Receive<ScanReplies.NoWork>(n =>
        {
            _asked.Remove((n.ExperimentId, n.ScanId));
            _rotation.Remove((n.ExperimentId, n.ScanId));
            AnswerIfIdle();
            Pump();
        });
        Receive<BatchDone>(_ =>
        {
            _running--;
            LaunchWaiting();
            AnswerIfIdle();
            Pump();
        });
        Receive<Tick>(_ =>
        {
            // paused, a pool waits for every answer: a batch assigned after it said it was idle would travel during the hand-off
            if (!Paused)
                foreach (var key in _asked.Where(kv => DateTime.UtcNow - kv.Value > RequestTimeout).Select(kv => kv.Key).ToList())
                    _asked.Remove(key);
            foreach (var node in _pausedFor.Where(kv => DateTime.UtcNow > kv.Value).Select(kv => kv.Key).ToList())
            {
                _pausedFor.Remove(node);
                _log.Warning("worker pool: {0} was not removed from the cluster within its hand-off pause; asking for work again", node);
            }
            AnswerIfIdle();
            Pump();
        });
        Receive<WorkerMessages.HandOffStarting>(h =>
        {
            _pausedFor[h.Address] = DateTime.UtcNow + TimeSpan.FromSeconds(Math.Clamp(h.PauseSeconds, 0, 600));
            if (!_idleWaiters.Contains(Sender)) _idleWaiters.Add(Sender);
            AnswerIfIdle();
        });
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            if (_pausedFor.Remove(removed.Member.Address.ToString())) Pump();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Batches being computed on this node now.</summary>
    public int Running => _running;

    protected override void PreStart()
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(WorkerMessages.Topic, Self));
        Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer(Tick.Instance, Tick.Instance, TimeSpan.FromSeconds(1));
    }

    protected override void PostStop() => Cluster.Get(Context.System).Unsubscribe(Self);

    /// <summary>A node is handing off its shards: this pool takes no new work meanwhile.</summary>
    public bool Paused => _pausedFor.Count > 0;

    /// <summary>While paused, tells the nodes handing off once this pool holds no batch and waits for no answer.</summary>
    private void AnswerIfIdle()
    {
        if (!Paused || _idleWaiters.Count == 0 || _running > 0 || _waiting.Count > 0 || _asked.Count > 0) return;
        var idle = new WorkerMessages.PoolIdle(Cluster.Get(Context.System).SelfAddress.ToString());
        foreach (var waiter in _idleWaiters) waiter.Tell(idle);
        _idleWaiters.Clear();
    }

    /// <summary>Batches assigned to this node and not yet computing.</summary>
    public int Waiting => _waiting.Count;

    private void LaunchWaiting()
    {
        while (_running < _options.MaxBatchesInFlight && _waiting.TryDequeue(out var work))
        {
            _running++;
            Launch(work);
        }
    }

    /// <summary>Asks scans for work, in turn, while capacity (computing, waiting or asked) is free.</summary>
    private void Pump()
    {
        if (Paused) return;
        int candidates = _rotation.Count;
        while (_running + _waiting.Count + _asked.Count < 2 * _options.MaxBatchesInFlight && candidates-- > 0)
        {
            _next %= _rotation.Count;
            var key = _rotation[_next++];
            if (_asked.ContainsKey(key)) continue;
            _asked[key] = DateTime.UtcNow;
            _scans.Tell(new ScanCommands.RequestWork(key.Experiment, key.Scan));
        }
    }

    private void Launch(ScanReplies.WorkAssigned work)
    {
        var (scans, tiles, computer, jobs) = (_scans, _tiles, _computer, _jobs);
        // a dedicated thread, not the thread pool: a batch keeps a core busy for a while, and the
        // pool's threads are the actors' (tiles applying partials, scans, journal I/O)
        Task.Factory.StartNew(() =>
        {
            try
            {
                var job = jobs.GetOrAdd(work.Job.Hash, _ => JobFile.Read(work.Job));
                if (jobs.Count > 16) jobs.Clear();
                var plan = work.Plan;
                using var computed = computer.Compute(job, work.Job.Hash, plan.Batches[work.Batch]);
                for (int t = 0; t < plan.TileCount; t++)
                {
                    var counts = SparseCounts.EncodeTile(computed.Counts, plan.Cols, plan.Bins, plan.Tile(t), clear: false);
                    tiles.Tell(new TileCommands.ApplyPartial(work.ExperimentId, work.ScanId, t, work.Generation, work.Batch, computed.Frames, computed.Events, counts));
                }
                scans.Tell(new ScanCommands.BatchComputed(work.ExperimentId, work.ScanId, work.Generation, work.Batch));
            }
            catch (Exception e)
            {
                scans.Tell(new ScanCommands.BatchFailed(work.ExperimentId, work.ScanId, work.Generation, work.Batch, e.Message, e is InputException));
            }
            return BatchDone.Instance;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).PipeTo(Self);
    }

    /// <summary>Self: one batch finished (or failed) and its slot is free.</summary>
    private sealed class BatchDone : INoSerializationVerificationNeeded
    {
        public static readonly BatchDone Instance = new();
    }

    /// <summary>Timer: forget unanswered requests (a scan moving between nodes) and ask again.</summary>
    private sealed class Tick : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly Tick Instance = new();
    }
}

/// <summary>Registry key of this node's worker pool.</summary>
public sealed class WorkerPool;

public static class WorkerPoolHosting
{
    /// <summary>This node's worker pool.</summary>
    public static AkkaConfigurationBuilder AddWorkerPool(this AkkaConfigurationBuilder builder, XcsClusterOptions options, IBatchComputer computer) =>
        builder.WithActors((system, registry) =>
            registry.Register<WorkerPool>(system.ActorOf(Props.Create(() => new WorkerPoolActor(options,
                registry.Get<Scans.ScanRegion>(), registry.Get<Tiles.TileRegion>(), computer)), "xcs-workers")));
}
