using XcsCt.Actors.Workers;
using XcsCt.Domain.Pipeline;

namespace XcsCt.Host.Serve;

/// <summary>The node's batch computation, counted in <see cref="ServeMetrics"/> (work this node's workers did).</summary>
public sealed class CountingBatchComputer(IBatchComputer inner, ServeMetrics metrics) : IBatchComputer
{
    public ComputedBatch Compute(ScanJob job, string jobHash, FrameBatch batch)
    {
        var computed = inner.Compute(job, jobHash, batch);
        metrics.WorkerBatch(computed.Frames);
        return computed;
    }
}
