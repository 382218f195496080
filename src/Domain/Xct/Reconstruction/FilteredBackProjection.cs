using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MathNet.Numerics.IntegralTransforms;

namespace XcsCt.Domain.Xct.Reconstruction;

/// <summary>Ramp-filter windows of filtered back projection.</summary>
public enum FbpFilterKind
{
    /// <summary>Ram-Lak: the bare ramp |nu| (Kak and Slaney's band-limited discrete form).</summary>
    RamLak,

    /// <summary>Shepp-Logan: the ramp times sinc(nu), nu in cycles per pixel (gain 2/pi at Nyquist).</summary>
    SheppLogan,
}

/// <summary>
/// The ramp filter of filtered back projection for one detector width, built once and applied to
/// every projection row (Kak and Slaney, Principles of Computerized Tomographic Imaging, eq. 3.61):
/// the band-limited spatial ramp h(0) = 1/4, h(n odd) = -1 / (pi^2 n^2), h(n even) = 0 (pixel units),
/// transformed over a zero-padded length P = the power of two at or above 2 * cols (no wrap-around),
/// times the window of <see cref="FbpFilterKind"/>. The response is built with MathNet's real FFT;
/// rows are filtered two at a time with <see cref="ComplexFft"/>.
/// </summary>
public sealed class FbpFilter
{
    private readonly float[] _response;
    private readonly float[] _fullResponse;
    private readonly ComplexFft _fft;

    /// <param name="cols">Detector columns of the projections.</param>
    /// <param name="kind">Window (default Ram-Lak).</param>
    /// <param name="minimumPadding">Padded length at least this many times <paramref name="cols"/> (default 2).</param>
    public FbpFilter(int cols, FbpFilterKind kind = FbpFilterKind.RamLak, int minimumPadding = 2)
    {
        if (cols <= 0)
            throw new InputException($"FBP filter: {cols} detector columns is not valid");
        if (minimumPadding < 2)
            throw new InputException($"FBP filter: zero padding must be at least 2 times the detector width, found {minimumPadding}");
        Cols = cols;
        Kind = kind;
        Padded = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(minimumPadding * cols));
        _fft = new ComplexFft(Padded);
        int p = Padded;
        var h = new double[p + 2];
        h[0] = 0.25;
        for (int n = 1; n < p / 2; n++)
        {
            if (n % 2 == 1)
                h[n] = h[p - n] = -1 / (Math.PI * Math.PI * n * n);
        }
        h[p / 2] = (p / 2) % 2 == 1 ? -1 / (Math.PI * Math.PI * (p / 2) * (p / 2)) : 0;
        Fourier.ForwardReal(h, p, FourierOptions.Matlab);
        _response = new float[p / 2 + 1];
        for (int k = 0; k <= p / 2; k++)
        {
            double nu = (double)k / p;
            double window = kind == FbpFilterKind.SheppLogan && k > 0 ? Math.Sin(Math.PI * nu) / (Math.PI * nu) : 1;
            _response[k] = (float)(h[2 * k] * window);
        }
        _fullResponse = new float[p];
        for (int k = 0; k < p; k++)
            _fullResponse[k] = _response[Math.Min(k, p - k)];
    }

    public int Cols { get; }

    public FbpFilterKind Kind { get; }

    /// <summary>Zero-padded FFT length.</summary>
    public int Padded { get; }

    /// <summary>Filter response at frequency k / <see cref="Padded"/> cycles per pixel, k = 0..P/2.</summary>
    public ReadOnlySpan<float> Response => _response;

    /// <summary>
    /// Filters one or two projection rows in place (<see cref="Cols"/> values each; <paramref name="second"/>
    /// may be empty): both go through one complex FFT, as real and imaginary part, which the real and
    /// even filter response keeps apart.
    /// </summary>
    public void Apply(Span<float> first, Span<float> second, Scratch scratch)
    {
        if (first.Length != Cols || (!second.IsEmpty && second.Length != Cols))
            throw new ArgumentException($"FBP filter for {Cols} columns given rows of {first.Length} and {second.Length}");
        var re = scratch.Real;
        var im = scratch.Imaginary;
        first.CopyTo(re);
        re.AsSpan(Cols).Clear();
        if (second.IsEmpty)
            im.AsSpan().Clear();
        else
        {
            second.CopyTo(im);
            im.AsSpan(Cols).Clear();
        }
        _fft.Forward(re, im);
        var h = _fullResponse;
        for (int k = 0; k < re.Length; k++)
        {
            re[k] *= h[k];
            im[k] *= h[k];
        }
        _fft.Inverse(re, im);
        re.AsSpan(0, Cols).CopyTo(first);
        if (!second.IsEmpty)
            im.AsSpan(0, Cols).CopyTo(second);
    }

    /// <summary>A new per-thread scratch for <see cref="Apply"/>.</summary>
    public Scratch NewScratch() => new(Padded);

    /// <summary>Work arrays of one filtering thread.</summary>
    public sealed class Scratch(int padded)
    {
        internal float[] Real { get; } = new float[padded];

        internal float[] Imaginary { get; } = new float[padded];
    }
}

/// <summary>
/// Filtered back projection of parallel-beam sinograms (Kak and Slaney eq. 3.61): each projection
/// row is ramp-filtered (<see cref="FbpFilter"/>), then f(x, y) = (pi / N) sum over the N angles of
/// q_theta(x cos theta + y sin theta + c), linearly interpolated, with c the rotation centre in
/// detector pixels and x, y measured from the image centre in pixels (see <see cref="SheppLogan"/>).
/// Angles should cover 180 degrees evenly (a 360-degree scan is first stitched or used as is: the
/// pi / N weight stays right for both). Result in attenuation per pixel.
/// </summary>
public static class FilteredBackProjection
{
    /// <summary>
    /// Reconstructs one slice.
    /// </summary>
    /// <param name="sinogram">Angles x detector columns, -log transmission; not modified.</param>
    /// <param name="anglesRad">Projection angles, radians (length = rows of the sinogram).</param>
    /// <param name="cols">Detector columns.</param>
    /// <param name="centre">Rotation axis on the detector, pixels from the centre of column 0.</param>
    /// <param name="size">Output image is size x size pixels.</param>
    /// <param name="filter">Filter for <paramref name="cols"/> columns (build once per detector width).</param>
    /// <param name="threads">Cores to use (default all).</param>
    public static float[] Reconstruct(ReadOnlySpan<float> sinogram, IReadOnlyList<double> anglesRad, int cols, double centre, int size, FbpFilter filter, int threads = 0)
    {
        var filtered = Filter(sinogram, anglesRad.Count, cols, filter, threads);
        var image = new float[size * size];
        BackProjector.BackProject(filtered, anglesRad, cols, centre, size, image, threads);
        return image;
    }

    /// <summary>Ramp-filters every row of a sinogram (a new array), rows in parallel.</summary>
    public static float[] Filter(ReadOnlySpan<float> sinogram, int angles, int cols, FbpFilter filter, int threads = 0)
    {
        if (sinogram.Length != angles * cols)
            throw new InputException($"FBP: the sinogram holds {sinogram.Length} values, {angles} angles x {cols} columns need {angles * cols}");
        if (filter.Cols != cols)
            throw new ArgumentException($"FBP filter is for {filter.Cols} columns, the sinogram has {cols}");
        var filtered = sinogram.ToArray();
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        int pairs = (angles + 1) / 2;
        Parallel.For(0, pairs, options, filter.NewScratch, (pair, _, scratch) =>
        {
            int a = 2 * pair;
            filter.Apply(filtered.AsSpan(a * cols, cols), a + 1 < angles ? filtered.AsSpan((a + 1) * cols, cols) : [], scratch);
            return scratch;
        }, _ => { });
        return filtered;
    }
}

/// <summary>
/// Back projection with linear interpolation, the hot loop of FBP. Pixels are processed in tiles of
/// 64 x 32 that stay in L1 while all angles are added in order; along each tile row 16 pixels at a
/// time (AVX-512), the two interpolation samples of all 16 come from one 32-value window of the
/// zero-padded projection row through two-register permutes (vpermt2ps) instead of gathers. Without
/// AVX-512 the same tiles run in scalar code. Both equal <see cref="BackProjectorReference"/> within
/// float rounding.
/// </summary>
public static class BackProjector
{
    private const int TileWidth = 64;
    private const int TileHeight = 32;

    /// <summary>Adds (pi / N) sum_theta q_theta(x cos + y sin + centre) into <paramref name="image"/> (size x size, overwritten).</summary>
    public static void BackProject(ReadOnlySpan<float> filtered, IReadOnlyList<double> anglesRad, int cols, double centre, int size, Span<float> image, int threads = 0) =>
        Run(filtered, anglesRad, cols, centre, size, image, threads, Avx512F.IsSupported);

    /// <summary>The same without AVX-512 (tests hold both paths equal).</summary>
    internal static void BackProjectScalar(ReadOnlySpan<float> filtered, IReadOnlyList<double> anglesRad, int cols, double centre, int size, Span<float> image, int threads = 0) =>
        Run(filtered, anglesRad, cols, centre, size, image, threads, useAvx512: false);

    private static void Run(ReadOnlySpan<float> filtered, IReadOnlyList<double> anglesRad, int cols, double centre, int size, Span<float> image, int threads, bool useAvx512)
    {
        int angles = anglesRad.Count;
        if (filtered.Length != angles * cols)
            throw new InputException($"back projection: {filtered.Length} values, {angles} angles x {cols} columns need {angles * cols}");
        if (image.Length != size * size)
            throw new ArgumentException($"back projection: image of {image.Length} pixels is not {size} x {size}");
        if (angles == 0)
            throw new InputException("back projection: no projections");

        // Zero-padded projection rows: any pixel of the padded tiles maps inside a row, with room for the
        // 32-value permute windows (17 values to the left of a sample, 18 to the right).
        int widthTiles = (size + TileWidth - 1) / TileWidth, heightTiles = (size + TileHeight - 1) / TileHeight;
        double cImage = (size - 1) / 2.0;
        double reach = (Math.Max(Math.Max(cImage, widthTiles * TileWidth - 1 - cImage), heightTiles * TileHeight - 1 - cImage) + 1) * Math.Sqrt(2);
        int pad = Math.Max(Math.Max(0, (int)Math.Ceiling(reach - centre)), Math.Max(0, (int)Math.Ceiling(centre + reach - cols))) + 40;
        int stride = cols + 2 * pad;
        var rows = new float[angles * stride];
        for (int a = 0; a < angles; a++)
            filtered.Slice(a * cols, cols).CopyTo(rows.AsSpan(a * stride + pad, cols));

        var cos = new float[angles];
        var sin = new float[angles];
        for (int a = 0; a < angles; a++)
        {
            cos[a] = (float)Math.Cos(anglesRad[a]);
            sin[a] = (float)Math.Sin(anglesRad[a]);
        }
        float weight = (float)(Math.PI / angles);
        float c = (size - 1) / 2f;
        float origin = (float)centre + pad;
        int paddedWidth = widthTiles * TileWidth;
        var result = new float[heightTiles * TileHeight * paddedWidth];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
        Parallel.For(0, widthTiles * heightTiles, options, () => new float[TileWidth * TileHeight], (tile, _, acc) =>
        {
            int tx = tile % widthTiles, ty = tile / widthTiles;
            Array.Clear(acc);
            float x0 = tx * TileWidth - c, y0 = ty * TileHeight - c;
            if (useAvx512)
                TileAvx512(rows, stride, cos, sin, origin, x0, y0, acc);
            else
                TileScalar(rows, stride, cos, sin, origin, x0, y0, acc);
            for (int i = 0; i < TileHeight; i++)
            {
                var dst = result.AsSpan((ty * TileHeight + i) * paddedWidth + tx * TileWidth, TileWidth);
                for (int j = 0; j < TileWidth; j++)
                    dst[j] = acc[i * TileWidth + j] * weight;
            }
            return acc;
        }, _ => { });
        for (int i = 0; i < size; i++)
            result.AsSpan(i * paddedWidth, size).CopyTo(image.Slice(i * size, size));
    }

    private static void TileScalar(float[] rows, int stride, float[] cos, float[] sin, float origin, float x0, float y0, float[] acc)
    {
        for (int a = 0; a < cos.Length; a++)
        {
            float ca = cos[a], sa = sin[a];
            var row = rows.AsSpan(a * stride, stride);
            for (int i = 0; i < TileHeight; i++)
            {
                float tRow = x0 * ca + (y0 + i) * sa + origin;
                var line = acc.AsSpan(i * TileWidth, TileWidth);
                for (int j = 0; j < TileWidth; j++)
                {
                    float t = tRow + j * ca;
                    int k = (int)t;
                    float f = t - k;
                    float p0 = row[k];
                    line[j] += p0 + f * (row[k + 1] - p0);
                }
            }
        }
    }

    /// <summary>Angles added to register accumulators before they go back to the tile in L1.</summary>
    private const int AngleBlock = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileAvx512(float[] rows, int stride, float[] cos, float[] sin, float origin, float x0, float y0, float[] acc)
    {
        var lanes = Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        ref float accRef = ref MemoryMarshal.GetArrayDataReference(acc);
        ref float rowsRef = ref MemoryMarshal.GetArrayDataReference(rows);
        for (int a0 = 0; a0 < cos.Length; a0 += AngleBlock)
        {
            int a1 = Math.Min(cos.Length, a0 + AngleBlock);
            for (int i = 0; i < TileHeight; i += 2)
            {
                // Two tile rows x four 16-pixel blocks stay in registers over the angle block.
                ref float line0 = ref Unsafe.Add(ref accRef, i * TileWidth);
                ref float line1 = ref Unsafe.Add(ref accRef, (i + 1) * TileWidth);
                var s00 = Vector512.LoadUnsafe(ref line0, 0);
                var s01 = Vector512.LoadUnsafe(ref line0, 16);
                var s02 = Vector512.LoadUnsafe(ref line0, 32);
                var s03 = Vector512.LoadUnsafe(ref line0, 48);
                var s10 = Vector512.LoadUnsafe(ref line1, 0);
                var s11 = Vector512.LoadUnsafe(ref line1, 16);
                var s12 = Vector512.LoadUnsafe(ref line1, 32);
                var s13 = Vector512.LoadUnsafe(ref line1, 48);
                for (int a = a0; a < a1; a++)
                {
                    float ca = cos[a], sa = sin[a];
                    var laneT = lanes * ca;
                    // Window start relative to lane 0's sample: lanes move right when cos >= 0, left otherwise.
                    int shift = ca >= 0 ? 1 : 17;
                    float step = 16 * ca;
                    ref float row = ref Unsafe.Add(ref rowsRef, a * stride);
                    float t0 = x0 * ca + (y0 + i) * sa + origin;
                    float t1 = t0 + sa;
                    s00 += Sample(ref row, t0, laneT, shift);
                    s01 += Sample(ref row, t0 + step, laneT, shift);
                    s02 += Sample(ref row, t0 + 2 * step, laneT, shift);
                    s03 += Sample(ref row, t0 + 3 * step, laneT, shift);
                    s10 += Sample(ref row, t1, laneT, shift);
                    s11 += Sample(ref row, t1 + step, laneT, shift);
                    s12 += Sample(ref row, t1 + 2 * step, laneT, shift);
                    s13 += Sample(ref row, t1 + 3 * step, laneT, shift);
                }
                s00.StoreUnsafe(ref line0, 0);
                s01.StoreUnsafe(ref line0, 16);
                s02.StoreUnsafe(ref line0, 32);
                s03.StoreUnsafe(ref line0, 48);
                s10.StoreUnsafe(ref line1, 0);
                s11.StoreUnsafe(ref line1, 16);
                s12.StoreUnsafe(ref line1, 32);
                s13.StoreUnsafe(ref line1, 48);
            }
        }
    }

    /// <summary>
    /// Linear interpolation of a padded projection row at t + lane * cos for 16 lanes: both samples of
    /// every lane come from the 32 values starting <paramref name="shift"/> left of lane 0's sample.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Sample(ref float row, float t, Vector512<float> laneT, int shift)
    {
        var tv = Vector512.Create(t) + laneT;
        var k = Avx512F.ConvertToVector512Int32WithTruncation(tv);
        int start = (int)t - shift;
        var rel = k - Vector512.Create(start);
        var lo = Vector512.LoadUnsafe(ref row, (nuint)start);
        var hi = Vector512.LoadUnsafe(ref row, (nuint)(start + 16));
        var p0 = Avx512F.PermuteVar16x32x2(lo, rel, hi);
        var p1 = Avx512F.PermuteVar16x32x2(lo, rel + Vector512<int>.One, hi);
        var f = tv - Avx512F.ConvertToVector512Single(k);
        return Avx512F.FusedMultiplyAdd(f, p1 - p0, p0);
    }
}

/// <summary>Plain twin of <see cref="BackProjector"/>: per pixel, per angle, in double precision.</summary>
internal static class BackProjectorReference
{
    public static void BackProject(ReadOnlySpan<float> filtered, IReadOnlyList<double> anglesRad, int cols, double centre, int size, Span<float> image)
    {
        int angles = anglesRad.Count;
        double c = (size - 1) / 2.0;
        for (int i = 0; i < size; i++)
        {
            for (int j = 0; j < size; j++)
            {
                double x = j - c, y = i - c, sum = 0;
                for (int a = 0; a < angles; a++)
                {
                    double t = x * Math.Cos(anglesRad[a]) + y * Math.Sin(anglesRad[a]) + centre;
                    int k = (int)Math.Floor(t);
                    double f = t - k;
                    double p0 = k >= 0 && k < cols ? filtered[a * cols + k] : 0;
                    double p1 = k + 1 >= 0 && k + 1 < cols ? filtered[a * cols + k + 1] : 0;
                    sum += p0 + f * (p1 - p0);
                }
                image[i * size + j] = (float)(sum * Math.PI / angles);
            }
        }
    }
}
