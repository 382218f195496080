using MessagePack;

namespace XcsCt.Messages.Workers;

/// <summary>Messages between scans and the per-node worker pools.</summary>
public static class WorkerMessages
{
    /// <summary>Distributed pub-sub topic on which scans announce pending work.</summary>
    public const string Topic = "xcsct-work";

    /// <summary>Published by a scan that has batches waiting: pools with free capacity ask it for work.</summary>
    [MessagePackObject]
    public sealed record WorkAvailable([property: Key(0)] string ExperimentId, [property: Key(1)] string ScanId) : IXcsProtocol;

    /// <summary>
    /// Published by a node about to hand off its shards (it leaves the cluster gracefully): every
    /// pool stops asking for work until that node is removed from the cluster (at most
    /// <paramref name="PauseSeconds"/>), finishes the batches it holds, then answers the sender
    /// <see cref="PoolIdle"/>. No partial is then on its way to a tile while the tiles move (a
    /// region drops what it buffered for a shard being handed off).
    /// </summary>
    /// <param name="Address">The leaving node (<c>akka.tcp://xcsct@host:port</c>).</param>
    /// <param name="PauseSeconds">Longest pause, seconds, should the node never be removed.</param>
    [MessagePackObject]
    public sealed record HandOffStarting([property: Key(0)] string Address, [property: Key(1)] double PauseSeconds) : IXcsProtocol;

    /// <summary>A pool's answer to <see cref="HandOffStarting"/>: it asks for no work and holds no batch.</summary>
    /// <param name="Address">The node of the pool.</param>
    [MessagePackObject]
    public sealed record PoolIdle([property: Key(0)] string Address) : IXcsProtocol;
}
