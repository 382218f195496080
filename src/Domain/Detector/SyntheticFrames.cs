using System.Runtime.CompilerServices;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Detector;

/// <summary>
/// Seeded generator of realistic raw HEXITEC frames (ANALYSIS sections 1 and 3) for benchmarks and
/// tests: a per-pixel dark level with Gaussian read noise on every pixel, and photons at a chosen
/// occupancy, converted to ADU through the real gain and intercept maps inverted
/// (<c>ADU = (E - c) / m</c>, 80 x 80 maps tiled over larger detectors).
/// <list type="bullet">
/// <item>Photon energies: 80 % Compton peak at 93.634 keV (Gaussian, sigma 1.8 keV, a Doppler-broadened
/// profile), 10 % elastic line at 114.64 keV, 10 % flat background 5-115 keV.</item>
/// <item>Charge sharing: 65 % of photons land on one pixel, 30 % split between two neighbours
/// (85 % edge, 15 % corner neighbours; fraction uniform in [0.1, 0.9]), 5 % over an L-shaped triple.</item>
/// <item>Dark level ~ N(600, 40) ADU per pixel, read noise sigma 12 ADU (0.34 keV), threshold
/// 100 ADU (~2.8 keV); <see cref="Corrections"/> holds these maps, cluster mode, default axis.</item>
/// </list>
/// Occupancy is the mean fraction of pixels hit per frame (photons per frame = occupancy x pixels /
/// 1.4, the mean pixels per photon). The same seed gives the same frames on every machine.
/// </summary>
public sealed class SyntheticFrames
{
    /// <summary>Compton line of a free electron at rest for E1 = 114.64 keV, theta = 90 deg (ANALYSIS section 2), keV.</summary>
    public const double ComptonPeakKeV = 93.634;

    /// <summary>Incident (elastic) energy E1, keV.</summary>
    public const double ElasticKeV = 114.64;

    public const double DarkLevelAdu = 600, DarkSpreadAdu = 40, ReadNoiseAdu = 12;
    public const float ThresholdAdu = 100f;
    private const double PixelsPerPhoton = 0.65 * 1 + 0.30 * 2 + 0.05 * 3;

    private readonly float[] _gain, _intercept, _dark;
    private readonly float[] _noise = new float[1 << 16];
    private readonly float[] _values; // one frame in ADU before rounding
    private readonly double _photonsPerFrame;
    private Xoshiro _rng;

    /// <param name="shape">Detector grid (any shape; the 80 x 80 maps are tiled).</param>
    /// <param name="occupancy">Mean fraction of pixels hit per frame, in (0, 0.5].</param>
    /// <param name="seed">Seed of the whole sequence.</param>
    public SyntheticFrames(DetectorShape shape, double occupancy, ulong seed = 1)
    {
        if (!(occupancy > 0 && occupancy <= 0.5))
            throw new InputException($"occupancy {occupancy} is not valid: it must be in (0, 0.5]");
        Shape = shape;
        Occupancy = occupancy;
        _rng = new Xoshiro(seed);
        _gain = EmbeddedCalibration.Tiled(EmbeddedCalibration.Gradients, shape);
        _intercept = EmbeddedCalibration.Tiled(EmbeddedCalibration.Intercepts, shape);
        _dark = new float[shape.Pixels];
        _values = new float[shape.Pixels];
        for (int p = 0; p < _dark.Length; p++) _dark[p] = (float)(DarkLevelAdu + DarkSpreadAdu * _rng.NextGaussian());
        for (int i = 0; i < _noise.Length; i++) _noise[i] = (float)(ReadNoiseAdu * _rng.NextGaussian());
        _photonsPerFrame = occupancy * shape.Pixels / PixelsPerPhoton;
        Corrections = new FrameCorrections(shape, HistogramAxis.Default, _gain, _intercept)
        {
            OffsetsAdu = _dark,
            ThresholdAdu = ThresholdAdu,
            ChargeSharing = ChargeSharingMode.Cluster,
        };
    }

    public DetectorShape Shape { get; }
    public double Occupancy { get; }

    /// <summary>The calibration the frames were made with: real gain/intercept maps, dark-level offsets, 100 ADU threshold, cluster mode.</summary>
    public FrameCorrections Corrections { get; }

    /// <summary>Fills <paramref name="frames"/> (a whole number of frames) with the next frames of the sequence.</summary>
    public void Fill(Span<ushort> frames)
    {
        int n = Shape.Pixels;
        if (frames.Length % n != 0)
            throw new InputException($"synthetic frames: {frames.Length} values are not a whole number of {Shape} frames");
        for (int at = 0; at < frames.Length; at += n)
            FillFrame(frames.Slice(at, n));
    }

    /// <summary>The next <paramref name="frameCount"/> frames of the sequence.</summary>
    public ushort[] Generate(int frameCount)
    {
        var frames = new ushort[(long)frameCount * Shape.Pixels];
        Fill(frames);
        return frames;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillFrame(Span<ushort> frame)
    {
        var values = _values.AsSpan();
        for (int p = 0; p < values.Length; p += 4)
        {
            ulong r = _rng.Next();
            for (int k = 0; k < 4 && p + k < values.Length; k++)
                values[p + k] = _dark[p + k] + _noise[(int)(r >> (16 * k)) & 0xFFFF];
        }
        int photons = _rng.NextPoisson(_photonsPerFrame);
        for (int i = 0; i < photons; i++) AddPhoton(values);
        for (int p = 0; p < frame.Length; p++)
            frame[p] = (ushort)Math.Clamp(MathF.Round(values[p]), 0f, ushort.MaxValue);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddPhoton(Span<float> values)
    {
        int rows = Shape.Rows, cols = Shape.Cols;
        double u = _rng.NextDouble();
        double energy = u < 0.8 ? ComptonPeakKeV + 1.8 * _rng.NextGaussian()
            : u < 0.9 ? ElasticKeV + 0.1 * _rng.NextGaussian()
            : 5 + 110 * _rng.NextDouble();
        int p = (int)(_rng.NextDouble() * values.Length);
        double share = _rng.NextDouble();
        if (share < 0.65 || !TryNeighbour(p, rows, cols, out int q))
        {
            Deposit(values, p, energy);
            return;
        }
        double f = 0.1 + 0.8 * _rng.NextDouble();
        if (share < 0.95 || !TryNeighbour(q, rows, cols, out int s) || s == p)
        {
            Deposit(values, p, energy * f);
            Deposit(values, q, energy * (1 - f));
            return;
        }
        double g = 0.1 + 0.8 * _rng.NextDouble();
        Deposit(values, p, energy * f);
        Deposit(values, q, energy * (1 - f) * g);
        Deposit(values, s, energy * (1 - f) * (1 - g));
    }

    /// <summary>A random 8-neighbour of <paramref name="p"/> inside the detector: 85 % edge neighbours, 15 % corners.</summary>
    private bool TryNeighbour(int p, int rows, int cols, out int q)
    {
        int r = p / cols, c = p % cols;
        int k = (int)(_rng.Next() % 4);
        int dr, dc;
        if (_rng.NextDouble() < 0.85) (dr, dc) = k switch { 0 => (0, 1), 1 => (0, -1), 2 => (1, 0), _ => (-1, 0) };
        else (dr, dc) = k switch { 0 => (1, 1), 1 => (1, -1), 2 => (-1, 1), _ => (-1, -1) };
        int rr = r + dr, cc = c + dc;
        q = rr * cols + cc;
        return rr >= 0 && rr < rows && cc >= 0 && cc < cols;
    }

    /// <summary>Adds <paramref name="keV"/> to pixel p as ADU through its calibration inverted (dead pixels read as m = 0.028).</summary>
    private void Deposit(Span<float> values, int p, double keV)
    {
        double m = _gain[p] > 0 ? _gain[p] : 0.028;
        values[p] += (float)Math.Max(0, (keV - _intercept[p]) / m);
    }

    /// <summary>xoshiro256** (Blackman and Vigna), seeded through splitmix64: fast and the same everywhere.</summary>
    private struct Xoshiro
    {
        private ulong _s0, _s1, _s2, _s3;
        private double? _spare;

        public Xoshiro(ulong seed)
        {
            _s0 = SplitMix(ref seed); _s1 = SplitMix(ref seed); _s2 = SplitMix(ref seed); _s3 = SplitMix(ref seed);
            _spare = null;
        }

        private static ulong SplitMix(ref ulong x)
        {
            ulong z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public ulong Next()
        {
            ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
            ulong t = _s1 << 17;
            _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
            _s2 ^= t;
            _s3 = ulong.RotateLeft(_s3, 45);
            return result;
        }

        /// <summary>Uniform in [0, 1).</summary>
        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Standard normal (Box-Muller, pairs).</summary>
        public double NextGaussian()
        {
            if (_spare is { } s) { _spare = null; return s; }
            double u1 = 1.0 - NextDouble(), u2 = NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            _spare = radius * Math.Sin(2 * Math.PI * u2);
            return radius * Math.Cos(2 * Math.PI * u2);
        }

        /// <summary>Poisson with mean <paramref name="mean"/>: Knuth's product method, split into steps of mean at most 30.</summary>
        public int NextPoisson(double mean)
        {
            int count = 0;
            while (mean > 0)
            {
                double step = Math.Min(mean, 30);
                mean -= step;
                double limit = Math.Exp(-step), product = NextDouble();
                while (product > limit) { count++; product *= NextDouble(); }
            }
            return count;
        }
    }
}
