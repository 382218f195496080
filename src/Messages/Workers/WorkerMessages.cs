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
}
