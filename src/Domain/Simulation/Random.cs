using System.Numerics;
using System.Runtime.CompilerServices;

namespace XcsCt.Domain.Simulation;

/// <summary>
/// xoshiro256** (Blackman &amp; Vigna 2018): a small, fast, seedable generator. A value type so each
/// chunk of frames owns its own stream; seeded through SplitMix64 from (seed, stream) so streams of
/// different chunks are independent and the output never depends on thread count.
/// </summary>
public struct Xoshiro256
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;

    public Xoshiro256(ulong seed, ulong stream = 0)
    {
        ulong x = seed ^ (stream * 0xD1B54A32D192ED03UL) ^ 0x9E3779B97F4A7C15UL;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
        _spare = 0; _hasSpare = false;
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Next()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform double in [0, 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal deviate (Marsaglia's polar method).</summary>
    public double NextNormal()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double f = Math.Sqrt(-2 * Math.Log(s) / s);
        _spare = v * f;
        _hasSpare = true;
        return u * f;
    }

    /// <summary>Poisson deviate with mean <paramref name="mean"/>: multiplication of uniforms below 30, Hoermann's PTRS above.</summary>
    public long NextPoisson(double mean)
    {
        if (!(mean > 0)) return 0;
        if (mean < 30)
        {
            double l = Math.Exp(-mean), p = 1;
            long k = 0;
            do { k++; p *= NextDouble(); } while (p > l);
            return k - 1;
        }
        // Hoermann's PTRS transformed rejection (1993).
        double slam = Math.Sqrt(mean), loglam = Math.Log(mean);
        double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
        double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            double u = NextDouble() - 0.5, v = NextDouble();
            double us = 0.5 - Math.Abs(u);
            long k = (long)Math.Floor((2 * a / us + b) * u + mean + 0.43);
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            double lhs = Math.Log(v * invalpha / (a / (us * us) + b));
            double rhs = -mean + k * loglam - MathNet.Numerics.SpecialFunctions.GammaLn(k + 1);
            if (lhs <= rhs) return k;
        }
    }
}

/// <summary>
/// Poisson draws of one fixed mean by inversion of a tabulated CDF (one uniform and a short search per
/// draw), falling back to <see cref="Xoshiro256.NextPoisson"/> for means above 1e4.
/// </summary>
public sealed class PoissonTable
{
    private readonly double[] _cdf;

    public PoissonTable(double mean)
    {
        Mean = mean;
        if (!(mean >= 0) || mean > 1e4) { _cdf = Array.Empty<double>(); return; }
        int n = (int)Math.Ceiling(mean + 12 * Math.Sqrt(mean) + 20);
        _cdf = new double[n];
        double logP = -mean, c = 0;
        for (int k = 0; k < n; k++)
        {
            if (k > 0) logP += Math.Log(mean / k);
            c += Math.Exp(logP);
            _cdf[k] = c;
        }
        _cdf[n - 1] = 1.0; // the tail beyond 12 sigma is below 1e-30
    }

    public double Mean { get; }

    /// <summary>One draw.</summary>
    public long Next(ref Xoshiro256 rng)
    {
        if (_cdf.Length == 0) return rng.NextPoisson(Mean);
        double u = rng.NextDouble();
        int lo = 0, hi = _cdf.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (_cdf[mid] > u) hi = mid; else lo = mid + 1;
        }
        return lo;
    }
}

/// <summary>
/// Walker/Vose alias table over n outcomes: one uniform draw picks an outcome with probability
/// proportional to its weight. Built once per distribution; sampling allocates nothing.
/// </summary>
public sealed class AliasTable
{
    private readonly double[] _prob;
    private readonly int[] _alias;

    /// <summary>Builds the table; weights must be non-negative with a positive sum.</summary>
    public AliasTable(ReadOnlySpan<double> weights)
    {
        int n = weights.Length;
        double total = 0;
        foreach (double w in weights)
        {
            if (!(w >= 0) || double.IsInfinity(w)) throw new ArgumentException("alias table weights must be finite and non-negative");
            total += w;
        }
        if (!(total > 0)) throw new ArgumentException("alias table weights must have a positive sum");
        Total = total;
        _prob = new double[n];
        _alias = new int[n];
        var scaled = new double[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (int i = 0; i < n; i++)
        {
            scaled[i] = weights[i] * n / total;
            _alias[i] = i;
            (scaled[i] < 1 ? small : large).Push(i);
        }
        while (small.Count > 0 && large.Count > 0)
        {
            int s = small.Pop(), l = large.Pop();
            _prob[s] = scaled[s];
            _alias[s] = l;
            scaled[l] = scaled[l] + scaled[s] - 1;
            (scaled[l] < 1 ? small : large).Push(l);
        }
        while (large.Count > 0) _prob[large.Pop()] = 1;
        while (small.Count > 0) _prob[small.Pop()] = 1;
    }

    /// <summary>Sum of the weights the table was built from.</summary>
    public double Total { get; }

    public int Count => _prob.Length;

    /// <summary>Draws an outcome index from 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Sample(ulong bits)
    {
        int i = (int)(((bits >> 32) * (ulong)_prob.Length) >> 32);
        double u = (bits & 0xFFFFFFFFUL) * (1.0 / 4294967296.0);
        return u < _prob[i] ? i : _alias[i];
    }
}

/// <summary>
/// A randomly shifted Halton sequence (Cranley-Patterson rotation of the radical inverses in the first
/// prime bases): coordinate k of point n is <c>frac(shift_k + phi_b(n))</c>, b the k-th prime. Its
/// low-dimensional projections fill [0, 1)^2 far more evenly than independent draws, so averages over
/// its points converge faster; the random shift keeps them unbiased. Radical inverses come from a
/// table of the first B = b^m integers (B &lt;= 4096): point n = lo + B hi reads table[lo] + table[hi] / B,
/// and <see cref="Advance"/> walks the points in order with a counter per coordinate (no division).
/// </summary>
public sealed class HaltonSequence
{
    private static readonly int[] Primes = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53 };
    private static readonly (int Block, double[] Table)[] Tables = BuildTables();
    private readonly double[] _shift, _invBlock;
    private readonly double[][] _table;
    private readonly int[] _block, _lo, _hi;
    private long _next = -1;

    /// <param name="dimensions">1 to 16.</param>
    /// <param name="rng">Draws the random shift.</param>
    public HaltonSequence(int dimensions, ref Xoshiro256 rng)
    {
        if (dimensions < 1 || dimensions > Primes.Length) throw new ArgumentOutOfRangeException(nameof(dimensions), $"1 to {Primes.Length} dimensions");
        _shift = new double[dimensions];
        for (int k = 0; k < dimensions; k++) _shift[k] = rng.NextDouble();
        _lo = new int[dimensions];
        _hi = new int[dimensions];
        _block = new int[dimensions];
        _invBlock = new double[dimensions];
        _table = new double[dimensions][];
        for (int k = 0; k < dimensions; k++)
        {
            (_block[k], _table[k]) = Tables[k];
            _invBlock[k] = 1.0 / _block[k];
        }
    }

    public int Dimensions => _shift.Length;

    /// <summary>Moves to the next point (the first call to point 0); read its coordinates with <see cref="Coordinate"/>.</summary>
    public void Advance()
    {
        if (_next++ < 0) return;
        for (int k = 0; k < _lo.Length; k++)
            if (++_lo[k] == _block[k]) { _lo[k] = 0; _hi[k]++; }
    }

    /// <summary>Coordinate <paramref name="k"/> of the current point.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Coordinate(int k)
    {
        int hi = _hi[k];
        if (hi >= _block[k]) return At(_next, k);
        double r = _table[k][_lo[k]] + _table[k][hi] * _invBlock[k] + _shift[k];
        return r >= 1 ? r - 1 : r;
    }

    private static (int, double[])[] BuildTables()
    {
        var t = new (int, double[])[Primes.Length];
        for (int k = 0; k < Primes.Length; k++)
        {
            int b = Primes[k], block = b;
            while (block * b <= 4096) block *= b;
            var table = new double[block];
            for (int n = 0; n < block; n++) table[n] = Radical(n, b);
            t[k] = (block, table);
        }
        return t;
    }

    /// <summary>Radical inverse phi_b(n): the base-b digits of n mirrored about the point.</summary>
    internal static double Radical(long n, int b)
    {
        double inv = 1.0 / b, f = inv, r = 0;
        while (n > 0)
        {
            long q = n / b;
            r += (n - q * b) * f;
            n = q;
            f *= inv;
        }
        return r;
    }

    /// <summary>Coordinate <paramref name="k"/> of point <paramref name="n"/> (n &gt;= 0).</summary>
    public double At(long n, int k)
    {
        var (block, table) = Tables[k];
        double scale = 1.0 / block, f = 1, r = 0;
        while (n > 0)
        {
            long q = n / block;
            r += table[n - q * block] * f;
            n = q;
            f *= scale;
        }
        r += _shift[k];
        return r >= 1 ? r - 1 : r;
    }
}
