using System.Numerics;
using System.Runtime.CompilerServices;

namespace XcsCt.Domain.Detector;

/// <summary>Step 6 (charge sharing) and step 7 (histogram) on the event bit masks of one frame.</summary>
public sealed partial class FrameKernel
{
    /// <summary>
    /// Runs the configured charge-sharing mode on <c>acc.Hits</c> (spatial bit mask of events) with
    /// energies from <paramref name="energies"/>, then histograms what is kept. <c>none</c> and
    /// <c>cluster</c> compute each energy when they need it; <c>addition</c> and
    /// <c>discrimination</c> work on a table of event energies (<c>acc.Energy</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ShareChargeAndHistogram<TEnergy>(TEnergy energies, FrameAccumulator acc, ref FrameTally tally)
        where TEnergy : IEnergySource, allows ref struct
    {
        ulong[] hits = acc.Hits;
        switch (_mode)
        {
            case ChargeSharingMode.Cluster:
                Cluster(energies, acc, ref tally);
                return;
            case ChargeSharingMode.None:
                for (int w = 0; w < _words; w++)
                    for (ulong bits = hits[w]; bits != 0; bits &= bits - 1)
                    {
                        int p = (w << 6) + BitOperations.TrailingZeroCount(bits);
                        Histogram(acc, p, energies.At(p), ref tally);
                    }
                return;
        }
        float[] energy = acc.Energy;
        for (int w = 0; w < _words; w++)
            for (ulong bits = hits[w]; bits != 0; bits &= bits - 1)
            {
                int p = (w << 6) + BitOperations.TrailingZeroCount(bits);
                energy[p] = energies.At(p);
            }
        if (_mode == ChargeSharingMode.Addition) Addition(acc, ref tally);
        else Discrimination(acc, ref tally);
        for (int w = 0; w < _words; w++)
            for (ulong bits = hits[w]; bits != 0; bits &= bits - 1)
            {
                int p = (w << 6) + BitOperations.TrailingZeroCount(bits);
                Histogram(acc, p, energy[p], ref tally);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSet(ulong[] bits, int p) => (bits[p >> 6] >> p & 1) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Clear(ulong[] bits, int p) => bits[p >> 6] &= ~(1UL << p);

    /// <summary>Bits of word <paramref name="w"/> above bit <paramref name="b"/> (what is left to scan).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Above(ulong word, int b) => word & ~((2UL << b) - 1);

    /// <summary>
    /// <c>cluster</c>: 8-connected clusters; size 1 kept, size 2 summed onto its larger pixel (tie:
    /// first in raster order), size 3 or more discarded. Scanning in raster order, the first pixel p
    /// of a cluster has neighbours only ahead of it (right, and the three below); one of those, q,
    /// with no other neighbour makes a pair; anything more is flood-filled away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Cluster<TEnergy>(TEnergy energies, FrameAccumulator acc, ref FrameTally tally)
        where TEnergy : IEnergySource, allows ref struct
    {
        ulong[] hits = acc.Hits;
        int cols = _cols, rows = _rows;
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
                hits[w] &= ~(1UL << b);

                bool left = col > 0, right = col + 1 < cols;
                int found = 0, q = 0, qRow = row, qCol = col;
                if (right && IsSet(hits, p + 1)) { found++; q = p + 1; qCol = col + 1; }
                if (row + 1 < rows)
                {
                    int below = p + cols;
                    if (left && IsSet(hits, below - 1)) { found++; q = below - 1; qRow = row + 1; qCol = col - 1; }
                    if (IsSet(hits, below)) { found++; q = below; qRow = row + 1; qCol = col; }
                    if (right && IsSet(hits, below + 1)) { found++; q = below + 1; qRow = row + 1; qCol = col + 1; }
                }

                if (found == 0)
                {
                    Histogram(acc, p, energies.At(p), ref tally);
                }
                else if (found == 1 && !HasNeighbour(hits, q, qRow, qCol))
                {
                    Clear(hits, q);
                    float ep = energies.At(p), eq = energies.At(q);
                    tally.Merged++;
                    Histogram(acc, eq > ep ? q : p, ep + eq, ref tally);
                }
                else
                {
                    tally.Discarded += FloodClear(hits, p, acc.Stack);
                }
                bits = Above(hits[w], b);
            }
        }
    }

    /// <summary>Whether pixel q (row, col) has any set 8-neighbour.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool HasNeighbour(ulong[] hits, int q, int row, int col)
    {
        int cols = _cols;
        bool left = col > 0, right = col + 1 < cols;
        if (left && IsSet(hits, q - 1)) return true;
        if (right && IsSet(hits, q + 1)) return true;
        if (row > 0)
        {
            int above = q - cols;
            if (IsSet(hits, above) || (left && IsSet(hits, above - 1)) || (right && IsSet(hits, above + 1))) return true;
        }
        if (row + 1 < _rows)
        {
            int below = q + cols;
            if (IsSet(hits, below) || (left && IsSet(hits, below - 1)) || (right && IsSet(hits, below + 1))) return true;
        }
        return false;
    }

    /// <summary>Clears the 8-connected cluster of <paramref name="start"/> (already cleared); returns its size.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int FloodClear(ulong[] hits, int start, int[] stack)
    {
        int top = 0, size = 1;
        stack[top++] = start;
        while (top > 0)
        {
            int x = stack[--top];
            int row = x / _cols, col = x - row * _cols;
            for (int dr = -1; dr <= 1; dr++)
            {
                int r = row + dr;
                if ((uint)r >= (uint)_rows) continue;
                for (int dc = -1; dc <= 1; dc++)
                {
                    int c = col + dc;
                    if ((uint)c >= (uint)_cols) continue;
                    int n = r * _cols + c;
                    if (IsSet(hits, n))
                    {
                        Clear(hits, n);
                        stack[top++] = n;
                        size++;
                    }
                }
            }
        }
        return size;
    }

    /// <summary>
    /// <c>addition</c> (odin / STFC dataset_check.py): in raster order, at each remaining event take
    /// the k x k window around it (zero-padded), put the window's sum (added in raster order of the
    /// window) on its maximum (first in raster order on ties) and zero the other events of the window.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Addition(FrameAccumulator acc, ref FrameTally tally)
    {
        ulong[] hits = acc.Hits;
        float[] energy = acc.Energy;
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
    private void Discrimination(FrameAccumulator acc, ref FrameTally tally)
    {
        ulong[] hits = acc.Hits;
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
