using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace XcsCt.Domain.Xct;

/// <summary>
/// A digital ball of radius r voxels: offsets (dz, dy, dx) with dz^2 + dy^2 + dx^2 &lt;= r^2
/// (r = 3 holds 123 voxels), stored as rows: for each (dz, dy) in the disc dz^2 + dy^2 &lt;= r^2 the
/// half-width floor(sqrt(r^2 - dz^2 - dy^2)) of its run along x.
/// </summary>
public sealed class Ball
{
    public Ball(int radius)
    {
        if (radius is < 0 or > 64)
            throw new InputException($"ball radius {radius} voxels is not valid: expected 0..64");
        Radius = radius;
        var rows = new List<(int, int, int)>();
        for (int dz = -radius; dz <= radius; dz++)
        for (int dy = -radius; dy <= radius; dy++)
        {
            int rest = radius * radius - dz * dz - dy * dy;
            if (rest < 0)
                continue;
            int w = (int)Math.Sqrt(rest);
            while ((w + 1) * (w + 1) <= rest) w++;
            while (w * w > rest) w--;
            rows.Add((dz, dy, w));
        }
        Rows = rows;
    }

    /// <summary>Radius in voxels.</summary>
    public int Radius { get; }

    /// <summary>(dz, dy, half-width along x) of every row of the ball.</summary>
    public IReadOnlyList<(int Dz, int Dy, int HalfWidth)> Rows { get; }

    /// <summary>Number of voxels in the ball.</summary>
    public int Voxels => Rows.Sum(r => 2 * r.HalfWidth + 1);
}

/// <summary>
/// Morphological erosion, dilation and opening with a ball (ANALYSIS section 7: "morphological
/// opening radius 3 voxels"), binary (masks of 0/1 bytes) and greyscale (flat ball: minimum and
/// maximum). Voxels outside the volume are ignored (the neighbourhood is clipped to the volume), so
/// an opening does not eat into the faces of the volume.
/// </summary>
/// <remarks>
/// Fast path: the ball is a union of x-runs, one per (dz, dy); every input row is filtered once along
/// x with runs of half-width 0..r (binary: 64 voxels per word with shifts; greyscale: Vector lanes),
/// then each output row is the AND/OR (min/max) of those filtered rows, one per (dz, dy).
/// </remarks>
public static class Morphology
{
    /// <summary>Binary erosion of the slab <paramref name="input"/> (0 = background, non-zero = phase) into output slices of it.</summary>
    public static void Erode(ReadOnlySpan<byte> input, VolumeShape inputShape, Ball ball, int firstOutputSlice, Span<byte> output) =>
        new BinaryPass(inputShape, ball, erode: true).Run(input, firstOutputSlice, output);

    /// <summary>Binary dilation of the slab <paramref name="input"/> into output slices of it.</summary>
    public static void Dilate(ReadOnlySpan<byte> input, VolumeShape inputShape, Ball ball, int firstOutputSlice, Span<byte> output) =>
        new BinaryPass(inputShape, ball, erode: false).Run(input, firstOutputSlice, output);

    /// <summary>
    /// Binary opening (erosion then dilation). For slab-wise processing the slab needs a halo of
    /// 2 r slices on each side that is not a face of the whole volume.
    /// </summary>
    public static void Open(ReadOnlySpan<byte> input, VolumeShape inputShape, Ball ball, int firstOutputSlice, Span<byte> output)
    {
        var eroded = new byte[input.Length];
        Erode(input, inputShape, ball, 0, eroded);
        Dilate(eroded, inputShape, ball, firstOutputSlice, output);
    }

    /// <summary>Binary opening of a whole in-memory mask with a ball of <paramref name="radius"/> voxels (default 3).</summary>
    public static Volume<byte> Open(Volume<byte> mask, int radius = 3)
    {
        var result = new Volume<byte>(mask.Shape, new byte[mask.Data.Length], mask.Name + $" (opened, r = {radius})");
        Open(mask.Data, mask.Shape, new Ball(radius), 0, result.Data);
        return result;
    }

    /// <summary>Greyscale erosion (minimum over the ball) of a slab into output slices of it.</summary>
    public static void ErodeGrey<T>(ReadOnlySpan<T> input, VolumeShape inputShape, Ball ball, int firstOutputSlice, Span<T> output)
        where T : unmanaged, INumber<T> =>
        new GreyPass<T>(inputShape, ball, erode: true).Run(input, firstOutputSlice, output);

    /// <summary>Greyscale dilation (maximum over the ball) of a slab into output slices of it.</summary>
    public static void DilateGrey<T>(ReadOnlySpan<T> input, VolumeShape inputShape, Ball ball, int firstOutputSlice, Span<T> output)
        where T : unmanaged, INumber<T> =>
        new GreyPass<T>(inputShape, ball, erode: false).Run(input, firstOutputSlice, output);

    /// <summary>Greyscale opening (erosion then dilation); slab halo 2 r as for the binary opening.</summary>
    public static void OpenGrey<T>(ReadOnlySpan<T> input, VolumeShape inputShape, Ball ball, int firstOutputSlice, Span<T> output)
        where T : unmanaged, INumber<T>
    {
        var eroded = new T[input.Length];
        ErodeGrey(input, inputShape, ball, 0, eroded);
        DilateGrey<T>(eroded, inputShape, ball, firstOutputSlice, output);
    }

    /// <summary>Greyscale opening of a whole in-memory volume with a ball of <paramref name="radius"/> voxels (default 3).</summary>
    public static Volume<T> OpenGrey<T>(Volume<T> volume, int radius = 3) where T : unmanaged, INumber<T>
    {
        var result = new Volume<T>(volume.Shape, new T[volume.Data.Length], volume.Name + $" (grey opening, r = {radius})");
        OpenGrey<T>(volume.Data, volume.Shape, new Ball(radius), 0, result.Data);
        return result;
    }

    /// <summary>
    /// Binary erosion or dilation on bit-packed rows. Bits outside the volume hold the identity
    /// (1 for erosion, 0 for dilation), so they never change a result.
    /// </summary>
    private sealed class BinaryPass
    {
        private readonly VolumeShape _shape;
        private readonly Ball _ball;
        private readonly bool _erode;
        private readonly int _words;
        private readonly int _ring;
        private readonly ulong[] _levels; // [ring slice][level][row][word]
        private readonly int[] _ringSlice;
        private readonly ulong[] _out;

        public BinaryPass(VolumeShape shape, Ball ball, bool erode)
        {
            _shape = shape;
            _ball = ball;
            _erode = erode;
            _words = (shape.Width + 63) / 64;
            _ring = Math.Min(2 * ball.Radius + 1, shape.Depth);
            _levels = new ulong[(long)_ring * (ball.Radius + 1) * shape.Height * _words];
            _ringSlice = new int[_ring];
            Array.Fill(_ringSlice, -1);
            _out = new ulong[_words];
        }

        private ulong Pad => _erode ? ulong.MaxValue : 0UL;

        private Span<ulong> Row(int slice, int level, int y)
        {
            long offset = ((((long)(slice % _ring) * (_ball.Radius + 1)) + level) * _shape.Height + y) * _words;
            return _levels.AsSpan((int)offset, _words);
        }

        public void Run(ReadOnlySpan<byte> input, int firstOutputSlice, Span<byte> output)
        {
            int n = MedianFilter.CheckSlab(input.Length, _shape, firstOutputSlice, output.Length);
            int r = _ball.Radius;
            for (int i = 0; i < n; i++)
            {
                int z = firstOutputSlice + i;
                for (int s = Math.Max(0, z - r); s <= Math.Min(_shape.Depth - 1, z + r); s++)
                    EnsureSlice(input, s);
                for (int y = 0; y < _shape.Height; y++)
                {
                    _out.AsSpan().Fill(Pad);
                    foreach (var (dz, dy, w) in _ball.Rows)
                    {
                        int zz = z + dz, yy = y + dy;
                        if ((uint)zz >= (uint)_shape.Depth || (uint)yy >= (uint)_shape.Height)
                            continue;
                        var src = Row(zz, w, yy);
                        if (_erode)
                        {
                            for (int k = 0; k < _words; k++)
                                _out[k] &= src[k];
                        }
                        else
                        {
                            for (int k = 0; k < _words; k++)
                                _out[k] |= src[k];
                        }
                    }
                    BitRows.Unpack(_out, output.Slice((i * _shape.Height + y) * _shape.Width, _shape.Width));
                }
            }
        }

        /// <summary>Packs slice s and filters each row along x with half-widths 1..r (into its ring slot).</summary>
        private void EnsureSlice(ReadOnlySpan<byte> input, int s)
        {
            if (_ringSlice[s % _ring] == s)
                return;
            _ringSlice[s % _ring] = s;
            int width = _shape.Width;
            ulong pad = Pad;
            for (int y = 0; y < _shape.Height; y++)
            {
                var level0 = Row(s, 0, y);
                BitRows.Pack(input.Slice((int)_shape.Index(s, y, 0), width), level0, pad);
                for (int w = 1; w <= _ball.Radius; w++)
                {
                    var prev = Row(s, w - 1, y);
                    var next = Row(s, w, y);
                    for (int k = 0; k < _words; k++)
                    {
                        ulong left = k > 0 ? prev[k - 1] : pad;
                        ulong right = k + 1 < _words ? prev[k + 1] : pad;
                        // Bit x of 'fromLeft' is bit x - 1 of prev; of 'fromRight', bit x + 1.
                        ulong fromLeft = (prev[k] << 1) | (left >> 63);
                        ulong fromRight = (prev[k] >> 1) | (right << 63);
                        ulong v = _erode ? fromLeft & fromRight : fromLeft | fromRight;
                        if (w == 1)
                            v = _erode ? v & prev[k] : v | prev[k];
                        next[k] = v;
                    }
                }
            }
        }
    }

    /// <summary>Greyscale erosion or dilation on rows padded with the identity (type maximum or minimum).</summary>
    private sealed class GreyPass<T> where T : unmanaged, INumber<T>
    {
        private readonly VolumeShape _shape;
        private readonly Ball _ball;
        private readonly bool _erode;
        private readonly int _pad;
        private readonly int _length;
        private readonly int _ring;
        private readonly T[] _levels;
        private readonly int[] _ringSlice;
        private readonly T[] _out;
        private readonly T _identity;
        private readonly int[] _rowOffsets;

        public GreyPass(VolumeShape shape, Ball ball, bool erode)
        {
            int v = Vector<T>.Count;
            _shape = shape;
            _ball = ball;
            _erode = erode;
            _pad = (ball.Radius + 1 + v - 1) / v * v + v;
            _length = (shape.Width + v - 1) / v * v + 2 * _pad;
            _ring = Math.Min(2 * ball.Radius + 1, shape.Depth);
            _levels = new T[(long)_ring * (ball.Radius + 1) * shape.Height * _length];
            _ringSlice = new int[_ring];
            Array.Fill(_ringSlice, -1);
            _out = new T[(shape.Width + v - 1) / v * v];
            _identity = erode ? T.CreateSaturating(double.PositiveInfinity) : T.CreateSaturating(double.NegativeInfinity);
            _rowOffsets = new int[ball.Rows.Count];
        }

        private Span<T> Row(int slice, int level, int y) => _levels.AsSpan(RowOffset(slice, level, y), _length);

        private int RowOffset(int slice, int level, int y) =>
            checked((int)(((((long)(slice % _ring) * (_ball.Radius + 1)) + level) * _shape.Height + y) * _length));

        public void Run(ReadOnlySpan<T> input, int firstOutputSlice, Span<T> output)
        {
            int n = MedianFilter.CheckSlab(input.Length, _shape, firstOutputSlice, output.Length);
            int r = _ball.Radius, v = Vector<T>.Count;
            for (int i = 0; i < n; i++)
            {
                int z = firstOutputSlice + i;
                for (int s = Math.Max(0, z - r); s <= Math.Min(_shape.Depth - 1, z + r); s++)
                    EnsureSlice(input, s);
                for (int y = 0; y < _shape.Height; y++)
                {
                    // Offsets of the filtered rows of every (dz, dy) of the ball inside the volume.
                    int rows = 0;
                    foreach (var (dz, dy, w) in _ball.Rows)
                    {
                        int zz = z + dz, yy = y + dy;
                        if ((uint)zz >= (uint)_shape.Depth || (uint)yy >= (uint)_shape.Height)
                            continue;
                        _rowOffsets[rows++] = RowOffset(zz, w, yy) + _pad;
                    }
                    ref T levels = ref _levels[0];
                    ref T dst = ref _out[0];
                    var identity = new Vector<T>(_identity);
                    for (nuint x = 0; x < (nuint)_out.Length; x += (nuint)v)
                    {
                        var acc = identity;
                        for (int k = 0; k < rows; k++)
                        {
                            var b = Vector.LoadUnsafe(ref levels, (nuint)_rowOffsets[k] + x);
                            acc = _erode ? Vector.Min(acc, b) : Vector.Max(acc, b);
                        }
                        Vector.StoreUnsafe(acc, ref dst, x);
                    }
                    _out.AsSpan(0, _shape.Width).CopyTo(output.Slice((i * _shape.Height + y) * _shape.Width, _shape.Width));
                }
            }
        }

        private void EnsureSlice(ReadOnlySpan<T> input, int s)
        {
            if (_ringSlice[s % _ring] == s)
                return;
            _ringSlice[s % _ring] = s;
            int v = Vector<T>.Count, width = _shape.Width;
            for (int y = 0; y < _shape.Height; y++)
            {
                var level0 = Row(s, 0, y);
                level0.Fill(_identity);
                input.Slice((int)_shape.Index(s, y, 0), width).CopyTo(level0.Slice(_pad));
                for (int w = 1; w <= _ball.Radius; w++)
                {
                    var prev = Row(s, w - 1, y);
                    var next = Row(s, w, y);
                    next[..v].Fill(_identity);
                    next[(_length - v)..].Fill(_identity);
                    ref T p = ref MemoryMarshal.GetReference(prev);
                    ref T q = ref MemoryMarshal.GetReference(next);
                    for (nuint x = (nuint)v; x < (nuint)(_length - v); x += (nuint)v)
                    {
                        var left = Vector.LoadUnsafe(ref p, x - 1);
                        var right = Vector.LoadUnsafe(ref p, x + 1);
                        var value = _erode ? Vector.Min(left, right) : Vector.Max(left, right);
                        if (w == 1)
                        {
                            var centre = Vector.LoadUnsafe(ref p, x);
                            value = _erode ? Vector.Min(value, centre) : Vector.Max(value, centre);
                        }
                        Vector.StoreUnsafe(value, ref q, x);
                    }
                }
            }
        }
    }
}

/// <summary>Packing of 0/non-zero byte rows into 64-voxel words (bit x % 64 of word x / 64) and back.</summary>
internal static class BitRows
{
    private static readonly ulong[] ByteToBytes = BuildByteToBytes();

    /// <summary>Packs <paramref name="bytes"/> into <paramref name="words"/>; bits beyond the row are set to <paramref name="pad"/>'s bits.</summary>
    public static void Pack(ReadOnlySpan<byte> bytes, Span<ulong> words, ulong pad)
    {
        int n = bytes.Length, full = n / 64;
        ref byte b = ref MemoryMarshal.GetReference(bytes);
        if (Vector256.IsHardwareAccelerated)
        {
            for (int k = 0; k < full; k++)
            {
                var lo = Vector256.LoadUnsafe(ref b, (nuint)(k * 64));
                var hi = Vector256.LoadUnsafe(ref b, (nuint)(k * 64 + 32));
                uint mlo = ~Vector256.Equals(lo, Vector256<byte>.Zero).ExtractMostSignificantBits();
                uint mhi = ~Vector256.Equals(hi, Vector256<byte>.Zero).ExtractMostSignificantBits();
                words[k] = mlo | ((ulong)mhi << 32);
            }
        }
        else
        {
            for (int k = 0; k < full; k++)
                words[k] = PackScalar(bytes.Slice(k * 64, 64), 0);
        }
        if (full < words.Length)
        {
            int rest = n - full * 64;
            ulong w = rest > 0 ? PackScalar(bytes.Slice(full * 64, rest), 0) : 0;
            ulong restMask = rest == 0 ? 0 : (rest == 64 ? ulong.MaxValue : (1UL << rest) - 1);
            words[full] = (w & restMask) | (pad & ~restMask);
            for (int k = full + 1; k < words.Length; k++)
                words[k] = pad;
        }
    }

    private static ulong PackScalar(ReadOnlySpan<byte> bytes, ulong w)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != 0)
                w |= 1UL << i;
        }
        return w;
    }

    /// <summary>Writes bit x of <paramref name="words"/> as byte 0 or 1 for x in [0, bytes.Length).</summary>
    public static void Unpack(ReadOnlySpan<ulong> words, Span<byte> bytes)
    {
        int n = bytes.Length, fullBytes = n / 8;
        var asLongs = MemoryMarshal.Cast<byte, ulong>(bytes[..(fullBytes * 8)]);
        for (int j = 0; j < fullBytes; j++)
            asLongs[j] = ByteToBytes[(int)((words[j >> 3] >> ((j & 7) * 8)) & 0xFF)];
        for (int x = fullBytes * 8; x < n; x++)
            bytes[x] = (byte)((words[x >> 6] >> (x & 63)) & 1);
    }

    private static ulong[] BuildByteToBytes()
    {
        var table = new ulong[256];
        for (int v = 0; v < 256; v++)
        {
            ulong t = 0;
            for (int bit = 0; bit < 8; bit++)
            {
                if ((v & (1 << bit)) != 0)
                    t |= 1UL << (8 * bit);
            }
            table[v] = t;
        }
        return table;
    }
}

/// <summary>Plain twins of <see cref="Morphology"/>: every ball offset of every voxel, clipped to the slab.</summary>
internal static class MorphologyReference
{
    public static void Erode(ReadOnlySpan<byte> input, VolumeShape shape, Ball ball, int firstOutputSlice, Span<byte> output) =>
        Apply(input, shape, ball, firstOutputSlice, output, erode: true);

    public static void Dilate(ReadOnlySpan<byte> input, VolumeShape shape, Ball ball, int firstOutputSlice, Span<byte> output) =>
        Apply(input, shape, ball, firstOutputSlice, output, erode: false);

    private static void Apply(ReadOnlySpan<byte> input, VolumeShape shape, Ball ball, int firstOutputSlice, Span<byte> output, bool erode)
    {
        int n = MedianFilter.CheckSlab(input.Length, shape, firstOutputSlice, output.Length);
        int r = ball.Radius;
        for (int zo = 0; zo < n; zo++)
        {
            int z = firstOutputSlice + zo;
            for (int y = 0; y < shape.Height; y++)
            for (int x = 0; x < shape.Width; x++)
            {
                bool result = erode;
                for (int dz = -r; dz <= r; dz++)
                for (int dy = -r; dy <= r; dy++)
                for (int dx = -r; dx <= r; dx++)
                {
                    if (dz * dz + dy * dy + dx * dx > r * r)
                        continue;
                    int zz = z + dz, yy = y + dy, xx = x + dx;
                    if (zz < 0 || zz >= shape.Depth || yy < 0 || yy >= shape.Height || xx < 0 || xx >= shape.Width)
                        continue;
                    bool on = input[(int)shape.Index(zz, yy, xx)] != 0;
                    result = erode ? result && on : result || on;
                }
                output[(zo * shape.Height + y) * shape.Width + x] = result ? (byte)1 : (byte)0;
            }
        }
    }

    public static void ErodeGrey<T>(ReadOnlySpan<T> input, VolumeShape shape, Ball ball, int firstOutputSlice, Span<T> output)
        where T : unmanaged, INumber<T> => ApplyGrey(input, shape, ball, firstOutputSlice, output, erode: true);

    public static void DilateGrey<T>(ReadOnlySpan<T> input, VolumeShape shape, Ball ball, int firstOutputSlice, Span<T> output)
        where T : unmanaged, INumber<T> => ApplyGrey(input, shape, ball, firstOutputSlice, output, erode: false);

    private static void ApplyGrey<T>(ReadOnlySpan<T> input, VolumeShape shape, Ball ball, int firstOutputSlice, Span<T> output, bool erode)
        where T : unmanaged, INumber<T>
    {
        int n = MedianFilter.CheckSlab(input.Length, shape, firstOutputSlice, output.Length);
        int r = ball.Radius;
        for (int zo = 0; zo < n; zo++)
        {
            int z = firstOutputSlice + zo;
            for (int y = 0; y < shape.Height; y++)
            for (int x = 0; x < shape.Width; x++)
            {
                T result = input[(int)shape.Index(z, y, x)];
                for (int dz = -r; dz <= r; dz++)
                for (int dy = -r; dy <= r; dy++)
                for (int dx = -r; dx <= r; dx++)
                {
                    if (dz * dz + dy * dy + dx * dx > r * r)
                        continue;
                    int zz = z + dz, yy = y + dy, xx = x + dx;
                    if (zz < 0 || zz >= shape.Depth || yy < 0 || yy >= shape.Height || xx < 0 || xx >= shape.Width)
                        continue;
                    T v = input[(int)shape.Index(zz, yy, xx)];
                    result = erode ? T.Min(result, v) : T.Max(result, v);
                }
                output[(zo * shape.Height + y) * shape.Width + x] = result;
            }
        }
    }
}
