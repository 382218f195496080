using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace XcsCt.Domain.Detector;

/// <summary>
/// One mask step of the frame kernel: 64 consecutive pixels in, one bit per pixel out (bit i is
/// pixel i). Implemented once per vector width; the loop that drives it lives once in
/// <see cref="FrameKernel"/>. Every width gives the same bits as <see cref="MaskScalar"/>.
/// </summary>
internal interface IPixelMask
{
    /// <summary>Bit i set when <c>values[i] &gt;= cuts[i]</c> (unsigned), for i = 0..63.</summary>
    static abstract ulong AtLeast(ref ushort values, ref ushort cuts);

    /// <summary>Both compares of one reading against two cut maps, the readings loaded once: returns the bits for <paramref name="cutsA"/>.</summary>
    static abstract ulong AtLeast(ref ushort values, ref ushort cutsA, ref ushort cutsB, out ulong bitsB);

    /// <summary>Bit i set when <c>values[i] != 0</c> (NaN counts as non-zero); <paramref name="nonFinite"/> marks NaN and infinities.</summary>
    static abstract ulong NonZero(ref float values, out ulong nonFinite);
}

/// <summary>AVX-512: 32 pixels per compare.</summary>
internal readonly struct Mask512 : IPixelMask
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtLeast(ref ushort values, ref ushort cuts)
    {
        ulong lo = Vector512.GreaterThanOrEqual(Vector512.LoadUnsafe(ref values), Vector512.LoadUnsafe(ref cuts)).ExtractMostSignificantBits();
        ulong hi = Vector512.GreaterThanOrEqual(Vector512.LoadUnsafe(ref values, 32), Vector512.LoadUnsafe(ref cuts, 32)).ExtractMostSignificantBits();
        return lo | hi << 32;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtLeast(ref ushort values, ref ushort cutsA, ref ushort cutsB, out ulong bitsB)
    {
        var lo = Vector512.LoadUnsafe(ref values);
        var hi = Vector512.LoadUnsafe(ref values, 32);
        bitsB = Vector512.GreaterThanOrEqual(lo, Vector512.LoadUnsafe(ref cutsB)).ExtractMostSignificantBits()
            | Vector512.GreaterThanOrEqual(hi, Vector512.LoadUnsafe(ref cutsB, 32)).ExtractMostSignificantBits() << 32;
        return Vector512.GreaterThanOrEqual(lo, Vector512.LoadUnsafe(ref cutsA)).ExtractMostSignificantBits()
            | Vector512.GreaterThanOrEqual(hi, Vector512.LoadUnsafe(ref cutsA, 32)).ExtractMostSignificantBits() << 32;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NonZero(ref float values, out ulong nonFinite)
    {
        ulong zero = 0, finite = 0;
        for (int k = 0; k < 4; k++)
        {
            var v = Vector512.LoadUnsafe(ref values, (nuint)(k * 16));
            zero |= Vector512.Equals(v, Vector512<float>.Zero).ExtractMostSignificantBits() << (k * 16);
            finite |= Vector512.Equals(v - v, Vector512<float>.Zero).ExtractMostSignificantBits() << (k * 16);
        }
        nonFinite = ~finite;
        return ~zero;
    }
}

/// <summary>AVX2: 16 pixels per compare.</summary>
internal readonly struct Mask256 : IPixelMask
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtLeast(ref ushort values, ref ushort cuts)
    {
        ulong bits = 0;
        for (int k = 0; k < 4; k++)
        {
            nuint at = (nuint)(k * 16);
            bits |= (ulong)Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref values, at), Vector256.LoadUnsafe(ref cuts, at)).ExtractMostSignificantBits() << (k * 16);
        }
        return bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtLeast(ref ushort values, ref ushort cutsA, ref ushort cutsB, out ulong bitsB)
    {
        ulong a = 0, b = 0;
        for (int k = 0; k < 4; k++)
        {
            nuint at = (nuint)(k * 16);
            var v = Vector256.LoadUnsafe(ref values, at);
            a |= (ulong)Vector256.GreaterThanOrEqual(v, Vector256.LoadUnsafe(ref cutsA, at)).ExtractMostSignificantBits() << (k * 16);
            b |= (ulong)Vector256.GreaterThanOrEqual(v, Vector256.LoadUnsafe(ref cutsB, at)).ExtractMostSignificantBits() << (k * 16);
        }
        bitsB = b;
        return a;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NonZero(ref float values, out ulong nonFinite)
    {
        ulong zero = 0, finite = 0;
        for (int k = 0; k < 8; k++)
        {
            var v = Vector256.LoadUnsafe(ref values, (nuint)(k * 8));
            zero |= (ulong)Vector256.Equals(v, Vector256<float>.Zero).ExtractMostSignificantBits() << (k * 8);
            finite |= (ulong)Vector256.Equals(v - v, Vector256<float>.Zero).ExtractMostSignificantBits() << (k * 8);
        }
        nonFinite = ~finite;
        return ~zero;
    }
}

/// <summary>SSE / AdvSimd: 8 pixels per compare.</summary>
internal readonly struct Mask128 : IPixelMask
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtLeast(ref ushort values, ref ushort cuts)
    {
        ulong bits = 0;
        for (int k = 0; k < 8; k++)
        {
            nuint at = (nuint)(k * 8);
            bits |= (ulong)Vector128.GreaterThanOrEqual(Vector128.LoadUnsafe(ref values, at), Vector128.LoadUnsafe(ref cuts, at)).ExtractMostSignificantBits() << (k * 8);
        }
        return bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong AtLeast(ref ushort values, ref ushort cutsA, ref ushort cutsB, out ulong bitsB)
    {
        ulong a = 0, b = 0;
        for (int k = 0; k < 8; k++)
        {
            nuint at = (nuint)(k * 8);
            var v = Vector128.LoadUnsafe(ref values, at);
            a |= (ulong)Vector128.GreaterThanOrEqual(v, Vector128.LoadUnsafe(ref cutsA, at)).ExtractMostSignificantBits() << (k * 8);
            b |= (ulong)Vector128.GreaterThanOrEqual(v, Vector128.LoadUnsafe(ref cutsB, at)).ExtractMostSignificantBits() << (k * 8);
        }
        bitsB = b;
        return a;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NonZero(ref float values, out ulong nonFinite)
    {
        ulong zero = 0, finite = 0;
        for (int k = 0; k < 16; k++)
        {
            var v = Vector128.LoadUnsafe(ref values, (nuint)(k * 4));
            zero |= (ulong)Vector128.Equals(v, Vector128<float>.Zero).ExtractMostSignificantBits() << (k * 4);
            finite |= (ulong)Vector128.Equals(v - v, Vector128<float>.Zero).ExtractMostSignificantBits() << (k * 4);
        }
        nonFinite = ~finite;
        return ~zero;
    }
}

/// <summary>Plain loop: the fallback without SIMD, and the tail of a frame that is not a multiple of 64 pixels.</summary>
internal readonly struct MaskScalar : IPixelMask
{
    public static ulong AtLeast(ref ushort values, ref ushort cuts) => AtLeast(ref values, ref cuts, 64);

    public static ulong NonZero(ref float values, out ulong nonFinite) => NonZero(ref values, 64, out nonFinite);

    public static ulong AtLeast(ref ushort values, ref ushort cutsA, ref ushort cutsB, out ulong bitsB)
    {
        bitsB = AtLeast(ref values, ref cutsB, 64);
        return AtLeast(ref values, ref cutsA, 64);
    }

    /// <summary>The first <paramref name="count"/> (at most 64) pixels only; higher bits are 0.</summary>
    public static ulong AtLeast(ref ushort values, ref ushort cuts, int count)
    {
        ulong bits = 0;
        for (int i = 0; i < count; i++)
            if (Unsafe.Add(ref values, i) >= Unsafe.Add(ref cuts, i)) bits |= 1UL << i;
        return bits;
    }

    /// <summary>The first <paramref name="count"/> (at most 64) values only; higher bits are 0.</summary>
    public static ulong NonZero(ref float values, int count, out ulong nonFinite)
    {
        ulong bits = 0;
        nonFinite = 0;
        for (int i = 0; i < count; i++)
        {
            float v = Unsafe.Add(ref values, i);
            if (v != 0f) bits |= 1UL << i;
            if (!float.IsFinite(v)) nonFinite |= 1UL << i;
        }
        return bits;
    }
}
