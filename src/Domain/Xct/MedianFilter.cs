using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XcsCt.Domain.Xct;

/// <summary>
/// 3D median filter over the 3 x 3 x 3 neighbourhood (ANALYSIS section 7, "3D median 3x3x3", the
/// paper's first segmentation step). At the volume's faces the nearest voxel is repeated (edge
/// replication). NaN voxels are not supported (a median of NaN is undefined).
/// </summary>
/// <remarks>
/// Fast path, exact (min/max only, so bit-identical to sorting): per output slice, sort the z-triples
/// of every (y, x) once; per output row, merge the three sorted triples of each column into a sorted
/// nine (a pruned Batcher merge, 36 min/max); per voxel, the 14th of 27 is the 14th of
/// merge(A, B) and C for the nine-lists A, B, C of columns x, x+1, x-1 (pruned merge to ranks
/// 4..13, then min over j of max(AB[13-j], C[j-1])). All steps run on <see cref="Vector{T}"/> lanes.
/// </remarks>
public static class MedianFilter
{
    /// <summary>
    /// Median-filters the slab <paramref name="input"/> (shape <paramref name="inputShape"/>) and writes
    /// slices <paramref name="firstOutputSlice"/> .. + n - 1 of it to <paramref name="output"/>
    /// (n = output length / slice voxels). The neighbourhood is clamped to the slab, so a caller
    /// processing a large volume in slabs passes one halo slice on each side that is not a face of the
    /// whole volume (see <see cref="SlabPlan"/>).
    /// </summary>
    /// <typeparam name="T">byte, ushort, short, int, uint or float.</typeparam>
    public static void Median3x3x3<T>(ReadOnlySpan<T> input, VolumeShape inputShape, int firstOutputSlice, Span<T> output)
        where T : unmanaged, INumber<T>
    {
        int outSlices = CheckSlab(input.Length, inputShape, firstOutputSlice, output.Length);
        var work = new Workspace<T>(inputShape.Height, inputShape.Width);
        for (int i = 0; i < outSlices; i++)
        {
            int z = firstOutputSlice + i;
            work.FilterSlice(input, inputShape, z, output.Slice(i * inputShape.SliceVoxels, inputShape.SliceVoxels));
        }
    }

    /// <summary>Median-filters a whole in-memory volume, slices in parallel on up to <paramref name="threads"/> cores (default: all).</summary>
    public static Volume<T> Median3x3x3<T>(Volume<T> volume, int threads = 0) where T : unmanaged, INumber<T>
    {
        var result = new Volume<T>(volume.Shape, new T[volume.Data.Length], volume.Name + " (median 3x3x3)");
        var shape = volume.Shape;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        Parallel.For(0, shape.Depth, options, () => new Workspace<T>(shape.Height, shape.Width), (z, _, work) =>
        {
            work.FilterSlice(volume.Data, shape, z, result.Slice(z));
            return work;
        }, _ => { });
        return result;
    }

    internal static int CheckSlab(int inputLength, VolumeShape inputShape, int firstOutputSlice, int outputLength)
    {
        if (inputLength != inputShape.Voxels)
            throw new ArgumentException($"input holds {inputLength} voxels, shape {inputShape} needs {inputShape.Voxels}");
        if (outputLength % inputShape.SliceVoxels != 0)
            throw new ArgumentException($"output of {outputLength} voxels is not a whole number of {inputShape.Height} x {inputShape.Width} slices");
        int n = outputLength / inputShape.SliceVoxels;
        if (firstOutputSlice < 0 || firstOutputSlice + n > inputShape.Depth)
            throw new ArgumentOutOfRangeException(nameof(firstOutputSlice), $"output slices {firstOutputSlice}..{firstOutputSlice + n - 1} are not inside the {inputShape.Depth}-slice input");
        return n;
    }

    /// <summary>Per-thread buffers: sorted z-triples of one padded slice, sorted nines of one row.</summary>
    private sealed class Workspace<T> where T : unmanaged, INumber<T>
    {
        private readonly int _height;
        private readonly int _width;
        private readonly int _stride;
        private readonly T[] _lo;
        private readonly T[] _mid;
        private readonly T[] _hi;
        private readonly T[] _nines;
        private readonly T[] _row;

        public Workspace(int height, int width)
        {
            int v = Vector<T>.Count;
            _height = height;
            _width = width;
            _stride = (width + 2 + v - 1) / v * v;
            _lo = new T[(height + 2) * _stride];
            _mid = new T[(height + 2) * _stride];
            _hi = new T[(height + 2) * _stride];
            _nines = new T[9 * _stride];
            _row = new T[(width + v - 1) / v * v];
        }

        public void FilterSlice(ReadOnlySpan<T> input, VolumeShape shape, int z, Span<T> output)
        {
            int sliceVoxels = shape.SliceVoxels;
            int zm = Math.Max(z - 1, 0), zp = Math.Min(z + 1, shape.Depth - 1);
            var below = input.Slice(zm * sliceVoxels, sliceVoxels);
            var here = input.Slice(z * sliceVoxels, sliceVoxels);
            var above = input.Slice(zp * sliceVoxels, sliceVoxels);
            for (int y = 0; y < _height; y++)
                SortTriples(below.Slice(y * _width, _width), here.Slice(y * _width, _width), above.Slice(y * _width, _width), y + 1);
            CopyPaddedRow(1, 0);
            CopyPaddedRow(_height, _height + 1);
            for (int y = 0; y < _height; y++)
            {
                MergeNines(y);
                SelectMedians(output.Slice(y * _width, _width));
            }
        }

        /// <summary>Sorted (lo, mid, hi) of three rows into padded row <paramref name="paddedRow"/>, edge columns replicated.</summary>
        private void SortTriples(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> c, int paddedRow)
        {
            int v = Vector<T>.Count;
            int offset = paddedRow * _stride + 1;
            ref T lo = ref _lo[offset];
            ref T mid = ref _mid[offset];
            ref T hi = ref _hi[offset];
            ref T ra = ref MemoryMarshal.GetReference(a);
            ref T rb = ref MemoryMarshal.GetReference(b);
            ref T rc = ref MemoryMarshal.GetReference(c);
            int x = 0;
            if (_width >= v)
            {
                for (; ; x += v)
                {
                    if (x > _width - v)
                        x = _width - v;
                    nuint i = (nuint)x;
                    var va = Vector.LoadUnsafe(ref ra, i);
                    var vb = Vector.LoadUnsafe(ref rb, i);
                    var vc = Vector.LoadUnsafe(ref rc, i);
                    var l1 = Vector.Min(va, vb);
                    var h1 = Vector.Max(va, vb);
                    var h = Vector.Max(h1, vc);
                    var m1 = Vector.Min(h1, vc);
                    Vector.StoreUnsafe(Vector.Min(l1, m1), ref lo, i);
                    Vector.StoreUnsafe(Vector.Max(l1, m1), ref mid, i);
                    Vector.StoreUnsafe(h, ref hi, i);
                    if (x == _width - v)
                        break;
                }
            }
            else
            {
                for (; x < _width; x++)
                {
                    T l1 = T.Min(a[x], b[x]), h1 = T.Max(a[x], b[x]);
                    T m1 = T.Min(h1, c[x]);
                    Unsafe.Add(ref lo, x) = T.Min(l1, m1);
                    Unsafe.Add(ref mid, x) = T.Max(l1, m1);
                    Unsafe.Add(ref hi, x) = T.Max(h1, c[x]);
                }
            }
            int start = paddedRow * _stride;
            foreach (var plane in (ReadOnlySpan<T[]>)[_lo, _mid, _hi])
            {
                plane[start] = plane[start + 1];
                plane[start + _width + 1] = plane[start + _width];
            }
        }

        private void CopyPaddedRow(int from, int to)
        {
            foreach (var plane in (ReadOnlySpan<T[]>)[_lo, _mid, _hi])
                Array.Copy(plane, from * _stride, plane, to * _stride, _stride);
        }

        /// <summary>
        /// For output row y: merges the sorted triples of padded rows y, y+1, y+2 into nine sorted
        /// values per padded column (pruned Batcher odd-even merge, generated and checked by the 0-1
        /// principle in the tests).
        /// </summary>
        private void MergeNines(int y)
        {
            int v = Vector<T>.Count;
            ref T lo = ref _lo[0];
            ref T mid = ref _mid[0];
            ref T hi = ref _hi[0];
            ref T s = ref _nines[0];
            nuint r0 = (nuint)(y * _stride), r1 = r0 + (nuint)_stride, r2 = r1 + (nuint)_stride;
            nuint stride = (nuint)_stride;
            for (nuint i = 0; i < stride; i += (nuint)v)
            {
                var x0 = Vector.LoadUnsafe(ref lo, r0 + i);
                var x1 = Vector.LoadUnsafe(ref mid, r0 + i);
                var x2 = Vector.LoadUnsafe(ref hi, r0 + i);
                var y0 = Vector.LoadUnsafe(ref lo, r1 + i);
                var y1 = Vector.LoadUnsafe(ref mid, r1 + i);
                var y2 = Vector.LoadUnsafe(ref hi, r1 + i);
                var z0 = Vector.LoadUnsafe(ref lo, r2 + i);
                var z1 = Vector.LoadUnsafe(ref mid, r2 + i);
                var z2 = Vector.LoadUnsafe(ref hi, r2 + i);
                MedianNetworks.MergeThreeTriples(x0, x1, x2, y0, y1, y2, z0, z1, z2,
                    out var s0, out var s1, out var s2, out var s3, out var s4, out var s5, out var s6, out var s7, out var s8);
                Vector.StoreUnsafe(s0, ref s, i);
                Vector.StoreUnsafe(s1, ref s, stride + i);
                Vector.StoreUnsafe(s2, ref s, 2 * stride + i);
                Vector.StoreUnsafe(s3, ref s, 3 * stride + i);
                Vector.StoreUnsafe(s4, ref s, 4 * stride + i);
                Vector.StoreUnsafe(s5, ref s, 5 * stride + i);
                Vector.StoreUnsafe(s6, ref s, 6 * stride + i);
                Vector.StoreUnsafe(s7, ref s, 7 * stride + i);
                Vector.StoreUnsafe(s8, ref s, 8 * stride + i);
            }
        }

        /// <summary>Median of 27 for every voxel of the row from the sorted nines of columns x-1, x, x+1.</summary>
        private void SelectMedians(Span<T> output)
        {
            int v = Vector<T>.Count;
            ref T s = ref _nines[0];
            ref T row = ref _row[0];
            nuint stride = (nuint)_stride;
            for (nuint x = 0; x < (nuint)_row.Length; x += (nuint)v)
            {
                // Padded column of voxel x is x + 1: C = column x (left), A = x + 1, B = x + 2 (right).
                nuint ia = x + 1, ib = x + 2, ic = x;
                var a0 = Vector.LoadUnsafe(ref s, ia);
                var a1 = Vector.LoadUnsafe(ref s, stride + ia);
                var a2 = Vector.LoadUnsafe(ref s, 2 * stride + ia);
                var a3 = Vector.LoadUnsafe(ref s, 3 * stride + ia);
                var a4 = Vector.LoadUnsafe(ref s, 4 * stride + ia);
                var a5 = Vector.LoadUnsafe(ref s, 5 * stride + ia);
                var a6 = Vector.LoadUnsafe(ref s, 6 * stride + ia);
                var a7 = Vector.LoadUnsafe(ref s, 7 * stride + ia);
                var a8 = Vector.LoadUnsafe(ref s, 8 * stride + ia);
                var b0 = Vector.LoadUnsafe(ref s, ib);
                var b1 = Vector.LoadUnsafe(ref s, stride + ib);
                var b2 = Vector.LoadUnsafe(ref s, 2 * stride + ib);
                var b3 = Vector.LoadUnsafe(ref s, 3 * stride + ib);
                var b4 = Vector.LoadUnsafe(ref s, 4 * stride + ib);
                var b5 = Vector.LoadUnsafe(ref s, 5 * stride + ib);
                var b6 = Vector.LoadUnsafe(ref s, 6 * stride + ib);
                var b7 = Vector.LoadUnsafe(ref s, 7 * stride + ib);
                var b8 = Vector.LoadUnsafe(ref s, 8 * stride + ib);
                MedianNetworks.MergeNinesRanks4To13(a0, a1, a2, a3, a4, a5, a6, a7, a8, b0, b1, b2, b3, b4, b5, b6, b7, b8,
                    out var m4, out var m5, out var m6, out var m7, out var m8, out var m9, out var m10, out var m11, out var m12, out var m13);
                // 14th smallest of AB (18) and C (9): min over j of max(AB[13 - j], C[j - 1]).
                var med = m13;
                med = Vector.Min(med, Vector.Max(m12, Vector.LoadUnsafe(ref s, ic)));
                med = Vector.Min(med, Vector.Max(m11, Vector.LoadUnsafe(ref s, stride + ic)));
                med = Vector.Min(med, Vector.Max(m10, Vector.LoadUnsafe(ref s, 2 * stride + ic)));
                med = Vector.Min(med, Vector.Max(m9, Vector.LoadUnsafe(ref s, 3 * stride + ic)));
                med = Vector.Min(med, Vector.Max(m8, Vector.LoadUnsafe(ref s, 4 * stride + ic)));
                med = Vector.Min(med, Vector.Max(m7, Vector.LoadUnsafe(ref s, 5 * stride + ic)));
                med = Vector.Min(med, Vector.Max(m6, Vector.LoadUnsafe(ref s, 6 * stride + ic)));
                med = Vector.Min(med, Vector.Max(m5, Vector.LoadUnsafe(ref s, 7 * stride + ic)));
                med = Vector.Min(med, Vector.Max(m4, Vector.LoadUnsafe(ref s, 8 * stride + ic)));
                Vector.StoreUnsafe(med, ref row, x);
            }
            _row.AsSpan(0, _width).CopyTo(output);
        }
    }
}

/// <summary>
/// Merge networks of the 3 x 3 x 3 median: Batcher odd-even merges with +infinity padding and the
/// comparators whose outputs are not needed pruned away. Each output is exact (min/max only).
/// </summary>
internal static class MedianNetworks
{
    /// <summary>Merges three sorted triples x, y, z into nine sorted values s0 &lt;= ... &lt;= s8 (36 min/max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MergeThreeTriples<T>(
        Vector<T> x0, Vector<T> x1, Vector<T> x2, Vector<T> y0, Vector<T> y1, Vector<T> y2, Vector<T> z0, Vector<T> z1, Vector<T> z2,
        out Vector<T> s0, out Vector<T> s1, out Vector<T> s2, out Vector<T> s3, out Vector<T> s4, out Vector<T> s5, out Vector<T> s6, out Vector<T> s7, out Vector<T> s8)
    {
        var w1 = Vector.Min(x0, y0);
        var w2 = Vector.Max(x0, y0);
        var w3 = Vector.Min(x2, y2);
        var w4 = Vector.Max(x2, y2);
        var w5 = Vector.Min(w3, w2);
        var w6 = Vector.Max(w3, w2);
        var w7 = Vector.Min(x1, y1);
        var w8 = Vector.Max(x1, y1);
        var w9 = Vector.Min(w7, w5);
        var w10 = Vector.Max(w7, w5);
        var w11 = Vector.Min(w8, w6);
        var w12 = Vector.Max(w8, w6);
        var w14 = Vector.Max(w1, z0);
        var w15 = Vector.Min(w12, w14);
        var w16 = Vector.Max(w12, w14);
        var w17 = Vector.Min(w10, z2);
        var w18 = Vector.Max(w10, z2);
        var w19 = Vector.Min(w17, w15);
        var w20 = Vector.Max(w17, w15);
        var w21 = Vector.Min(w18, w16);
        var w22 = Vector.Max(w18, w16);
        var w23 = Vector.Min(w9, z1);
        var w24 = Vector.Max(w9, z1);
        var w25 = Vector.Min(w4, w24);
        var w26 = Vector.Max(w4, w24);
        var w27 = Vector.Min(w11, w25);
        var w28 = Vector.Max(w11, w25);
        s0 = Vector.Min(w1, z0);
        s1 = Vector.Min(w23, w19);
        s2 = Vector.Max(w23, w19);
        s3 = Vector.Min(w27, w20);
        s4 = Vector.Max(w27, w20);
        s5 = Vector.Min(w28, w21);
        s6 = Vector.Max(w28, w21);
        s7 = Vector.Min(w26, w22);
        s8 = Vector.Max(w26, w22);
    }

    /// <summary>Ranks 4..13 (0-based) of the merge of two sorted nines a and b (48 min/max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MergeNinesRanks4To13<T>(
        Vector<T> a0, Vector<T> a1, Vector<T> a2, Vector<T> a3, Vector<T> a4, Vector<T> a5, Vector<T> a6, Vector<T> a7, Vector<T> a8,
        Vector<T> b0, Vector<T> b1, Vector<T> b2, Vector<T> b3, Vector<T> b4, Vector<T> b5, Vector<T> b6, Vector<T> b7, Vector<T> b8,
        out Vector<T> m4, out Vector<T> m5, out Vector<T> m6, out Vector<T> m7, out Vector<T> m8,
        out Vector<T> m9, out Vector<T> m10, out Vector<T> m11, out Vector<T> m12, out Vector<T> m13)
    {
        var w2 = Vector.Max(a0, b0);
        var w3 = Vector.Min(a8, b8);
        var w5 = Vector.Min(w3, w2);
        var w6 = Vector.Max(w3, w2);
        var w7 = Vector.Min(a4, b4);
        var w8 = Vector.Max(a4, b4);
        var w9 = Vector.Min(w7, w5);
        var w10 = Vector.Max(w7, w5);
        var w11 = Vector.Min(w8, w6);
        var w12 = Vector.Max(w8, w6);
        var w13 = Vector.Min(a2, b2);
        var w14 = Vector.Max(a2, b2);
        var w15 = Vector.Min(a6, b6);
        var w16 = Vector.Max(a6, b6);
        var w17 = Vector.Min(w15, w14);
        var w18 = Vector.Max(w15, w14);
        var w20 = Vector.Max(w13, w9);
        var w21 = Vector.Min(w17, w10);
        var w22 = Vector.Max(w17, w10);
        var w23 = Vector.Min(w18, w11);
        var w24 = Vector.Max(w18, w11);
        var w25 = Vector.Min(w16, w12);
        var w28 = Vector.Max(a1, b1);
        var w29 = Vector.Min(a5, b5);
        var w30 = Vector.Max(a5, b5);
        var w31 = Vector.Min(w29, w28);
        var w32 = Vector.Max(w29, w28);
        var w33 = Vector.Min(a3, b3);
        var w34 = Vector.Max(a3, b3);
        var w35 = Vector.Min(a7, b7);
        var w37 = Vector.Min(w35, w34);
        var w38 = Vector.Max(w35, w34);
        var w39 = Vector.Min(w33, w31);
        var w40 = Vector.Max(w33, w31);
        var w41 = Vector.Min(w37, w32);
        var w42 = Vector.Max(w37, w32);
        var w43 = Vector.Min(w38, w30);
        var w44 = Vector.Max(w38, w30);
        m4 = Vector.Max(w39, w20);
        m5 = Vector.Min(w40, w21);
        m6 = Vector.Max(w40, w21);
        m7 = Vector.Min(w41, w22);
        m8 = Vector.Max(w41, w22);
        m9 = Vector.Min(w42, w23);
        m10 = Vector.Max(w42, w23);
        m11 = Vector.Min(w43, w24);
        m12 = Vector.Max(w43, w24);
        m13 = Vector.Min(w44, w25);
    }
}

/// <summary>Plain twin of <see cref="MedianFilter"/>: sort the 27 clamped neighbours, take the 14th.</summary>
internal static class MedianFilterReference
{
    public static void Median3x3x3<T>(ReadOnlySpan<T> input, VolumeShape shape, int firstOutputSlice, Span<T> output)
        where T : unmanaged, INumber<T>
    {
        int n = MedianFilter.CheckSlab(input.Length, shape, firstOutputSlice, output.Length);
        Span<T> window = stackalloc T[27];
        for (int zo = 0; zo < n; zo++)
        {
            int z = firstOutputSlice + zo;
            for (int y = 0; y < shape.Height; y++)
            {
                for (int x = 0; x < shape.Width; x++)
                {
                    int k = 0;
                    for (int dz = -1; dz <= 1; dz++)
                    for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int zz = Math.Clamp(z + dz, 0, shape.Depth - 1);
                        int yy = Math.Clamp(y + dy, 0, shape.Height - 1);
                        int xx = Math.Clamp(x + dx, 0, shape.Width - 1);
                        window[k++] = input[(int)shape.Index(zz, yy, xx)];
                    }
                    window.Sort();
                    output[(zo * shape.Height + y) * shape.Width + x] = window[13];
                }
            }
        }
    }
}
