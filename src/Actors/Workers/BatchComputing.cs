using System.Collections.Concurrent;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;
using XcsCt.Domain.Pipeline;

namespace XcsCt.Actors.Workers;

/// <summary>
/// One computed batch: whole-detector counts <c>[(row * cols + col) * bins + bin]</c> with the
/// batch's frame and event bookkeeping. Dispose returns the buffer to its pool.
/// </summary>
public sealed class ComputedBatch(uint[] counts, long frames, EventCounts events, Action release) : IDisposable
{
    public uint[] Counts { get; } = counts;
    public long Frames { get; } = frames;
    public EventCounts Events { get; } = events;

    public void Dispose() => release();
}

/// <summary>Computes one frame batch of a scan (the Domain frame chain); thread-safe.</summary>
public interface IBatchComputer
{
    /// <param name="job">The scan's job.</param>
    /// <param name="jobHash">Content hash of the job (cache key for kernels and buffers).</param>
    /// <param name="batch">The frames to compute.</param>
    ComputedBatch Compute(ScanJob job, string jobHash, FrameBatch batch);
}

/// <summary>Reads the input headers of a scan: frames per file; throws <see cref="XcsCt.Domain.InputException"/> for a missing or unreadable file.</summary>
public interface IScanPlanner
{
    long[] FrameCounts(ScanJob job);
}

/// <summary>
/// The real computation: <see cref="BatchComputer"/> over <see cref="FrameSources"/>, the same
/// code <see cref="DirectScanRunner"/> runs, so cluster and direct spectra are bit-identical.
/// Kernels are built once per job; computers and accumulators are pooled per job.
/// </summary>
public sealed class DomainBatchComputer : IBatchComputer, IScanPlanner
{
    private const int MaxCachedJobs = 8;
    private readonly ConcurrentDictionary<string, JobContext> _jobs = new();

    public long[] FrameCounts(ScanJob job)
    {
        var sources = DirectScanRunner.OpenSources(job);
        try { return sources.Select(s => s.FrameCount).ToArray(); }
        finally { foreach (var s in sources) s.Dispose(); }
    }

    public ComputedBatch Compute(ScanJob job, string jobHash, FrameBatch batch)
    {
        if (_jobs.Count > MaxCachedJobs && !_jobs.ContainsKey(jobHash)) _jobs.Clear();
        var context = _jobs.GetOrAdd(jobHash, _ => new JobContext(FrameKernel.Create(job.Corrections)));
        if (!context.Idle.TryTake(out var worker))
            worker = (new BatchComputer(context.Kernel), new FrameAccumulator(context.Kernel));
        try
        {
            worker.Accumulator.Reset();
            using (var source = FrameSources.Open(job.FrameFiles[batch.FileIndex], job.Corrections.Shape))
                worker.Computer.Compute(source, batch, worker.Accumulator);
        }
        catch
        {
            context.Idle.Add(worker);
            throw;
        }
        return new ComputedBatch(worker.Accumulator.Counts, worker.Accumulator.Frames, worker.Accumulator.Events,
            () => context.Idle.Add(worker)); // cleared when next taken
    }

    private sealed class JobContext(FrameKernel kernel)
    {
        public FrameKernel Kernel { get; } = kernel;
        public ConcurrentBag<(BatchComputer Computer, FrameAccumulator Accumulator)> Idle { get; } = [];
    }
}
