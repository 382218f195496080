namespace XcsCt.Domain.Pipeline;

/// <summary>Progress of one scan's frame processing, for progress bars and status.</summary>
/// <param name="BatchesDone">Batches durably counted.</param>
/// <param name="BatchesTotal">Batches in the plan.</param>
/// <param name="FramesDone">Frames in the batches done.</param>
/// <param name="FramesTotal">Frames in the plan.</param>
public readonly record struct ScanProgress(int BatchesDone, int BatchesTotal, long FramesDone, long FramesTotal)
{
    public double Fraction => FramesTotal == 0 ? 1.0 : (double)FramesDone / FramesTotal;
}
