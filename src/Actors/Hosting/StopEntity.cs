using Akka.Actor;
using Akka.Event;

namespace XcsCt.Actors.Hosting;

/// <summary>
/// The stop message an entity asks its shard to send when it passivates. A <see cref="PoisonPill"/>
/// would stop a persistent entity at once, even in the middle of persisting a command that arrived
/// just before the shard began buffering (its reply never sent, e.g. a <c>SubmitScan</c> asked right
/// after the previous scan completed); this ordinary command is stashed like any other while a
/// persist is pending, so the entity finishes and answers everything it accepted before it stops.
/// It is also the regions' hand-off stop message (a rebalance, a node leaving): a tile snapshots
/// what it holds before it stops.
/// </summary>
public sealed class StopEntity : INoSerializationVerificationNeeded, IDeadLetterSuppression
{
    public static readonly StopEntity Instance = new();

    private StopEntity() { }

    /// <summary>Asks the shard (the entity's parent) to passivate the entity with <see cref="StopEntity"/>.</summary>
    public static void Passivate(IUntypedActorContext context) =>
        context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(Instance));
}
