using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XcsCt.Domain.Xct.Reconstruction;

/// <summary>
/// Radix-2 complex FFT of one power-of-two length on split real/imaginary float arrays, twiddles and
/// bit-reversal table built once (Cooley and Tukey 1965, iterative decimation in time). Butterflies
/// run on <see cref="Vector{T}"/> lanes where a stage is wide enough. Used by the FBP ramp filter,
/// where it filters two real projection rows per transform (one as the real part, one as the
/// imaginary part: a real, even filter keeps them apart).
/// </summary>
public sealed class ComplexFft
{
    private readonly int[] _swapFrom;
    private readonly int[] _swapTo;
    private readonly float[] _cos;
    private readonly float[] _sin;

    /// <param name="length">Transform length, a power of two from 1 to 2^24.</param>
    public ComplexFft(int length)
    {
        if (length < 1 || length > 1 << 24 || (length & (length - 1)) != 0)
            throw new ArgumentException($"FFT length {length} is not a power of two in 1..2^24", nameof(length));
        Length = length;
        int bits = BitOperations.Log2((uint)length);
        var from = new List<int>();
        var to = new List<int>();
        for (int i = 0; i < length; i++)
        {
            int j = bits == 0 ? 0 : (int)(ReverseBits((uint)i) >> (32 - bits));
            if (i < j)
            {
                from.Add(i);
                to.Add(j);
            }
        }
        _swapFrom = from.ToArray();
        _swapTo = to.ToArray();
        // Twiddles of stage with half-size h at offset h - 1: exp(-2 pi i j / (2 h)), j < h.
        _cos = new float[Math.Max(1, length - 1)];
        _sin = new float[Math.Max(1, length - 1)];
        for (int half = 1; half < length; half <<= 1)
        {
            for (int j = 0; j < half; j++)
            {
                double angle = -Math.PI * j / half;
                _cos[half - 1 + j] = (float)Math.Cos(angle);
                _sin[half - 1 + j] = (float)Math.Sin(angle);
            }
        }
    }

    public int Length { get; }

    /// <summary>In-place forward transform X[k] = sum_n x[n] exp(-2 pi i k n / N), no scaling.</summary>
    public void Forward(Span<float> re, Span<float> im)
    {
        if (re.Length != Length || im.Length != Length)
            throw new ArgumentException($"FFT of length {Length} given {re.Length} real and {im.Length} imaginary values");
        for (int k = 0; k < _swapFrom.Length; k++)
        {
            int a = _swapFrom[k], b = _swapTo[k];
            (re[a], re[b]) = (re[b], re[a]);
            (im[a], im[b]) = (im[b], im[a]);
        }
        int v = Vector<float>.Count;
        ref float r = ref MemoryMarshal.GetReference(re);
        ref float i = ref MemoryMarshal.GetReference(im);
        for (int half = 1; half < Length; half <<= 1)
        {
            ref float wr = ref _cos[half - 1];
            ref float wi = ref _sin[half - 1];
            if (half >= v)
            {
                for (int k = 0; k < Length; k += 2 * half)
                {
                    for (int j = 0; j < half; j += v)
                    {
                        nuint p = (nuint)(k + j), q = p + (nuint)half;
                        var cr = Vector.LoadUnsafe(ref wr, (nuint)j);
                        var ci = Vector.LoadUnsafe(ref wi, (nuint)j);
                        var br = Vector.LoadUnsafe(ref r, q);
                        var bi = Vector.LoadUnsafe(ref i, q);
                        var tr = br * cr - bi * ci;
                        var ti = br * ci + bi * cr;
                        var ar = Vector.LoadUnsafe(ref r, p);
                        var ai = Vector.LoadUnsafe(ref i, p);
                        Vector.StoreUnsafe(ar + tr, ref r, p);
                        Vector.StoreUnsafe(ai + ti, ref i, p);
                        Vector.StoreUnsafe(ar - tr, ref r, q);
                        Vector.StoreUnsafe(ai - ti, ref i, q);
                    }
                }
            }
            else
            {
                for (int k = 0; k < Length; k += 2 * half)
                {
                    for (int j = 0; j < half; j++)
                    {
                        int p = k + j, q = p + half;
                        float cr = Unsafe.Add(ref wr, j), ci = Unsafe.Add(ref wi, j);
                        float br = Unsafe.Add(ref r, q), bi = Unsafe.Add(ref i, q);
                        float tr = br * cr - bi * ci, ti = br * ci + bi * cr;
                        float ar = Unsafe.Add(ref r, p), ai = Unsafe.Add(ref i, p);
                        Unsafe.Add(ref r, p) = ar + tr;
                        Unsafe.Add(ref i, p) = ai + ti;
                        Unsafe.Add(ref r, q) = ar - tr;
                        Unsafe.Add(ref i, q) = ai - ti;
                    }
                }
            }
        }
    }

    /// <summary>In-place inverse transform x[n] = (1/N) sum_k X[k] exp(+2 pi i k n / N).</summary>
    public void Inverse(Span<float> re, Span<float> im)
    {
        // ifft(x) = swap(fft(swap(x))) / N, swap exchanging real and imaginary parts.
        Forward(im, re);
        float scale = 1f / Length;
        foreach (ref float x in re) x *= scale;
        foreach (ref float x in im) x *= scale;
    }

    private static uint ReverseBits(uint x)
    {
        x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
        x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
        x = ((x >> 4) & 0x0F0F0F0Fu) | ((x & 0x0F0F0F0Fu) << 4);
        x = ((x >> 8) & 0x00FF00FFu) | ((x & 0x00FF00FFu) << 8);
        return (x >> 16) | (x << 16);
    }
}
