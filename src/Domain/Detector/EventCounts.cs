namespace XcsCt.Domain.Detector;

/// <summary>
/// Frame-level bookkeeping (ANALYSIS section 3), always
/// <c>In == Kept + Merged + Discarded + BelowThreshold</c>:
/// <list type="bullet">
/// <item><c>In</c>: pixel readings with a positive value after offset subtraction;</item>
/// <item><c>BelowThreshold</c>: those under the threshold (global or per pixel);</item>
/// <item><c>Discarded</c>: readings removed by dead pixels (gradient 0), next-frame correction or
/// charge-sharing rejection;</item>
/// <item><c>Merged</c>: events whose energy was summed onto another pixel (gone as events, kept as energy);</item>
/// <item><c>Kept</c>: events histogrammed, including <c>Underflow</c> and <c>Overflow</c>, the kept
/// events whose energy fell below 0 or at or above the histogram's upper end.</item>
/// </list>
/// </summary>
public readonly record struct EventCounts(
    long In, long Kept, long Merged, long Discarded, long BelowThreshold, long Underflow, long Overflow)
{
    public bool IsBalanced => In == Kept + Merged + Discarded + BelowThreshold;

    public static EventCounts operator +(EventCounts a, EventCounts b) => new(
        a.In + b.In, a.Kept + b.Kept, a.Merged + b.Merged, a.Discarded + b.Discarded,
        a.BelowThreshold + b.BelowThreshold, a.Underflow + b.Underflow, a.Overflow + b.Overflow);
}
