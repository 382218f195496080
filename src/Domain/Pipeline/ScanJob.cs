using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Pipeline;

/// <summary>One planned unit of work: a contiguous range of frames of one input file.</summary>
/// <param name="Index">Position in the scan's plan (0-based); stable for the life of the scan.</param>
/// <param name="FileIndex">Index into <see cref="ScanJob.FrameFiles"/>.</param>
/// <param name="FirstFrame">First frame within that file (0-based).</param>
/// <param name="FrameCount">Number of frames.</param>
public readonly record struct FrameBatch(int Index, int FileIndex, long FirstFrame, int FrameCount);

/// <summary>
/// What to compute for one scan's frames: the input files (in order; frame numbers run on across
/// files), the frame corrections, and the batch size used to cut the work into
/// <see cref="FrameBatch"/>es. The same job gives bit-identical spectra whether run directly or
/// through the cluster.
/// </summary>
public sealed record ScanJob(
    string Experiment,
    string Scan,
    IReadOnlyList<string> FrameFiles,
    FrameCorrections Corrections,
    int BatchFrames = ScanJob.DefaultBatchFrames)
{
    /// <summary>
    /// Frames per batch unless told otherwise: 8192 (105 MB of 80 x 80 frames, read a chunk at a
    /// time). Large enough that a batch's fixed costs in the cluster (its sparse partials, tile
    /// updates and journal events) stay small next to its frames; small enough that a lost node
    /// recomputes seconds of work.
    /// </summary>
    public const int DefaultBatchFrames = 8192;

    /// <summary>Cuts every file into batches of at most <see cref="BatchFrames"/> frames, in file order.</summary>
    /// <param name="frameCounts">Frames in each file of <see cref="FrameFiles"/>.</param>
    public IReadOnlyList<FrameBatch> Plan(IReadOnlyList<long> frameCounts)
    {
        if (frameCounts.Count != FrameFiles.Count)
            throw new ArgumentException($"expected {FrameFiles.Count} frame counts, got {frameCounts.Count}");
        if (BatchFrames <= 0)
            throw new InputException($"batch size {BatchFrames} frames is not valid: it must be positive");
        var plan = new List<FrameBatch>();
        for (int f = 0; f < frameCounts.Count; f++)
            for (long first = 0; first < frameCounts[f]; first += BatchFrames)
                plan.Add(new FrameBatch(plan.Count, f, first, (int)Math.Min(BatchFrames, frameCounts[f] - first)));
        return plan;
    }
}
