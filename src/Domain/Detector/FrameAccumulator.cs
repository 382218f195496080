using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Detector;

/// <summary>
/// One thread's share of a run (ARCHITECTURE "Histograms per thread"): per-pixel spectra as
/// <c>uint</c> counts, the event bookkeeping, the frame count, the memory of the last frame for
/// next-frame correction, and the scratch the kernel needs, so the frame loop allocates nothing.
/// Not thread-safe: one per thread, reused across batches.
/// <para>
/// Two memory habits keep the histogram off the critical path. The fast kernel queues a frame's
/// increments, asks the memory system for their cache lines (software prefetch) and applies them
/// one frame later, when they have arrived: a pixels x bins array far larger than the caches then
/// costs no stall per event. And counts are tracked per block of 16 bins, so <see cref="MoveTo"/>
/// and <see cref="Reset"/> cost what was touched, not the whole array.
/// </para>
/// </summary>
public sealed class FrameAccumulator
{
    private const int BlockShift = 4; // 16 counts (64 bytes) per dirty bit

    private readonly ulong[] _dirty;
    private readonly int[] _queue;
    private int _queued, _pending;
    private readonly unsafe uint* _countsAddress; // Counts is pinned (pinned object heap)
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
        Counts = GC.AllocateUninitializedArray<uint>((int)n, pinned: true);
        MemoryAdvice.HugePages(Counts);
        Counts.AsSpan().Clear(); // first touch, after the advice
        unsafe { _countsAddress = (uint*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Counts)); }
        long blocks = (n + (1 << BlockShift) - 1) >> BlockShift;
        _dirty = new ulong[(blocks + 63) >> 6];
        int words = (pixels + 63) >> 6;
        _queue = new int[Math.Max(1 << 14, 2 * pixels + 64)];
        PlanePad = FrameKernel.PlanePad(Shape);
        PlaneWords = FrameKernel.PlaneWords(Shape);
        int padded = PlanePad + PlaneWords + PlanePad;
        Hits = new ulong[padded];
        Linked = new ulong[padded];
        Pairs = new ulong[padded];
        Singles = new ulong[PlaneWords];
        Heads = new ulong[PlaneWords];
        HeadList = new int[pixels + 8];
        SinglesWords = new ulong[(PlaneWords + 63) >> 6];
        HeadsWords = new ulong[(PlaneWords + 63) >> 6];
        RawHits = new ulong[words];
        EventList = new int[pixels + 8];
        OutEnergy = new float[pixels + 16];
        OutBase = new int[pixels + 16];
        Previous = new ulong[words];
        Energy = new float[pixels];
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

    /// <summary>
    /// Event bit plane of the frame, spatial order (bit p of word p / 64 is pixel p), stored from word
    /// <see cref="PlanePad"/> on, between zero padding (see <see cref="HitsAt0"/>, <see cref="HitsSpan"/>).
    /// </summary>
    internal ulong[] Hits { get; }

    /// <summary>Zero words before and after each padded plane.</summary>
    internal int PlanePad { get; }

    /// <summary>Words of a plane (the frame's pixels rounded up to 512 bits); words past the pixels stay zero.</summary>
    internal int PlaneWords { get; }

    /// <summary>Word 0 of <see cref="Hits"/>.</summary>
    internal ref ulong HitsAt0 => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(Hits), PlanePad);

    /// <summary>The words of <see cref="Hits"/> that hold pixels.</summary>
    internal Span<ulong> HitsSpan => Hits.AsSpan(PlanePad, (Shape.Pixels + 63) >> 6);

    /// <summary>Cluster rule planes (padded like <see cref="Hits"/>): events with exactly one neighbour, and such events whose neighbour has exactly one too.</summary>
    internal ulong[] Linked { get; }
    internal ulong[] Pairs { get; }

    /// <summary>Cluster rule planes (<see cref="PlaneWords"/>, no padding): events without neighbour, and the first pixel (raster order) of each pair.</summary>
    internal ulong[] Singles { get; }
    internal ulong[] Heads { get; }

    /// <summary>Bit w set when word w of <see cref="Singles"/> / <see cref="Heads"/> is not zero.</summary>
    internal ulong[] SinglesWords { get; }
    internal ulong[] HeadsWords { get; }

    /// <summary>Pixels of <see cref="Heads"/> in raster order (room for 8 more).</summary>
    internal int[] HeadList { get; }

    /// <summary>
    /// Event pixels of the frame in raster order (room for 8 more): all <see cref="EventCount"/> events
    /// after the mask pass, except in cluster mode, which lists its single events here instead.
    /// </summary>
    internal int[] EventList { get; }

    /// <summary>Events of the frame (steps 1-5).</summary>
    internal int EventCount { get; set; }

    /// <summary>Kept events of the frame waiting for their bin: energy (keV) and pixel * bins (room for 16 more).</summary>
    internal float[] OutEnergy { get; }
    internal int[] OutBase { get; }

    internal ulong[] RawHits { get; }

    internal float[] Energy { get; }

    /// <summary>Raw-order bits of the last frame after steps 1-3 (next-frame correction).</summary>
    internal ulong[] Previous { get; }
    internal long PreviousFrameNumber { get; set; }
    internal bool HasPrevious { get; set; }

    /// <summary>Queues one count at <c>Counts[index]</c>; applied by <see cref="ApplyQueued"/> at the latest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Increment(int index)
    {
        _queue[_queued] = index;
        if (++_queued == _queue.Length) ApplyQueued();
    }

    /// <summary>
    /// The queue for kernels that write it directly: they make room for at most
    /// <paramref name="room"/> entries, write <c>queue[queued..]</c>, then call <see cref="Queued"/>.
    /// </summary>
    internal int[] QueueWithRoom(int room, out int queued)
    {
        if (_queue.Length - _queued < room) ApplyQueued();
        queued = _queued;
        return _queue;
    }

    internal void Queued(int queued) => _queued = queued;

    /// <summary>
    /// Counts queued by the previous frame of a kernel call: <c>Queue[0 .. Pending)</c>, applied at the
    /// end of the current frame. The kernel prefetches their cache lines while it works on the
    /// current frame (spread over its mask pass, so that the misses overlap with computation), and
    /// they have arrived when applied.
    /// </summary>
    internal int Pending => _pending;

    internal int[] Queue => _queue;

    /// <summary>Address of <c>Counts[0]</c> (pinned), for prefetching.</summary>
    internal unsafe uint* CountsAddress => _countsAddress;

    /// <summary>Prefetches the lines of the pending counts (for kernels that do not spread it over a pass).</summary>
    internal unsafe void PrefetchPending()
    {
        if (!Sse.IsSupported) return;
        for (int i = 0; i < _pending; i++) Sse.Prefetch0(_countsAddress + _queue[i]); // -1 (skipped entry): a harmless prefetch
    }

    /// <summary>
    /// End of a frame in the fast kernel: applies the counts of the frame before (prefetched during
    /// this frame) and keeps this frame's as pending.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void EndFrame()
    {
        int before = _pending, end = _queued;
        Apply(0, before);
        _queue.AsSpan(before, end - before).CopyTo(_queue);
        _queued = _pending = end - before;
    }

    /// <summary>Applies every queued count.</summary>
    internal void ApplyQueued()
    {
        Apply(0, _queued);
        _queued = _pending = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Apply(int from, int to)
    {
        ref int queue = ref MemoryMarshal.GetArrayDataReference(_queue);
        ref uint counts = ref MemoryMarshal.GetArrayDataReference(Counts);
        ref ulong dirty = ref MemoryMarshal.GetArrayDataReference(_dirty);
        for (int i = from; i < to; i++)
        {
            int index = Unsafe.Add(ref queue, i);
            if (index < 0) continue; // under- or overflow, counted already
            Unsafe.Add(ref counts, index)++;
            int block = index >> BlockShift;
            Unsafe.Add(ref dirty, block >> 6) |= 1UL << block;
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
        _queued = _pending = 0;
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

    /// <summary>Calls <paramref name="block"/>(start, length) once per run of consecutive dirty blocks within a dirty word (up to 1024 counts), then clears the dirty bits.</summary>
    private void ForEachDirtyBlock(Action<int, int> block)
    {
        for (int w = 0; w < _dirty.Length; w++)
        {
            ulong bits = _dirty[w];
            while (bits != 0)
            {
                int first = BitOperations.TrailingZeroCount(bits);
                int run = BitOperations.TrailingZeroCount(~(bits >> first)); // 64 when the run reaches the word's end
                if (first + run >= 64) bits = 0;
                else bits &= ~(((1UL << run) - 1) << first);
                long start = ((long)(w << 6) + first) << BlockShift;
                block((int)start, (int)Math.Min((long)run << BlockShift, Counts.Length - start));
            }
            _dirty[w] = 0;
        }
    }
}
