using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XcsCt.Domain.Detector;

/// <summary>
/// A shift of a bit plane (one bit per pixel, raster order, 64 pixels per word) by a signed number of
/// pixels, split once into whole words and a remaining bit count.
/// </summary>
internal readonly struct BitShift
{
    private BitShift(int pixels)
    {
        Words = pixels >> 6;
        Bits = pixels & 63;
        Right = Vector128.CreateScalar((ulong)Bits);
        Left = Vector128.CreateScalar((ulong)(63 - Bits));
    }

    /// <summary>floor(pixels / 64), negative for shifts towards earlier pixels.</summary>
    public int Words { get; }

    /// <summary>pixels mod 64, 0..63.</summary>
    public int Bits { get; }

    /// <summary><see cref="Bits"/> and <c>63 - Bits</c> as SIMD shift counts (no masking of the count, no per-use conversion).</summary>
    public Vector128<ulong> Right { get; }
    public Vector128<ulong> Left { get; }

    /// <summary>The shift that brings the bit of pixel <c>p + <paramref name="pixels"/></c> to position p.</summary>
    public static BitShift Of(int pixels) => new(pixels);
}

/// <summary>
/// Consecutive 64-bit words of a bit plane handled together: one AVX-512 or AVX2 register, or one
/// word. The charge-sharing planes of <see cref="FrameKernel"/> are written once against this and
/// run at every width; <see cref="Lanes64"/> is the plain scalar twin.
/// </summary>
internal interface IBitLanes<TSelf> where TSelf : struct, IBitLanes<TSelf>
{
    /// <summary>Words per value.</summary>
    static abstract int Words { get; }

    static abstract TSelf Load(ref ulong plane, nint word);

    static abstract void Store(ref ulong plane, nint word, TSelf value);

    /// <summary>
    /// Bits of pixels <c>p + shift</c> for the pixels p of words <c>word .. word + Words - 1</c>: reads
    /// the plane around those words (the caller keeps zero padding there).
    /// </summary>
    static abstract TSelf Shifted(ref ulong plane, nint word, BitShift shift);

    /// <summary>Bit i set when word i of <paramref name="value"/> is not zero (i &lt; Words).</summary>
    static abstract ulong NonZeroWords(TSelf value);

    static abstract TSelf operator &(TSelf a, TSelf b);

    static abstract TSelf operator |(TSelf a, TSelf b);

    /// <summary><c>a &amp; ~b</c>.</summary>
    static abstract TSelf AndNot(TSelf a, TSelf b);
}

/// <summary>Eight words per AVX-512 register.</summary>
internal readonly struct Lanes512(Vector512<ulong> bits) : IBitLanes<Lanes512>
{
    private readonly Vector512<ulong> _bits = bits;

    public static int Words => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Load(ref ulong plane, nint word) => new(Vector512.LoadUnsafe(ref Unsafe.Add(ref plane, word)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ref ulong plane, nint word, Lanes512 value) => value._bits.StoreUnsafe(ref Unsafe.Add(ref plane, word));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Shifted(ref ulong plane, nint word, BitShift shift)
    {
        // high << (64 - bits) as (high << (63 - bits)) << 1: no shift by 64 when bits is 0.
        ref ulong at = ref Unsafe.Add(ref plane, word + shift.Words);
        var low = Vector512.LoadUnsafe(ref at);
        var high = Vector512.LoadUnsafe(ref Unsafe.Add(ref at, 1));
        if (Avx512F.IsSupported)
            return new(Avx512F.ShiftRightLogical(low, shift.Right) | Avx512F.ShiftLeftLogical(Avx512F.ShiftLeftLogical(high, shift.Left), 1));
        return new(Vector512.ShiftRightLogical(low, shift.Bits) | Vector512.ShiftLeft(Vector512.ShiftLeft(high, 63 - shift.Bits), 1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NonZeroWords(Lanes512 value) => ~Vector512.Equals(value._bits, Vector512<ulong>.Zero).ExtractMostSignificantBits() & 0xFF;

    public static Lanes512 operator &(Lanes512 a, Lanes512 b) => new(a._bits & b._bits);

    public static Lanes512 operator |(Lanes512 a, Lanes512 b) => new(a._bits | b._bits);

    public static Lanes512 AndNot(Lanes512 a, Lanes512 b) => new(Vector512.AndNot(a._bits, b._bits));
}

/// <summary>Four words per AVX2 register.</summary>
internal readonly struct Lanes256(Vector256<ulong> bits) : IBitLanes<Lanes256>
{
    private readonly Vector256<ulong> _bits = bits;

    public static int Words => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Load(ref ulong plane, nint word) => new(Vector256.LoadUnsafe(ref Unsafe.Add(ref plane, word)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ref ulong plane, nint word, Lanes256 value) => value._bits.StoreUnsafe(ref Unsafe.Add(ref plane, word));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Shifted(ref ulong plane, nint word, BitShift shift)
    {
        ref ulong at = ref Unsafe.Add(ref plane, word + shift.Words);
        var low = Vector256.LoadUnsafe(ref at);
        var high = Vector256.LoadUnsafe(ref Unsafe.Add(ref at, 1));
        if (Avx2.IsSupported)
            return new(Avx2.ShiftRightLogical(low, shift.Right) | Avx2.ShiftLeftLogical(Avx2.ShiftLeftLogical(high, shift.Left), 1));
        return new(Vector256.ShiftRightLogical(low, shift.Bits) | Vector256.ShiftLeft(Vector256.ShiftLeft(high, 63 - shift.Bits), 1));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NonZeroWords(Lanes256 value) => ~Vector256.Equals(value._bits, Vector256<ulong>.Zero).ExtractMostSignificantBits() & 0xF;

    public static Lanes256 operator &(Lanes256 a, Lanes256 b) => new(a._bits & b._bits);

    public static Lanes256 operator |(Lanes256 a, Lanes256 b) => new(a._bits | b._bits);

    public static Lanes256 AndNot(Lanes256 a, Lanes256 b) => new(Vector256.AndNot(a._bits, b._bits));
}

/// <summary>One word: the scalar twin of the vector widths.</summary>
internal readonly struct Lanes64(ulong bits) : IBitLanes<Lanes64>
{
    private readonly ulong _bits = bits;

    public static int Words => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes64 Load(ref ulong plane, nint word) => new(Unsafe.Add(ref plane, word));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ref ulong plane, nint word, Lanes64 value) => Unsafe.Add(ref plane, word) = value._bits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes64 Shifted(ref ulong plane, nint word, BitShift shift)
    {
        ref ulong at = ref Unsafe.Add(ref plane, word + shift.Words);
        return new(at >> shift.Bits | Unsafe.Add(ref at, 1) << (63 - shift.Bits) << 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong NonZeroWords(Lanes64 value) => value._bits != 0 ? 1UL : 0UL;

    public static Lanes64 operator &(Lanes64 a, Lanes64 b) => new(a._bits & b._bits);

    public static Lanes64 operator |(Lanes64 a, Lanes64 b) => new(a._bits | b._bits);

    public static Lanes64 AndNot(Lanes64 a, Lanes64 b) => new(a._bits & ~b._bits);
}
