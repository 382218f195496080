using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Pipeline;

/// <summary>
/// The single-process reference path (<c>xcsct process --direct</c>): every batch of a
/// <see cref="ScanJob"/> through <see cref="BatchComputer"/> on all cores. Memory is constant in
/// the input size: each thread holds one batch buffer and one histogram, merged once at the end.
/// Counts are integer sums, so the result does not depend on the order batches ran in.
/// </summary>
public static class DirectScanRunner
{
    /// <summary>Opens every frame file of the job, checking that all exist and share one shape.</summary>
    public static IFrameSource[] OpenSources(ScanJob job)
    {
        var sources = new IFrameSource[job.FrameFiles.Count];
        try
        {
            for (int i = 0; i < sources.Length; i++)
            {
                sources[i] = FrameSources.Open(job.FrameFiles[i], job.Corrections.Shape);
                if (sources[i].Shape != job.Corrections.Shape)
                    throw new InputException($"{job.FrameFiles[i]}: frames are {sources[i].Shape} but the calibration maps are {job.Corrections.Shape}");
            }
            return sources;
        }
        catch
        {
            foreach (var s in sources) s?.Dispose();
            throw;
        }
    }

    /// <summary>Processes the whole job and returns its pixel spectra.</summary>
    /// <param name="threads">Worker threads; default all cores.</param>
    public static PixelSpectra Run(ScanJob job, IProgress<ScanProgress>? progress = null,
        CancellationToken cancellationToken = default, int? threads = null)
    {
        var kernel = FrameKernel.Create(job.Corrections);
        var sources = OpenSources(job);
        try
        {
            var counts = new long[sources.Length];
            for (int i = 0; i < sources.Length; i++) counts[i] = sources[i].FrameCount;
            var plan = job.Plan(counts);
            long framesTotal = 0;
            foreach (var c in counts) framesTotal += c;
            var result = new PixelSpectra(job.Corrections.Shape, job.Corrections.Axis);
            int done = 0, next = -1;
            long framesDone = 0;
            progress?.Report(new ScanProgress(0, plan.Count, 0, framesTotal));
            var gate = new object();
            // One computer and one accumulator per thread for the whole scan (Parallel.ForEach's
            // local state would be rebuilt whenever its worker tasks are recycled: a fresh
            // pixels x bins histogram to zero and merge each time).
            int workers = Math.Max(1, Math.Min(threads ?? Environment.ProcessorCount, plan.Count));
            Parallel.For(0, workers,
                new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken },
                _ =>
                {
                    var computer = new BatchComputer(kernel);
                    var acc = new FrameAccumulator(kernel);
                    int b;
                    while ((b = Interlocked.Increment(ref next)) < plan.Count)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var batch = plan[b];
                        computer.Compute(sources[batch.FileIndex], batch, acc);
                        int d = Interlocked.Increment(ref done);
                        long f = Interlocked.Add(ref framesDone, batch.FrameCount);
                        progress?.Report(new ScanProgress(d, plan.Count, f, framesTotal));
                    }
                    lock (gate) acc.MoveTo(result);
                });
            return result;
        }
        finally
        {
            foreach (var s in sources) s.Dispose();
        }
    }
}
