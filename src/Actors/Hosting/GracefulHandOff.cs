using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using XcsCt.Messages.Workers;

namespace XcsCt.Actors.Hosting;

/// <summary>
/// A graceful leave (SIGTERM, <c>xcsct cluster leave</c>) without rework. Before this node hands
/// off its shards (coordinated-shutdown phase <c>before-cluster-shutdown</c>), every worker pool in
/// the cluster is asked to take no new work and to finish what it holds
/// (<see cref="WorkerMessages.HandOffStarting"/>); the hand-off starts once they all answered (or
/// after <see cref="XcsClusterOptions.HandOffDrainTimeout"/>). While the shards move no partial is
/// on its way to a tile, tiles snapshot before they stop, and a moved scan finds every batch it
/// handed out applied everywhere: nothing is computed twice. Pools resume when the node is removed.
/// </summary>
public static class GracefulHandOff
{
    /// <summary>Pause the pools ask for: long enough for a slow hand-off, short enough to recover from a node that never leaves.</summary>
    public static readonly TimeSpan PoolPause = TimeSpan.FromSeconds(120);

    /// <summary>Registers the drain in <paramref name="system"/>'s coordinated shutdown.</summary>
    public static void Register(ActorSystem system, XcsClusterOptions options) =>
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "xcsct-drain-worker-pools", async () =>
        {
            var cluster = Cluster.Get(system);
            var log = Logging.GetLogger(system, typeof(GracefulHandOff));
            if (cluster.IsTerminated || cluster.SelfMember.Status is not (MemberStatus.Up or MemberStatus.Leaving or MemberStatus.WeaklyUp))
                return Done.Instance;
            var state = cluster.State;
            var pools = state.Members
                .Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.WeaklyUp && !state.Unreachable.Contains(m))
                .Select(m => m.Address.ToString())
                .ToHashSet(StringComparer.Ordinal);
            var done = new TaskCompletionSource<IReadOnlySet<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
            system.ActorOf(Props.Create(() => new Drain(cluster.SelfAddress.ToString(), pools, options.HandOffDrainTimeout, done)));
            var idle = await done.Task.ConfigureAwait(false);
            if (idle.Count < pools.Count)
                log.Warning("graceful leave: {0} of {1} worker pools idle after {2}; handing off anyway (batches still on their way may be computed again)",
                    idle.Count, pools.Count, options.HandOffDrainTimeout);
            return Done.Instance;
        });

    /// <summary>Publishes the pause (again every second: pub-sub reaches a pool once it has the subscription) and collects the pools' answers.</summary>
    private sealed class Drain : ReceiveActor, IWithTimers
    {
        /// <summary>Messages a pool sent before it answered may still be on the wire: a short grace before the hand-off.</summary>
        private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

        private readonly HashSet<string> _idle = new(StringComparer.Ordinal);
        private readonly TimeSpan _timeout;
        private readonly object _publish;
        private readonly IActorRef _mediator;

        public Drain(string self, IReadOnlySet<string> pools, TimeSpan timeout, TaskCompletionSource<IReadOnlySet<string>> done)
        {
            _timeout = timeout;
            _mediator = DistributedPubSub.Get(Context.System).Mediator;
            _publish = new Publish(WorkerMessages.Topic, new WorkerMessages.HandOffStarting(self, PoolPause.TotalSeconds));
            Receive<Republish>(_ => _mediator.Tell(_publish));
            Receive<WorkerMessages.PoolIdle>(p =>
            {
                _idle.Add(p.Address);
                if (pools.IsSubsetOf(_idle)) Timers.StartSingleTimer(Finish.Instance, Finish.Instance, Settle);
            });
            Receive<Finish>(_ =>
            {
                done.TrySetResult(_idle.ToHashSet(StringComparer.Ordinal));
                Context.Stop(Self);
            });
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart()
        {
            _mediator.Tell(_publish);
            Timers.StartPeriodicTimer(Republish.Instance, Republish.Instance, TimeSpan.FromSeconds(1));
            Timers.StartSingleTimer("timeout", Finish.Instance, _timeout);
        }

        private sealed class Republish
        {
            public static readonly Republish Instance = new();
        }

        private sealed class Finish
        {
            public static readonly Finish Instance = new();
        }
    }
}
