using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace XcsCt.Domain.Detector;

/// <summary>Step 6 (charge sharing) and step 7 (histogram) on the event bit masks of one frame.</summary>
public sealed partial class FrameKernel
{
    /// <summary>
    /// Runs the configured charge-sharing mode on the frame's events (<c>acc.Hits</c>,
    /// <c>acc.EventList</c>) with energies from <paramref name="energies"/>, then histograms what is
    /// kept. <c>none</c> and <c>cluster</c> decide per event without data-dependent branches;
    /// <c>addition</c> and <c>discrimination</c>, whose raster-order rules chain from event to event,
    /// work on a table of event energies (<c>acc.Energy</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ShareChargeAndHistogram<TEnergy>(TEnergy energies, FrameAccumulator acc, VectorWidth width, ref FrameTally tally)
        where TEnergy : IEnergySource, allows ref struct
    {
        switch (_mode)
        {
            case ChargeSharingMode.Cluster:
                Cluster(energies, acc, width, ref tally);
                return;
            case ChargeSharingMode.None:
                KeepAll(energies, acc, width == VectorWidth.V512, ref tally);
                return;
        }
        int count = acc.EventCount;
        int[] list = acc.EventList;
        float[] energy = acc.Energy;
        for (int i = 0; i < count; i++) energy[list[i]] = energies.At(list[i]);
        var hits = acc.HitsSpan;
        if (_mode == ChargeSharingMode.Addition) Addition(hits, energy, ref tally);
        else Discrimination(hits, ref tally);
        for (int i = 0; i < count; i++)
        {
            int p = list[i];
            if (IsSet(hits, p)) Histogram(acc, p, energy[p], ref tally);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSet(Span<ulong> bits, int p) => (bits[p >> 6] >> p & 1) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Clear(Span<ulong> bits, int p) => bits[p >> 6] &= ~(1UL << p);

    /// <summary>Bits of <paramref name="word"/> above bit <paramref name="b"/> (what is left to scan).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Above(ulong word, int b) => word & ~((2UL << b) - 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bit(bool b) => b ? 1 : 0;

    /// <summary><c>none</c>: every event is histogrammed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void KeepAll<TEnergy>(TEnergy energies, FrameAccumulator acc, bool vectorBins, ref FrameTally tally)
        where TEnergy : IEnergySource, allows ref struct
    {
        int count = acc.EventCount, bins = _bins;
        ref int list = ref MemoryMarshal.GetArrayDataReference(acc.EventList);
        ref float outEnergy = ref MemoryMarshal.GetArrayDataReference(acc.OutEnergy);
        ref int outBase = ref MemoryMarshal.GetArrayDataReference(acc.OutBase);
        for (int i = 0; i < count; i++)
        {
            int p = Unsafe.Add(ref list, i);
            Unsafe.Add(ref outEnergy, i) = energies.At(p);
            Unsafe.Add(ref outBase, i) = p * bins;
        }
        tally.Kept += count;
        QueueBins(acc, count, vectorBins, ref tally);
    }

    /// <summary>
    /// <c>cluster</c>: 8-connected clusters; size 1 kept, size 2 summed onto its larger pixel (tie:
    /// first in raster order), size 3 or more discarded. An event without neighbour is a single; an
    /// event with exactly one neighbour whose neighbour also has exactly one is half of a pair;
    /// every other event belongs to a cluster of three or more. These classes are found for the
    /// whole frame at once on bit planes (<see cref="ClusterPlanes{T}"/>), so per event only the
    /// kept ones cost anything: a single's energy, or a pair's two energies and sum at its first pixel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Cluster<TEnergy>(TEnergy energies, FrameAccumulator acc, VectorWidth width, ref FrameTally tally)
        where TEnergy : IEnergySource, allows ref struct
    {
        switch (width)
        {
            case VectorWidth.V512: ClusterPlanes<Lanes512>(acc); break;
            case VectorWidth.V256: ClusterPlanes<Lanes256>(acc); break;
            default: ClusterPlanes<Lanes64>(acc); break;
        }

        nint kept = ListBits(acc.Singles, acc.SinglesWords, acc.EventList);
        nint merged = ListBits(acc.Heads, acc.HeadsWords, acc.HeadList);
        ref int singleList = ref MemoryMarshal.GetArrayDataReference(acc.EventList);
        ref int headList = ref MemoryMarshal.GetArrayDataReference(acc.HeadList);

        ref float outEnergy = ref MemoryMarshal.GetArrayDataReference(acc.OutEnergy);
        ref int outBase = ref MemoryMarshal.GetArrayDataReference(acc.OutBase);
        int bins = _bins;
        for (nint i = 0; i < kept; i++)
        {
            int p = Unsafe.Add(ref singleList, i);
            Unsafe.Add(ref outEnergy, i) = energies.At(p);
            Unsafe.Add(ref outBase, i) = p * bins;
        }

        // A pair's first pixel p has its one neighbour q later in raster order: right, or in the
        // row below (left, under, right). Exactly one of those four bits is set in the pair plane.
        ref ulong pairs = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(acc.Pairs), acc.PlanePad);
        ref ulong notFirst = ref MemoryMarshal.GetArrayDataReference(_notFirstColumn);
        ref ulong notLast = ref MemoryMarshal.GetArrayDataReference(_notLastColumn);
        int cols = _cols;
        for (nint i = 0; i < merged; i++)
        {
            int p = Unsafe.Add(ref headList, i);
            int right = BitAt(ref pairs, p + 1) & BitAt(ref notLast, p);
            int belowLeft = BitAt(ref pairs, p + cols - 1) & BitAt(ref notFirst, p);
            int below = BitAt(ref pairs, p + cols);
            int belowRight = 1 - right - belowLeft - below;
            int q = p + right + belowLeft * (cols - 1) + below * cols + belowRight * (cols + 1);
            float ep = energies.At(p), eq = energies.At(q);
            int dest = p + ((q - p) & -Bit(eq > ep));
            Unsafe.Add(ref outEnergy, kept + i) = ep + eq;
            Unsafe.Add(ref outBase, kept + i) = dest * bins;
        }

        tally.Kept += kept + merged;
        tally.Merged += merged;
        tally.Discarded += acc.EventCount - kept - 2 * merged;
        QueueBins(acc, (int)(kept + merged), width == VectorWidth.V512, ref tally);
    }

    /// <summary>
    /// Lists the set bits of <paramref name="plane"/> in raster order into <paramref name="list"/>,
    /// visiting only the words that <paramref name="nonZero"/> marks; returns how many.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint ListBits(ulong[] plane, ulong[] nonZero, int[] list)
    {
        ref ulong bits = ref MemoryMarshal.GetArrayDataReference(plane);
        ref int into = ref MemoryMarshal.GetArrayDataReference(list);
        nint listed = 0;
        for (int k = 0; k < nonZero.Length; k++)
            for (ulong words = nonZero[k]; words != 0; words &= words - 1)
            {
                int w = (k << 6) + BitOperations.TrailingZeroCount(words);
                ulong b = Unsafe.Add(ref bits, w);
                listed = AppendBits(ref into, listed, b, BitOperations.PopCount(b), w << 6);
            }
        return listed;
    }

    /// <summary>Bit <paramref name="p"/> of a plane (0 or 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BitAt(ref ulong plane, int p) => (int)(Unsafe.Add(ref plane, p >> 6) >> p) & 1;

    /// <summary>
    /// The cluster classes of every event of the frame as bit planes, <typeparamref name="T"/>'s
    /// width of words at a time. For each pixel the 8 neighbour bits are the event plane shifted by
    /// one column and/or one row (masked where a row starts or ends); "at least one" and "at least
    /// two" neighbours are counted with bit logic, a column group of three at a time:
    /// <list type="number">
    /// <item>singles = events with no neighbour; linked = events with exactly one;</item>
    /// <item>pairs = linked events with a linked neighbour (their only neighbour, so a cluster of two);</item>
    /// <item>heads = pair pixels whose partner comes later in raster order.</item>
    /// </list>
    /// Writes <c>acc.Singles</c>, <c>acc.Linked</c>, <c>acc.Pairs</c>, <c>acc.Heads</c>, and which
    /// words of the singles and heads are not zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ClusterPlanes<T>(FrameAccumulator acc) where T : struct, IBitLanes<T>
    {
        int pad = acc.PlanePad;
        nint length = acc.PlaneWords;
        ref ulong events = ref acc.HitsAt0;
        ref ulong linked = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(acc.Linked), pad);
        ref ulong pairs = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(acc.Pairs), pad);
        ref ulong singles = ref MemoryMarshal.GetArrayDataReference(acc.Singles);
        ref ulong heads = ref MemoryMarshal.GetArrayDataReference(acc.Heads);
        ref ulong singlesWords = ref MemoryMarshal.GetArrayDataReference(acc.SinglesWords);
        ref ulong headsWords = ref MemoryMarshal.GetArrayDataReference(acc.HeadsWords);
        ref ulong notFirst = ref MemoryMarshal.GetArrayDataReference(_notFirstColumn);
        ref ulong notLast = ref MemoryMarshal.GetArrayDataReference(_notLastColumn);
        BitShift left = _left, right = _right, up = _up, down = _down;
        BitShift upLeft = _upLeft, upRight = _upRight, downLeft = _downLeft, downRight = _downRight;

        for (nint w = 0; w < length; w += T.Words)
        {
            T l1 = T.Shifted(ref events, w, left), l2 = T.Shifted(ref events, w, upLeft), l3 = T.Shifted(ref events, w, downLeft);
            T r1 = T.Shifted(ref events, w, right), r2 = T.Shifted(ref events, w, upRight), r3 = T.Shifted(ref events, w, downRight);
            T u = T.Shifted(ref events, w, up), d = T.Shifted(ref events, w, down);
            T nf = T.Load(ref notFirst, w), nl = T.Load(ref notLast, w);
            T anyLeft = (l1 | l2 | l3) & nf, twoLeft = (l1 & l2 | l3 & (l1 | l2)) & nf;
            T anyRight = (r1 | r2 | r3) & nl, twoRight = (r1 & r2 | r3 & (r1 | r2)) & nl;
            T anyColumn = u | d, anySide = anyLeft | anyRight;
            T any = anySide | anyColumn;
            T two = twoLeft | twoRight | anyLeft & anyRight | u & d | anyColumn & anySide;
            T e = T.Load(ref events, w), single = T.AndNot(e, any);
            T.Store(ref singles, w, single);
            if (w % 64 == 0) Unsafe.Add(ref singlesWords, w >> 6) = 0;
            Unsafe.Add(ref singlesWords, w >> 6) |= T.NonZeroWords(single) << (int)(w & 63);
            T.Store(ref linked, w, T.AndNot(e & any, two));
        }
        for (nint w = 0; w < length; w += T.Words)
        {
            T nf = T.Load(ref notFirst, w), nl = T.Load(ref notLast, w);
            T side = (T.Shifted(ref linked, w, left) | T.Shifted(ref linked, w, upLeft) | T.Shifted(ref linked, w, downLeft)) & nf
                | (T.Shifted(ref linked, w, right) | T.Shifted(ref linked, w, upRight) | T.Shifted(ref linked, w, downRight)) & nl;
            T.Store(ref pairs, w, T.Load(ref linked, w) & (side | T.Shifted(ref linked, w, up) | T.Shifted(ref linked, w, down)));
        }
        for (nint w = 0; w < length; w += T.Words)
        {
            T nf = T.Load(ref notFirst, w), nl = T.Load(ref notLast, w);
            T later = (T.Shifted(ref pairs, w, right) | T.Shifted(ref pairs, w, downRight)) & nl
                | T.Shifted(ref pairs, w, downLeft) & nf | T.Shifted(ref pairs, w, down);
            T head = T.Load(ref pairs, w) & later;
            T.Store(ref heads, w, head);
            if (w % 64 == 0) Unsafe.Add(ref headsWords, w >> 6) = 0;
            Unsafe.Add(ref headsWords, w >> 6) |= T.NonZeroWords(head) << (int)(w & 63);
        }
    }

    /// <summary>
    /// Step 7 for the kept events in <c>acc.OutEnergy</c> (keV) / <c>acc.OutBase</c> (pixel * bins):
    /// bin = floor(E / w) in double precision, exactly as <see cref="Histogram"/>; out-of-range
    /// events are counted as under/overflow and queued as -1 (skipped when applied).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void QueueBins(FrameAccumulator acc, int count, bool vector, ref FrameTally tally)
    {
        ref int queue = ref MemoryMarshal.GetArrayDataReference(acc.QueueWithRoom(count + 16, out int queued));
        ref float outEnergy = ref MemoryMarshal.GetArrayDataReference(acc.OutEnergy);
        ref int outBase = ref MemoryMarshal.GetArrayDataReference(acc.OutBase);
        double width = _binWidth;
        int bins = _bins;
        long under = 0, over = 0;
        int i = 0;
        if (vector)
        {
            var w = Vector512.Create(width);
            var top = Vector512.Create((double)bins);
            for (; i < count; i += 16)
            {
                var (lower, upper) = Vector512.Widen(Vector512.LoadUnsafe(ref outEnergy, (nuint)i));
                var binLower = Vector512.Floor(lower / w);
                var binUpper = Vector512.Floor(upper / w);
                var lowLower = Vector512.LessThan(binLower, Vector512<double>.Zero);
                var lowUpper = Vector512.LessThan(binUpper, Vector512<double>.Zero);
                var highLower = Vector512.GreaterThanOrEqual(binLower, top);
                var highUpper = Vector512.GreaterThanOrEqual(binUpper, top);
                var valid = Vector512.Narrow(~(lowLower | highLower).AsInt64(), ~(lowUpper | highUpper).AsInt64());
                var bin = Vector512.Narrow(Vector512.ConvertToInt64(binLower), Vector512.ConvertToInt64(binUpper));
                var index = Vector512.ConditionalSelect(valid, Vector512.LoadUnsafe(ref outBase, (nuint)i) + bin, Vector512<int>.AllBitsSet);
                index.StoreUnsafe(ref queue, (nuint)(queued + i));
                ulong lanes = count - i >= 16 ? 0xFFFFUL : (1UL << (count - i)) - 1;
                under += BitOperations.PopCount((lowLower.ExtractMostSignificantBits() | lowUpper.ExtractMostSignificantBits() << 8) & lanes);
                over += BitOperations.PopCount((highLower.ExtractMostSignificantBits() | highUpper.ExtractMostSignificantBits() << 8) & lanes);
            }
        }
        else
        {
            for (; i < count; i++)
            {
                double bin = Math.Floor(Unsafe.Add(ref outEnergy, i) / width);
                int low = Bit(bin < 0), high = Bit(bin >= bins);
                under += low;
                over += high;
                Unsafe.Add(ref queue, queued + i) = (low | high) != 0 ? -1 : Unsafe.Add(ref outBase, i) + (int)bin;
            }
        }
        acc.Queued(queued + count);
        tally.Underflow += under;
        tally.Overflow += over;
    }

    /// <summary>
    /// <c>addition</c> (odin / STFC dataset_check.py): in raster order, at each remaining event take
    /// the k x k window around it (zero-padded), put the window's sum (added in raster order of the
    /// window) on its maximum (first in raster order on ties) and zero the other events of the window.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Addition(Span<ulong> hits, float[] energy, ref FrameTally tally)
    {
        int cols = _cols, h = _halfWindow;
        int row = 0, rowStart = 0;
        for (int w = 0; w < _words; w++)
        {
            ulong bits = hits[w];
            while (bits != 0)
            {
                int b = BitOperations.TrailingZeroCount(bits);
                int p = (w << 6) + b;
                while (p >= rowStart + cols) { row++; rowStart += cols; }
                int col = p - rowStart;
                int r0 = Math.Max(row - h, 0), r1 = Math.Min(row + h, _rows - 1);
                int c0 = Math.Max(col - h, 0), c1 = Math.Min(col + h, cols - 1);
                float sum = 0f, max = 0f;
                int maxAt = -1, events = 0;
                for (int r = r0; r <= r1; r++)
                    for (int c = c0; c <= c1; c++)
                    {
                        int n = r * cols + c;
                        if (!IsSet(hits, n)) continue;
                        float e = energy[n];
                        sum += e;
                        if (events++ == 0 || e > max) { max = e; maxAt = n; }
                    }
                if (events > 1)
                {
                    for (int r = r0; r <= r1; r++)
                        for (int c = c0; c <= c1; c++)
                            Clear(hits, r * cols + c);
                    hits[maxAt >> 6] |= 1UL << maxAt;
                    energy[maxAt] = sum;
                    tally.Merged += events - 1;
                }
                bits = Above(hits[w], b);
            }
        }
    }

    /// <summary>
    /// <c>discrimination</c>: in raster order, an event with another event in its k x k window is
    /// discarded together with every event of that window.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Discrimination(Span<ulong> hits, ref FrameTally tally)
    {
        int cols = _cols, h = _halfWindow;
        int row = 0, rowStart = 0;
        for (int w = 0; w < _words; w++)
        {
            ulong bits = hits[w];
            while (bits != 0)
            {
                int b = BitOperations.TrailingZeroCount(bits);
                int p = (w << 6) + b;
                while (p >= rowStart + cols) { row++; rowStart += cols; }
                int col = p - rowStart;
                int r0 = Math.Max(row - h, 0), r1 = Math.Min(row + h, _rows - 1);
                int c0 = Math.Max(col - h, 0), c1 = Math.Min(col + h, cols - 1);
                int events = 0;
                for (int r = r0; r <= r1; r++)
                    for (int c = c0; c <= c1; c++)
                        if (IsSet(hits, r * cols + c)) events++;
                if (events > 1)
                {
                    for (int r = r0; r <= r1; r++)
                        for (int c = c0; c <= c1; c++)
                            Clear(hits, r * cols + c);
                    tally.Discarded += events;
                }
                bits = Above(hits[w], b);
            }
        }
    }
}
