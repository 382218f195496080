using System.Numerics;
using System.Runtime.CompilerServices;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Detector;

/// <summary>
/// One thread's share of a run (ARCHITECTURE "Histograms per thread"): per-pixel spectra as
/// <c>uint</c> counts, the event bookkeeping, the frame count, the memory of the last frame for
/// next-frame correction, and the scratch the kernel needs, so the frame loop allocates nothing.
/// Not thread-safe: one per thread, reused across batches.
/// <para>
/// Two memory habits keep the histogram off the critical path: increments are queued during a
/// kernel call and applied in address order (a counting sort by 4 kB page) when the queue fills
/// and when the call returns, so a pixels x bins array far larger than the caches is walked
/// forwards instead of hit at random; and counts are tracked per block of 16 bins, so
/// <see cref="MoveTo"/> and <see cref="Reset"/> cost what was touched, not the whole array.
/// </para>
/// </summary>
public sealed class FrameAccumulator
{
    private const int BlockShift = 4; // 16 counts (64 bytes) per dirty bit
    private const int PageShift = 10; // 1024 counts (4 kB) per sort bucket
    private const int QueueLength = 1 << 14;

    private readonly ulong[] _dirty;
    private readonly int[] _queue = new int[QueueLength], _sorted = new int[QueueLength], _bucket;
    private int _queued;
    private long _in, _kept, _merged, _discarded, _below, _underflow, _overflow;

    /// <summary>An empty accumulator for <paramref name="kernel"/>'s shape and axis.</summary>
    public FrameAccumulator(FrameKernel kernel) : this(kernel.Corrections) { }

    /// <summary>An empty accumulator for <paramref name="reference"/>'s shape and axis.</summary>
    public FrameAccumulator(FrameKernelReference reference) : this(reference.Corrections) { }

    private FrameAccumulator(FrameCorrections corrections)
    {
        Shape = corrections.Shape;
        Axis = corrections.Axis;
        int pixels = Shape.Pixels;
        long n = (long)pixels * Axis.Bins;
        if (n > Array.MaxLength)
            throw new InputException($"pixel spectra of {Shape} pixels x {Axis.Bins} bins do not fit in memory");
        Counts = new uint[n];
        long blocks = (n + (1 << BlockShift) - 1) >> BlockShift;
        _dirty = new ulong[(blocks + 63) >> 6];
        _bucket = new int[(int)(n >> PageShift) + 2];
        int words = (pixels + 63) >> 6;
        Hits = new ulong[words];
        RawHits = new ulong[words];
        Previous = new ulong[words];
        Energy = new float[pixels];
        Stack = new int[pixels];
    }

    public DetectorShape Shape { get; }
    public HistogramAxis Axis { get; }

    /// <summary>
    /// Counts per pixel and bin, <c>[(row * cols + col) * bins + bin]</c> like
    /// <see cref="PixelSpectra.Counts"/>. Read it; change it only through this class.
    /// </summary>
    public uint[] Counts { get; }

    /// <summary>Bookkeeping of the frames processed since the last <see cref="MoveTo"/> or <see cref="Reset"/>.</summary>
    public EventCounts Events => new(_in, _kept, _merged, _discarded, _below, _underflow, _overflow);

    /// <summary>Frames processed since the last <see cref="MoveTo"/> or <see cref="Reset"/>.</summary>
    public long Frames { get; private set; }

    // Kernel state and scratch (sized for Shape; contents meaningful only inside a kernel call).
    internal ulong[] Hits { get; }
    internal ulong[] RawHits { get; }
    internal float[] Energy { get; }
    internal int[] Stack { get; }

    /// <summary>Raw-order bits of the last frame after steps 1-3 (next-frame correction).</summary>
    internal ulong[] Previous { get; }
    internal long PreviousFrameNumber { get; set; }
    internal bool HasPrevious { get; set; }

    /// <summary>Queues one count at <c>Counts[index]</c>; applied by <see cref="ApplyQueued"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Increment(int index)
    {
        _queue[_queued] = index;
        if (++_queued == QueueLength) ApplyQueued();
    }

    /// <summary>Applies the queued counts in address order (counting sort by 4 kB page).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void ApplyQueued()
    {
        int n = _queued;
        if (n == 0) return;
        _queued = 0;
        int[] queue = _queue, sorted = _sorted, bucket = _bucket;
        Array.Clear(bucket);
        for (int i = 0; i < n; i++) bucket[(queue[i] >> PageShift) + 1]++;
        for (int b = 1; b < bucket.Length; b++) bucket[b] += bucket[b - 1];
        for (int i = 0; i < n; i++)
        {
            int index = queue[i];
            sorted[bucket[index >> PageShift]++] = index;
        }
        uint[] counts = Counts;
        ulong[] dirty = _dirty;
        for (int i = 0; i < n; i++)
        {
            int index = sorted[i];
            counts[index]++;
            int block = index >> BlockShift;
            dirty[block >> 6] |= 1UL << block;
        }
    }

    internal void Add(in FrameTally t)
    {
        _in += t.In;
        _kept += t.Kept;
        _merged += t.Merged;
        _discarded += t.Discarded;
        _below += t.BelowThreshold;
        _underflow += t.Underflow;
        _overflow += t.Overflow;
    }

    /// <summary>End of a kernel call: applies queued counts and adds the frames.</summary>
    internal void AddFrames(int frames)
    {
        ApplyQueued();
        Frames += frames;
    }

    /// <summary>
    /// Adds counts, events and frames into <paramref name="target"/> (same shape and axis) and clears
    /// them here. The next-frame memory is kept, so a stream can go on after a move.
    /// </summary>
    public void MoveTo(PixelSpectra target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Shape != Shape || target.Axis != Axis)
            throw new ArgumentException($"cannot move spectra of {Shape} x {Axis.Bins} bins into {target.Shape} x {target.Axis.Bins} bins", nameof(target));
        ApplyQueued();
        uint[] dst = target.Counts;
        ForEachDirtyBlock((start, length) =>
        {
            var from = Counts.AsSpan(start, length);
            var into = dst.AsSpan(start, length);
            System.Numerics.Tensors.TensorPrimitives.Add(from, into, into);
            from.Clear();
        });
        target.Frames += Frames;
        target.Events += Events;
        ClearTotals();
    }

    /// <summary>Clears counts, events and frames, and forgets the last frame (next-frame correction).</summary>
    public void Reset()
    {
        _queued = 0;
        ForEachDirtyBlock((start, length) => Counts.AsSpan(start, length).Clear());
        ClearTotals();
        HasPrevious = false;
        PreviousFrameNumber = 0;
        Array.Clear(Previous);
    }

    private void ClearTotals()
    {
        _in = _kept = _merged = _discarded = _below = _underflow = _overflow = 0;
        Frames = 0;
    }

    private void ForEachDirtyBlock(Action<int, int> block)
    {
        for (int w = 0; w < _dirty.Length; w++)
        {
            for (ulong bits = _dirty[w]; bits != 0; bits &= bits - 1)
            {
                long start = ((long)(w << 6) + BitOperations.TrailingZeroCount(bits)) << BlockShift;
                block((int)start, (int)Math.Min(1 << BlockShift, Counts.Length - start));
            }
            _dirty[w] = 0;
        }
    }
}
