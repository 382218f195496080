using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Detector;

/// <summary>
/// The HEXITEC frame-correction chain of ANALYSIS section 3 (reorder, offset, threshold, next-frame,
/// energy calibration, charge sharing, histogram), written to touch every pixel once, cheaply, and
/// to do real work only per event (ARCHITECTURE "The frame kernel: where the limit is").
/// <para>
/// How: steps 2-3 run in the integer domain. For integer <c>raw</c>, "<c>raw - offset &gt; 0</c>" and
/// "<c>raw - offset &gt;= threshold</c>" (evaluated in <c>float</c> exactly as
/// <see cref="FrameKernelReference"/> does) are monotone in <c>raw</c>, so each becomes
/// <c>raw &gt;= cut</c> with a per-pixel <c>ushort</c> cut found once per calibration by bisection over
/// the float rule itself: bit-identical to the float chain, not just close. One pass over the frame
/// compares 32 pixels at a time with SIMD and gives bit masks of 64 pixels (raw order); popcounts
/// give the bookkeeping; next-frame and dead pixels are bit operations on those masks; the same
/// pass prefetches the next frame. Only events are converted to energy. <c>cluster</c> classifies
/// every event of the frame at once with bit logic on shifted event planes (no per-event
/// neighbourhood walk) and lists only the kept ones; <c>none</c> lists every event; the bins of the
/// kept events are computed 16 at a time. Histograms are per-thread (<see cref="FrameAccumulator"/>),
/// without locks or atomics; their increments are prefetched and applied one frame later.
/// </para>
/// <para>
/// <c>addition</c> and <c>discrimination</c> chain from event to event in raster order (a window's
/// result changes what later windows see), so they walk the events one by one on the bit mask.
/// </para>
/// <para>
/// Definitions where the spec text leaves a choice (the reference follows the same ones):
/// <list type="bullet">
/// <item>A reading is an event candidate only when its offset-corrected value is positive; with a
/// threshold t it is kept when also <c>value &gt;= t</c>, else counted below threshold.</item>
/// <item>Next-frame (step 4): "the previous corrected frame" is the previous frame after steps 1-3
/// (reorder, offset, threshold), before its own next-frame correction; this is what odin's
/// HexitecNextFramePlugin compares with, and it makes one frame of memory enough, so
/// <see cref="Prime"/> makes a batch independent of the batches before it.</item>
/// <item>Charge sharing works on events (pixels that survived steps 3-5), whatever the sign of
/// their energy; "larger pixel" and "maximum" compare calibrated energies; ties go to the pixel
/// first in raster order. <c>addition</c> sums a window in raster order of the window.</item>
/// </list>
/// </para>
/// Immutable after <see cref="Create"/>; share one instance between threads, one
/// <see cref="FrameAccumulator"/> per thread.
/// </summary>
public sealed partial class FrameKernel
{
    /// <summary>Cut value meaning "never passes" (stored as 65535 with the pixel's possible-bit clear).</summary>
    private const int Never = 65536;

    private readonly int _pixels, _rows, _cols, _words, _bins;
    private readonly double _binWidth;
    private readonly ChargeSharingMode _mode;
    private readonly int _halfWindow;
    private readonly bool _nextFrame, _sameCuts, _allPossible;

    // Raw order (index in the frame buffer): cuts and bit masks of the integer-domain steps 2-5.
    private readonly ushort[] _inCut, _keepCut;
    private readonly ulong[] _inPossible, _keepPossible, _alive;

    // Spatial order (row * cols + col): calibration, and the reorder permutation when on.
    private readonly float[] _gain, _intercept, _offset;
    private readonly PixelCalibration[] _calibration; // the same three, one cache line fetch per event
    private readonly int[]? _spatialOfRaw, _rawOfSpatial;

    // Bit planes of the cluster rule (see FrameKernel.ChargeSharing.cs): pixels not in the first /
    // last column (raster order, PlaneWords long), and the shifts that bring each of the 8
    // neighbours of a pixel to the pixel's own bit.
    private readonly ulong[] _notFirstColumn, _notLastColumn;
    private readonly BitShift _left, _right, _up, _down, _upLeft, _upRight, _downLeft, _downRight;

    private FrameKernel(FrameCorrections corrections)
    {
        Corrections = corrections;
        var shape = corrections.Shape;
        _pixels = shape.Pixels;
        _rows = shape.Rows;
        _cols = shape.Cols;
        _words = (_pixels + 63) >> 6;
        _bins = corrections.Axis.Bins;
        _binWidth = corrections.Axis.BinWidthKeV;
        _mode = corrections.ChargeSharing;
        _halfWindow = corrections.Window / 2;
        _nextFrame = corrections.NextFrame;

        _gain = (float[])corrections.GradientsKeVPerAdu.Clone();
        _intercept = (float[])corrections.InterceptsKeV.Clone();
        _offset = corrections.OffsetsAdu is { } o ? (float[])o.Clone() : new float[_pixels];
        _calibration = new PixelCalibration[_pixels];
        for (int p = 0; p < _pixels; p++) _calibration[p] = new PixelCalibration(_offset[p], _gain[p], _intercept[p]);
        if (corrections.Reorder)
        {
            _spatialOfRaw = new int[_pixels];
            _rawOfSpatial = new int[_pixels];
            for (int raw = 0; raw < _pixels; raw++)
            {
                int spatial = SpatialIndexOfRaw(raw, _cols);
                _spatialOfRaw[raw] = spatial;
                _rawOfSpatial[spatial] = raw;
            }
        }

        _inCut = new ushort[_pixels];
        _keepCut = new ushort[_pixels];
        _inPossible = new ulong[_words];
        _keepPossible = new ulong[_words];
        _alive = new ulong[_words];
        bool same = true;
        for (int raw = 0; raw < _pixels; raw++)
        {
            int p = _spatialOfRaw?[raw] ?? raw;
            float offset = _offset[p];
            float? threshold = corrections.ThresholdMapAdu is { } map ? map[p] : corrections.ThresholdAdu;
            int inCut = FirstPassingRaw(offset, null);
            int keepCut = threshold is null ? inCut : FirstPassingRaw(offset, threshold);
            same &= inCut == keepCut;
            _inCut[raw] = (ushort)Math.Min(inCut, ushort.MaxValue);
            _keepCut[raw] = (ushort)Math.Min(keepCut, ushort.MaxValue);
            ulong bit = 1UL << raw;
            if (inCut != Never) _inPossible[raw >> 6] |= bit;
            if (keepCut != Never) _keepPossible[raw >> 6] |= bit;
            if (_gain[p] != 0f) _alive[raw >> 6] |= bit;
        }
        _sameCuts = same;
        bool all = true;
        for (int raw = 0; raw < _pixels; raw++)
        {
            ulong bit = 1UL << raw;
            all &= (_inPossible[raw >> 6] & bit) != 0 && (_keepPossible[raw >> 6] & bit) != 0;
        }
        _allPossible = all; // no pixel whose cut is "never": the possible masks need not be applied

        _notFirstColumn = new ulong[PlaneWords(shape)];
        _notLastColumn = new ulong[PlaneWords(shape)];
        for (int p = 0; p < _pixels; p++)
        {
            int col = p % _cols;
            if (col != 0) _notFirstColumn[p >> 6] |= 1UL << p;
            if (col != _cols - 1) _notLastColumn[p >> 6] |= 1UL << p;
        }
        (_left, _right, _up, _down) = (BitShift.Of(-1), BitShift.Of(1), BitShift.Of(-_cols), BitShift.Of(_cols));
        (_upLeft, _upRight, _downLeft, _downRight) = (BitShift.Of(-_cols - 1), BitShift.Of(-_cols + 1), BitShift.Of(_cols - 1), BitShift.Of(_cols + 1));
    }

    /// <summary>
    /// Frames passed to one call in at most this many bytes are taken to be in cache already (just
    /// read into a small buffer, as <c>BatchComputer</c> does), so the mask pass does not prefetch
    /// the next frame: prefetches of cached lines cost issue slots and push the cut maps out of L1.
    /// </summary>
    internal const int CacheResidentBytes = 512 * 1024;

    /// <summary>Words of a frame's bit planes: one bit per pixel, rounded up to a whole AVX-512 register (8 words).</summary>
    internal static int PlaneWords(DetectorShape shape) => ((shape.Pixels + 511) >> 9) << 3;

    /// <summary>
    /// Zero words kept before and after a plane that is read shifted by up to one row and one
    /// column (<see cref="IBitLanes{TSelf}.Shifted"/>).
    /// </summary>
    internal static int PlanePad(DetectorShape shape) => (shape.Cols + 1 + 63) / 64 + 1;

    /// <summary>Validates <paramref name="corrections"/> and builds the per-pixel cut maps and masks once.</summary>
    /// <exception cref="InputException">A map of the wrong shape, a non-finite value, a bad window or mode.</exception>
    public static FrameKernel Create(FrameCorrections corrections) => new(corrections.Validated());

    /// <summary>The settings the tables were built from.</summary>
    public FrameCorrections Corrections { get; }

    /// <summary>Widest SIMD path this machine accelerates; what the public methods use.</summary>
    internal static VectorWidth BestWidth { get; } =
        Vector512.IsHardwareAccelerated ? VectorWidth.V512
        : Vector256.IsHardwareAccelerated ? VectorWidth.V256
        : Vector128.IsHardwareAccelerated ? VectorWidth.V128
        : VectorWidth.Scalar;

    /// <summary>Bits per SIMD compare of the mask pass on this machine (512, 256, 128, or 0 for scalar code).</summary>
    public static int VectorBits => BestWidth switch
    {
        VectorWidth.V512 => 512,
        VectorWidth.V256 => 256,
        VectorWidth.V128 => 128,
        _ => 0,
    };

    /// <summary>
    /// Spatial index of raw index <paramref name="raw"/> under step 1: within each row of each 80-column
    /// module, raw column <c>c*4 + b</c> (c = 0..19, b = 0..3) is spatial column <c>b*20 + c</c>.
    /// </summary>
    internal static int SpatialIndexOfRaw(int raw, int cols)
    {
        int row = raw / cols, x = raw - row * cols;
        int module = x / 80, within = x - module * 80;
        return row * cols + module * 80 + (within & 3) * 20 + (within >> 2);
    }

    /// <summary>
    /// Smallest integer ADU reading (0..65535) for which the float rule of steps 2-3 holds, or
    /// 65536 if none does. The rule is monotone in the reading (float subtraction rounds
    /// monotonically), so bisection finds the exact cut.
    /// </summary>
    private static int FirstPassingRaw(float offsetAdu, float? thresholdAdu)
    {
        int lo = 0, hi = Never;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (PassesFloatRule((ushort)mid, offsetAdu, thresholdAdu)) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>Steps 2-3 as written: value = raw - offset (float); positive, and at least the threshold if any.</summary>
    private static bool PassesFloatRule(ushort raw, float offsetAdu, float? thresholdAdu)
    {
        float value = raw - offsetAdu;
        return value > 0f && (thresholdAdu is not { } t || value >= t);
    }

    /// <summary>Whether reading <paramref name="raw"/> at raw index <paramref name="rawIndex"/> is kept by the cut map (tests).</summary>
    internal bool KeepsReading(int rawIndex, ushort raw) =>
        (_keepPossible[rawIndex >> 6] >> rawIndex & 1) != 0 && raw >= _keepCut[rawIndex];

    /// <summary>Whether reading <paramref name="raw"/> at raw index <paramref name="rawIndex"/> counts as a reading (tests).</summary>
    internal bool CountsReading(int rawIndex, ushort raw) =>
        (_inPossible[rawIndex >> 6] >> rawIndex & 1) != 0 && raw >= _inCut[rawIndex];

    /// <summary>
    /// Runs steps 1-7 over consecutive raw frames and adds the result to <paramref name="acc"/>.
    /// </summary>
    /// <param name="frames">frameCount * pixels raw ADU values, row-major per frame (raw ASIC order when
    /// <see cref="FrameCorrections.Reorder"/> is on).</param>
    /// <param name="firstFrameNumber">Run-wide number of <c>frames[0]</c>; frame f is number first + f.
    /// Next-frame correction links only consecutive numbers, including the last frame the accumulator
    /// saw (or was primed with).</param>
    /// <param name="acc">Per-thread accumulator of this kernel's shape and axis.</param>
    public void ProcessRaw(ReadOnlySpan<ushort> frames, long firstFrameNumber, FrameAccumulator acc) =>
        ProcessRaw(frames, firstFrameNumber, acc, BestWidth);

    /// <summary>
    /// Steps 6 and 7 only, for odin's <c>/processed_frames</c> (keV), which odin wrote after its own
    /// steps 1-5 (reorder, offset, threshold, next-frame, calibration): every non-zero value is an
    /// event (<c>In</c>), none is below threshold, and next-frame, dead-pixel and calibration maps are
    /// not applied again.
    /// </summary>
    /// <param name="framesKeV">frameCount * pixels energies in keV, row-major per frame (spatial order).</param>
    /// <param name="firstFrameNumber">Run-wide number of <c>framesKeV[0]</c> (used in error messages).</param>
    /// <param name="acc">Per-thread accumulator of this kernel's shape and axis.</param>
    /// <exception cref="InputException">A NaN or infinite energy; the frames before it stay added to <paramref name="acc"/>.</exception>
    public void ProcessEnergies(ReadOnlySpan<float> framesKeV, long firstFrameNumber, FrameAccumulator acc) =>
        ProcessEnergies(framesKeV, firstFrameNumber, acc, BestWidth);

    /// <summary>
    /// Remembers <paramref name="previousFrame"/> (raw, after steps 1-3) as the frame before the next
    /// batch, so that a batch starting at <paramref name="previousFrameNumber"/> + 1 gives the same
    /// next-frame correction as one pass over the whole file. Adds no counts.
    /// </summary>
    public void Prime(ReadOnlySpan<ushort> previousFrame, long previousFrameNumber, FrameAccumulator acc) =>
        Prime(previousFrame, previousFrameNumber, acc, BestWidth);

    internal void ProcessRaw(ReadOnlySpan<ushort> frames, long firstFrameNumber, FrameAccumulator acc, VectorWidth width)
    {
        int count = CheckFrames(frames.Length, acc, "raw frames");
        switch (width)
        {
            case VectorWidth.V512: ProcessRaw<Mask512>(frames, firstFrameNumber, count, acc); break;
            case VectorWidth.V256: ProcessRaw<Mask256>(frames, firstFrameNumber, count, acc); break;
            case VectorWidth.V128: ProcessRaw<Mask128>(frames, firstFrameNumber, count, acc); break;
            default: ProcessRaw<MaskScalar>(frames, firstFrameNumber, count, acc); break;
        }
    }

    internal void ProcessEnergies(ReadOnlySpan<float> framesKeV, long firstFrameNumber, FrameAccumulator acc, VectorWidth width)
    {
        int count = CheckFrames(framesKeV.Length, acc, "energy frames");
        switch (width)
        {
            case VectorWidth.V512: ProcessEnergies<Mask512>(framesKeV, firstFrameNumber, count, acc); break;
            case VectorWidth.V256: ProcessEnergies<Mask256>(framesKeV, firstFrameNumber, count, acc); break;
            case VectorWidth.V128: ProcessEnergies<Mask128>(framesKeV, firstFrameNumber, count, acc); break;
            default: ProcessEnergies<MaskScalar>(framesKeV, firstFrameNumber, count, acc); break;
        }
    }

    internal void Prime(ReadOnlySpan<ushort> previousFrame, long previousFrameNumber, FrameAccumulator acc, VectorWidth width)
    {
        CheckAccumulator(acc);
        if (previousFrame.Length != _pixels)
            throw new InputException($"previous frame: expected {Corrections.Shape} = {_pixels} values, found {previousFrame.Length}");
        switch (width)
        {
            case VectorWidth.V512: Prime<Mask512>(previousFrame, acc); break;
            case VectorWidth.V256: Prime<Mask256>(previousFrame, acc); break;
            case VectorWidth.V128: Prime<Mask128>(previousFrame, acc); break;
            default: Prime<MaskScalar>(previousFrame, acc); break;
        }
        acc.PreviousFrameNumber = previousFrameNumber;
        acc.HasPrevious = true;
    }

    private int CheckFrames(int values, FrameAccumulator acc, string what)
    {
        CheckAccumulator(acc);
        if (values % _pixels != 0)
            throw new InputException($"{what}: {values} values are not a whole number of {Corrections.Shape} frames ({_pixels} values each)");
        return values / _pixels;
    }

    private void CheckAccumulator(FrameAccumulator acc)
    {
        ArgumentNullException.ThrowIfNull(acc);
        if (acc.Shape != Corrections.Shape || acc.Axis != Corrections.Axis)
            throw new ArgumentException($"accumulator of {acc.Shape} x {acc.Axis.Bins} bins does not match kernel of {Corrections.Shape} x {Corrections.Axis.Bins} bins", nameof(acc));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ProcessRaw<TMask>(ReadOnlySpan<ushort> frames, long first, int count, FrameAccumulator acc)
        where TMask : struct, IPixelMask
    {
        for (int f = 0; f < count; f++)
        {
            var frame = frames.Slice(f * _pixels, _pixels);
            var tally = new FrameTally();
            if (_mode == ChargeSharingMode.Cluster) SelectEvents<TMask, No>(frames, f, first + f, acc, ref tally);
            else SelectEvents<TMask, Yes>(frames, f, first + f, acc, ref tally);
            ShareChargeAndHistogram(new RawEnergies(this, frame), acc, Width<TMask>(), ref tally);
            acc.EndFrame();
            acc.Add(tally);
        }
        acc.AddFrames(count);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ProcessEnergies<TMask>(ReadOnlySpan<float> frames, long first, int count, FrameAccumulator acc)
        where TMask : struct, IPixelMask
    {
        for (int f = 0; f < count; f++)
        {
            var frame = frames.Slice(f * _pixels, _pixels);
            var tally = new FrameTally();
            SelectEnergyEvents<TMask>(frame, first + f, acc, ref tally);
            ShareChargeAndHistogram(new KeVEnergies(frame), acc, Width<TMask>(), ref tally);
            acc.EndFrame();
            acc.Add(tally);
        }
        acc.AddFrames(count);
    }

    private static VectorWidth Width<TMask>() where TMask : struct, IPixelMask =>
        typeof(TMask) == typeof(Mask512) ? VectorWidth.V512
        : typeof(TMask) == typeof(Mask256) ? VectorWidth.V256
        : typeof(TMask) == typeof(Mask128) ? VectorWidth.V128
        : VectorWidth.Scalar;

    /// <summary>Steps 1-5 of one frame with the options of this kernel as compile-time switches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SelectEvents<TMask, TList>(ReadOnlySpan<ushort> frames, int frame, long number, FrameAccumulator acc, ref FrameTally tally)
        where TMask : struct, IPixelMask
        where TList : struct, IFlag
    {
        if (!_allPossible) SelectEvents<TMask, Yes, No, TList, No>(frames, frame, number, acc, ref tally);
        else switch ((_nextFrame, _sameCuts))
        {
            case (false, false): SelectEvents<TMask, No, No, TList, Yes>(frames, frame, number, acc, ref tally); break;
            case (false, true): SelectEvents<TMask, No, Yes, TList, Yes>(frames, frame, number, acc, ref tally); break;
            case (true, false): SelectEvents<TMask, Yes, No, TList, Yes>(frames, frame, number, acc, ref tally); break;
            default: SelectEvents<TMask, Yes, Yes, TList, Yes>(frames, frame, number, acc, ref tally); break;
        }
    }

    /// <summary>
    /// Steps 1-5 as bit masks: fills <c>acc.Hits</c> (spatial order) with the events of frame
    /// <paramref name="frame"/> of <paramref name="frames"/>, and <c>acc.EventList</c> when
    /// <typeparamref name="TList"/> says so. One pass over the frame, 64 pixels at a time: one load
    /// of the readings, a SIMD compare against each cut map, popcounts for the bookkeeping
    /// (readings, kept by threshold, surviving next-frame and dead pixels), and a prefetch of the
    /// same pixels of the next frame, which then arrives while this frame's events are worked on.
    /// <typeparamref name="TNextFrame"/>: apply step 4 (when off, <c>acc.Previous</c> is not kept up);
    /// <typeparamref name="TSameCuts"/>: no threshold, one compare does; <typeparamref name="TAllPossible"/>:
    /// every pixel can pass both cuts (else the "possible" masks are applied, with step 4 always kept up).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void SelectEvents<TMask, TNextFrame, TSameCuts, TList, TAllPossible>(ReadOnlySpan<ushort> frames, int frame, long number, FrameAccumulator acc, ref FrameTally tally)
        where TMask : struct, IPixelMask
        where TNextFrame : struct, IFlag
        where TSameCuts : struct, IFlag
        where TList : struct, IFlag
        where TAllPossible : struct, IFlag
    {
        bool reorder = _spatialOfRaw is not null;
        bool nextFrame = TAllPossible.Value || _nextFrame;
        ref ulong hits = ref reorder ? ref MemoryMarshal.GetArrayDataReference(acc.RawHits) : ref acc.HitsAt0;
        ref int list = ref MemoryMarshal.GetArrayDataReference(acc.EventList);
        nint listed = 0;
        ref ulong previous = ref MemoryMarshal.GetArrayDataReference(acc.Previous);
        ulong link = TNextFrame.Value && nextFrame && acc.HasPrevious && acc.PreviousFrameNumber == number - 1 ? ~0UL : 0UL;
        nint fullWords = _pixels >> 6, words = _words;
        int pixels = _pixels;
        ref ushort raw = ref Unsafe.Add(ref MemoryMarshal.GetReference(frames), (nint)frame * pixels);
        // The next frame of this call, if any (else this one again: a harmless prefetch of lines in cache),
        // prefetched only when the call's frames are too many to be still in cache from being read.
        ref ushort next = ref Unsafe.Add(ref raw, (nint)(frame + 1) * pixels < frames.Length ? pixels : 0);
        bool streaming = (long)frames.Length * sizeof(ushort) > CacheResidentBytes;
        ref ushort inCut = ref MemoryMarshal.GetArrayDataReference(_inCut);
        ref ushort keepCut = ref MemoryMarshal.GetArrayDataReference(_keepCut);
        ref ulong inPossible = ref MemoryMarshal.GetArrayDataReference(_inPossible);
        ref ulong keepPossible = ref MemoryMarshal.GetArrayDataReference(_keepPossible);
        ref ulong alive = ref MemoryMarshal.GetArrayDataReference(_alive);
        // The histogram lines of the previous frame's kept events, one per word (see FrameAccumulator.Pending).
        uint* counts = acc.CountsAddress;
        ref int pending = ref MemoryMarshal.GetArrayDataReference(acc.Queue);
        nint pendingCount = acc.Pending;
        long readings = 0, passed = 0, survivors = 0;
        for (nint w = 0; w < words; w++)
        {
            nint at = w << 6;
            ulong inBits, keepBits;
            if (w < fullWords)
            {
                if (Sse.IsSupported)
                {
                    if (streaming)
                    {
                        Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref next, at)));
                        Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref next, at + 32)));
                    }
                    Sse.Prefetch0(counts + Unsafe.Add(ref pending, w < pendingCount ? w : 0));
                }
                if (TSameCuts.Value) keepBits = inBits = TMask.AtLeast(ref Unsafe.Add(ref raw, at), ref Unsafe.Add(ref inCut, at));
                else inBits = TMask.AtLeast(ref Unsafe.Add(ref raw, at), ref Unsafe.Add(ref inCut, at), ref Unsafe.Add(ref keepCut, at), out keepBits);
            }
            else
            {
                int n = pixels - (int)at;
                inBits = MaskScalar.AtLeast(ref Unsafe.Add(ref raw, at), ref Unsafe.Add(ref inCut, at), n);
                keepBits = MaskScalar.AtLeast(ref Unsafe.Add(ref raw, at), ref Unsafe.Add(ref keepCut, at), n);
            }
            if (!TAllPossible.Value)
            {
                inBits &= Unsafe.Add(ref inPossible, w);
                keepBits &= Unsafe.Add(ref keepPossible, w);
            }
            ulong events = keepBits & Unsafe.Add(ref alive, w);
            if (TNextFrame.Value && nextFrame)
            {
                ref ulong before = ref Unsafe.Add(ref previous, w);
                events &= ~(before & link);
                before = keepBits;
            }
            int found = BitOperations.PopCount(events);
            readings += BitOperations.PopCount(inBits);
            passed += BitOperations.PopCount(keepBits);
            survivors += found;
            Unsafe.Add(ref hits, w) = events;
            if (TList.Value && !reorder) listed = AppendBits(ref list, listed, events, found, (int)at);
        }
        if (Sse.IsSupported)
            for (nint k = fullWords; k < pendingCount; k++) Sse.Prefetch0(counts + Unsafe.Add(ref pending, k));
        if (TNextFrame.Value && nextFrame)
        {
            acc.PreviousFrameNumber = number;
            acc.HasPrevious = true;
        }
        tally.In += readings;
        tally.BelowThreshold += readings - passed;
        tally.Discarded += passed - survivors;
        if (reorder) Reorder(acc, TList.Value);
        acc.EventCount = (int)survivors;
    }

    /// <summary>
    /// Appends the positions of the set bits of <paramref name="bits"/> (word starting at pixel
    /// <paramref name="at"/>) to the event list without a data-dependent branch for up to four bits:
    /// four positions are always written, the count advances by the number of bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint AppendBits(ref int list, nint listed, ulong bits, int count, int at)
    {
        ref int slot = ref Unsafe.Add(ref list, listed);
        slot = at + BitOperations.TrailingZeroCount(bits); bits &= bits - 1;
        Unsafe.Add(ref slot, 1) = at + BitOperations.TrailingZeroCount(bits); bits &= bits - 1;
        Unsafe.Add(ref slot, 2) = at + BitOperations.TrailingZeroCount(bits); bits &= bits - 1;
        Unsafe.Add(ref slot, 3) = at + BitOperations.TrailingZeroCount(bits); bits &= bits - 1;
        for (int k = 4; bits != 0; k++, bits &= bits - 1)
            Unsafe.Add(ref slot, k) = at + BitOperations.TrailingZeroCount(bits);
        return listed + count;
    }

    /// <summary>Steps 1-3 of one frame into <c>acc.Previous</c> (raw order), for <see cref="Prime"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Prime<TMask>(ReadOnlySpan<ushort> frame, FrameAccumulator acc)
        where TMask : struct, IPixelMask
    {
        ulong[] previous = acc.Previous;
        ref ushort raw = ref MemoryMarshal.GetReference(frame);
        ref ushort keepCut = ref MemoryMarshal.GetArrayDataReference(_keepCut);
        int fullWords = _pixels >> 6;
        for (int w = 0; w < _words; w++)
        {
            int at = w << 6;
            ulong keepBits = w < fullWords
                ? TMask.AtLeast(ref Unsafe.Add(ref raw, at), ref Unsafe.Add(ref keepCut, at))
                : MaskScalar.AtLeast(ref Unsafe.Add(ref raw, at), ref Unsafe.Add(ref keepCut, at), _pixels - at);
            previous[w] = keepBits & _keepPossible[w];
        }
    }

    /// <summary>Step 1 on events only: moves each raw-order bit to its spatial position, then lists the events if asked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Reorder(FrameAccumulator acc, bool list)
    {
        int[] spatialOfRaw = _spatialOfRaw!;
        ulong[] rawBits = acc.RawHits;
        var spatial = acc.HitsSpan;
        spatial.Clear();
        for (int w = 0; w < _words; w++)
            for (ulong bits = rawBits[w]; bits != 0; bits &= bits - 1)
            {
                int s = spatialOfRaw[(w << 6) + BitOperations.TrailingZeroCount(bits)];
                spatial[s >> 6] |= 1UL << s;
            }
        if (list) ListEvents(acc);
    }

    /// <summary>Fills the event list from the spatial bit mask.</summary>
    private void ListEvents(FrameAccumulator acc)
    {
        ref int list = ref MemoryMarshal.GetArrayDataReference(acc.EventList);
        var hits = acc.HitsSpan;
        nint listed = 0;
        for (int w = 0; w < _words; w++)
            listed = AppendBits(ref list, listed, hits[w], BitOperations.PopCount(hits[w]), w << 6);
    }

    /// <summary>Non-zero energies of a processed frame as events (spatial order); rejects NaN and infinities.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SelectEnergyEvents<TMask>(ReadOnlySpan<float> frame, long number, FrameAccumulator acc, ref FrameTally tally)
        where TMask : struct, IPixelMask
    {
        acc.PrefetchPending();
        ref ulong hits = ref acc.HitsAt0;
        ref int list = ref MemoryMarshal.GetArrayDataReference(acc.EventList);
        nint listed = 0;
        ref float values = ref MemoryMarshal.GetReference(frame);
        int fullWords = _pixels >> 6;
        long readings = 0;
        ulong bad = 0;
        for (int w = 0; w < _words; w++)
        {
            int at = w << 6;
            ulong nonFinite;
            ulong events = w < fullWords
                ? TMask.NonZero(ref Unsafe.Add(ref values, at), out nonFinite)
                : MaskScalar.NonZero(ref Unsafe.Add(ref values, at), _pixels - at, out nonFinite);
            bad |= nonFinite;
            readings += BitOperations.PopCount(events);
            Unsafe.Add(ref hits, w) = events;
            listed = AppendBits(ref list, listed, events, BitOperations.PopCount(events), at);
        }
        acc.EventCount = (int)listed;
        if (bad != 0)
        {
            acc.ApplyQueued(); // the frames before this one stay added
            for (int p = 0; p < _pixels; p++)
                if (!float.IsFinite(frame[p]))
                    throw new InputException($"processed frame {number}: pixel (row {p / _cols}, col {p % _cols}) holds {frame[p]} keV, not a finite energy");
        }
        tally.In += readings;
    }

    /// <summary>
    /// Step 7 for one kept event: bin = floor(E / w); E &lt; 0 is underflow and E at or above the
    /// axis end is overflow (both still kept), never an index out of range.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Histogram(FrameAccumulator acc, int pixel, float energyKeV, ref FrameTally tally)
    {
        tally.Kept++;
        double bin = Math.Floor(energyKeV / _binWidth);
        if (bin < 0) tally.Underflow++;
        else if (bin >= _bins) tally.Overflow++;
        else acc.Increment(pixel * _bins + (int)bin);
    }

    /// <summary>Step 5 for one event of a raw frame: E = m * (raw - offset) + c, keV.</summary>
    private readonly ref struct RawEnergies(FrameKernel kernel, ReadOnlySpan<ushort> frame) : IEnergySource
    {
        private readonly ReadOnlySpan<ushort> _frame = frame;
        private readonly FrameKernel _kernel = kernel;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float At(int p)
        {
            int[]? rawOf = _kernel._rawOfSpatial;
            int at = rawOf is null ? p : Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(rawOf), p);
            ref PixelCalibration c = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_kernel._calibration), p);
            float value = Unsafe.Add(ref MemoryMarshal.GetReference(_frame), at) - c.OffsetAdu;
            return c.GainKeVPerAdu * value + c.InterceptKeV;
        }
    }

    /// <summary>The energy of an event of a processed frame: its value, keV.</summary>
    private readonly ref struct KeVEnergies(ReadOnlySpan<float> frame) : IEnergySource
    {
        private readonly ReadOnlySpan<float> _frame = frame;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float At(int p) => Unsafe.Add(ref MemoryMarshal.GetReference(_frame), p);
    }
}

/// <summary>Step 2 and 5 constants of one pixel, together (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal readonly record struct PixelCalibration(float OffsetAdu, float GainKeVPerAdu, float InterceptKeV);

/// <summary>Energy (keV) of the event at a spatial pixel; computed only when asked, so only for events.</summary>
internal interface IEnergySource
{
    float At(int pixel);
}

/// <summary>A compile-time switch for generic specialisation of the mask loop.</summary>
internal interface IFlag
{
    static abstract bool Value { get; }
}

internal readonly struct Yes : IFlag
{
    public static bool Value => true;
}

internal readonly struct No : IFlag
{
    public static bool Value => false;
}

/// <summary>Event bookkeeping of one frame, added to the accumulator when the frame is done.</summary>
internal struct FrameTally
{
    public long In, Kept, Merged, Discarded, BelowThreshold, Underflow, Overflow;
}

/// <summary>SIMD width of the mask pass (the public API uses <see cref="FrameKernel.BestWidth"/>; tests run all).</summary>
internal enum VectorWidth
{
    Scalar,
    V128,
    V256,
    V512,
}
