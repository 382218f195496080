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
    private void ShareChargeAndHistogram<TEnergy>(TEnergy energies, FrameAccumulator acc, bool vectorBins, ref FrameTally tally)
        where TEnergy : IEnergySource, allows ref struct
    {
        switch (_mode)
        {
            case ChargeSharingMode.Cluster:
                Cluster(energies, acc, vectorBins, ref tally);
                return;
            case ChargeSharingMode.None:
                KeepAll(energies, acc, vectorBins, ref tally);
                return;
        }
        int count = acc.EventCount;
        int[] list = acc.EventList;
        float[] energy = acc.Energy;
        for (int i = 0; i < count; i++) energy[list[i]] = energies.At(list[i]);
        var hits = acc.Hits.AsSpan();
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
    /// first in raster order), size 3 or more discarded. Decided per event from neighbour counts: no
    /// neighbour is a single; one neighbour q that itself has one neighbour (p) is a pair, handled at
    /// its first pixel; anything else belongs to a cluster of three or more. Neighbours are read from
    /// a zero-bordered byte map of the frame's events (three 4-byte loads per 3 x 3 window), each
    /// event's count is kept in its map byte, and every event takes the same instructions (no branch
    /// on the outcome), which keeps the pipeline full.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Cluster<TEnergy>(TEnergy energies, FrameAccumulator acc, bool vectorBins, ref FrameTally tally)
        where TEnergy : IEnergySource, allows ref struct
    {
        int count = acc.EventCount;
        ref int list = ref MemoryMarshal.GetArrayDataReference(acc.EventList);
        ref byte map = ref MemoryMarshal.GetArrayDataReference(acc.EventMap);
        ref int bordered = ref MemoryMarshal.GetArrayDataReference(_bordered);
        ref int mapOffset = ref MemoryMarshal.GetArrayDataReference(_mapOffset);
        ref int pixelOffset = ref MemoryMarshal.GetArrayDataReference(_pixelOffset);
        ref float outEnergy = ref MemoryMarshal.GetArrayDataReference(acc.OutEnergy);
        ref int outBase = ref MemoryMarshal.GetArrayDataReference(acc.OutBase);
        int stride = _cols + 2, bins = _bins;

        ref float energy = ref MemoryMarshal.GetArrayDataReference(acc.Energy);
        ref byte neighbour = ref MemoryMarshal.GetArrayDataReference(acc.NeighbourBit);
        for (int i = 0; i < count; i++)
        {
            int p = Unsafe.Add(ref list, i);
            Unsafe.Add(ref map, Unsafe.Add(ref bordered, p)) = 1;
            Unsafe.Add(ref energy, p) = energies.At(p);
        }

        // Each event's neighbour count goes into its map byte above bit 0 (bit 0, what windows
        // read, stays 1), and the position of its first neighbour into NeighbourBit.
        for (int i = 0; i < count; i++)
        {
            ref byte cell = ref Unsafe.Add(ref map, Unsafe.Add(ref bordered, Unsafe.Add(ref list, i)));
            uint around = Neighbours(ref cell, stride);
            cell = (byte)(1 | BitOperations.PopCount(around) << 1);
            Unsafe.Add(ref neighbour, i) = (byte)BitOperations.TrailingZeroCount(around | 0x8000_0000u);
        }

        int emitted = 0;
        long merged = 0, discarded = 0;
        for (int i = 0; i < count; i++)
        {
            int p = Unsafe.Add(ref list, i);
            int at = Unsafe.Add(ref bordered, p);
            int k = Unsafe.Add(ref neighbour, i);
            int degree = Unsafe.Add(ref map, at) >> 1;
            int q = p + Unsafe.Add(ref pixelOffset, k);
            int degreeQ = Unsafe.Add(ref map, at + Unsafe.Add(ref mapOffset, k)) >> 1;

            int single = Bit(degree == 0);
            int pair = Bit(degree == 1) & Bit(degreeQ == 1);
            int head = pair & Bit(q > p);
            discarded += Bit(degree >= 2) | (Bit(degree == 1) & Bit(degreeQ >= 2));
            merged += head;

            float ep = Unsafe.Add(ref energy, p), eq = Unsafe.Add(ref energy, q);
            int dest = p + ((q - p) & -(head & Bit(eq > ep)));
            Unsafe.Add(ref outEnergy, emitted) = ep + BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(eq) & -head);
            Unsafe.Add(ref outBase, emitted) = dest * bins;
            emitted += single | head;
        }

        for (int i = 0; i < count; i++)
            Unsafe.Add(ref map, Unsafe.Add(ref bordered, Unsafe.Add(ref list, i))) = 0;
        tally.Kept += emitted;
        tally.Merged += merged;
        tally.Discarded += discarded;
        QueueBins(acc, emitted, vectorBins, ref tally);
    }

    /// <summary>
    /// The 8 neighbours of a cell of the bordered byte map as bits: 0, 8, 16 the row above (left to
    /// right), 1 and 17 left and right, 2, 10, 18 the row below. Positions index
    /// <c>_mapOffset</c> / <c>_pixelOffset</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Neighbours(ref byte cell, int stride) =>
        (Unsafe.ReadUnaligned<uint>(ref Unsafe.Subtract(ref cell, stride + 1)) & 0x010101u)
        | (Unsafe.ReadUnaligned<uint>(ref Unsafe.Subtract(ref cell, 1)) & 0x010001u) << 1
        | (Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref cell, stride - 1)) & 0x010101u) << 2;

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
