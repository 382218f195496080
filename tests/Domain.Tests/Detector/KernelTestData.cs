using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Detector;

public enum ThresholdKind { None, Global, PerPixel }

/// <summary>One configuration of the frame chain for a test case (serialisable for xunit theories).</summary>
public sealed record KernelCase(
    int Rows, int Cols, ChargeSharingMode Mode, int Window, bool Offsets, ThresholdKind Threshold,
    bool NextFrame, bool Reorder, bool Dead, int Frames, int Seed)
{
    public override string ToString() =>
        $"{Rows}x{Cols} {Mode}{(Mode is ChargeSharingMode.Addition or ChargeSharingMode.Discrimination ? Window.ToString() : "")} " +
        $"off={Offsets} thr={Threshold} next={NextFrame} reorder={Reorder} dead={Dead} n={Frames} seed={Seed}";
}

/// <summary>Seeded random calibrations and sparse frames that stress every step of the chain.</summary>
public static class KernelTestData
{
    /// <summary>Small axis (0-150 keV in 0.5 keV bins) so 160 x 160 accumulators stay small and overflow happens.</summary>
    public static readonly HistogramAxis Axis = new(0.5, 300);

    public static FrameCorrections Corrections(KernelCase k)
    {
        var rng = new Random(k.Seed);
        var shape = new DetectorShape(k.Rows, k.Cols);
        int n = shape.Pixels;
        var gains = new float[n];
        var intercepts = new float[n];
        for (int p = 0; p < n; p++)
        {
            gains[p] = 0.026f + 0.004f * rng.NextSingle();
            intercepts[p] = -1.5f + 3.5f * rng.NextSingle(); // negative intercepts make underflows
            if (k.Dead && rng.NextDouble() < 0.02) gains[p] = 0f;
        }
        float[]? offsets = null;
        if (k.Offsets)
        {
            offsets = new float[n];
            for (int p = 0; p < n; p++)
                offsets[p] = rng.Next(4) switch
                {
                    0 => rng.Next(-20, 400),                       // integer offsets: cut edges exactly on integers
                    1 => rng.Next(0, 400) + 0.5f,                  // half-integers
                    2 => -30f + 500f * rng.NextSingle(),           // anything, including negative
                    _ => rng.Next(0, 400) + 1e-4f * rng.NextSingle(),
                };
        }
        float? global = null;
        float[]? map = null;
        if (k.Threshold == ThresholdKind.Global) global = rng.Next(3) == 0 ? rng.Next(0, 120) : 120f * rng.NextSingle() - 5f;
        if (k.Threshold == ThresholdKind.PerPixel)
        {
            map = new float[n];
            for (int p = 0; p < n; p++) map[p] = rng.Next(3) == 0 ? rng.Next(-5, 120) : 125f * rng.NextSingle() - 5f;
        }
        return new FrameCorrections(shape, Axis, gains, intercepts)
        {
            OffsetsAdu = offsets,
            ThresholdAdu = global,
            ThresholdMapAdu = map,
            NextFrame = k.NextFrame,
            Reorder = k.Reorder,
            ChargeSharing = k.Mode,
            Window = k.Window,
        };
    }

    /// <summary>
    /// Sparse raw frames (raw order when reordering): a dark floor around the offset, readings just
    /// around each pixel's cut, seeds with neighbours (pairs, L-shapes, blobs), repeats of the previous
    /// frame's hits (next-frame), energies up to ~170 keV (overflow) and down to a few ADU (underflow).
    /// </summary>
    public static ushort[] Frames(KernelCase k, FrameCorrections c, double occupancy = 0.04)
    {
        var rng = new Random(k.Seed * 7919 + 1);
        int rows = k.Rows, cols = k.Cols, n = rows * cols;
        var frames = new ushort[k.Frames * n];
        var previous = new ushort[n];
        var frame = new ushort[n]; // spatial order
        for (int f = 0; f < k.Frames; f++)
        {
            Array.Clear(frame);
            for (int p = 0; p < n; p++)
            {
                float offset = c.OffsetsAdu?[p] ?? 0f;
                float threshold = c.ThresholdMapAdu?[p] ?? c.ThresholdAdu ?? 0f;
                double u = rng.NextDouble();
                double v;
                if (u < 0.05) v = offset + threshold + rng.Next(-2, 3);        // at the cut, +-2 ADU
                else if (u < 0.10) v = offset + rng.Next(-2, 3);                // at zero after offset
                else if (u < 0.5) v = k.Offsets ? offset + rng.Next(-8, 9) : 0; // dark floor
                else v = 0;
                frame[p] = Clamp(v);
            }
            int seeds = (int)Math.Round(occupancy * n / 2.0 * (0.5 + rng.NextDouble()));
            for (int s = 0; s < seeds; s++)
            {
                int p = rng.Next(n);
                int size = rng.Next(10) switch { < 5 => 1, < 8 => 2, 8 => 3, _ => 4 + rng.Next(4) };
                int at = p;
                for (int m = 0; m < size; m++)
                {
                    frame[at] = Clamp((c.OffsetsAdu?[at] ?? 0f) + rng.Next(10) switch
                    {
                        0 => rng.Next(1, 40),           // tiny: underflow with negative intercepts
                        1 => rng.Next(5000, 7000),      // overflow
                        _ => rng.Next(100, 4200),
                    });
                    int r = at / cols + rng.Next(-1, 2), col = at % cols + rng.Next(-1, 2);
                    if (r >= 0 && r < rows && col >= 0 && col < cols) at = r * cols + col;
                }
            }
            if (f > 0 && rng.Next(3) == 0)
                for (int p = 0; p < n; p++)
                    if (previous[p] != 0 && rng.Next(4) == 0) frame[p] = previous[p];
            frame.CopyTo(previous);
            var raw = frames.AsSpan(f * n, n);
            for (int i = 0; i < n; i++) raw[i] = frame[k.Reorder ? FrameKernel.SpatialIndexOfRaw(i, cols) : i];
        }
        return frames;
    }

    /// <summary>Sparse frames of energies (keV) for the processed-frames path: positive, with clusters.</summary>
    public static float[] EnergyFrames(int rows, int cols, int count, int seed, double occupancy = 0.05)
    {
        var rng = new Random(seed);
        int n = rows * cols;
        var frames = new float[count * n];
        for (int f = 0; f < count; f++)
        {
            var frame = frames.AsSpan(f * n, n);
            int seeds = (int)Math.Round(occupancy * n / 2.0 * (0.5 + rng.NextDouble()));
            for (int s = 0; s < seeds; s++)
            {
                int at = rng.Next(n);
                int size = rng.Next(10) switch { < 5 => 1, < 8 => 2, 8 => 3, _ => 4 + rng.Next(4) };
                for (int m = 0; m < size; m++)
                {
                    // Quantised energies make exact ties (first in raster order wins) common.
                    frame[at] = rng.Next(4) == 0 ? rng.Next(1, 40) * 2.5f : 1f + 120f * rng.NextSingle();
                    int r = at / cols + rng.Next(-1, 2), col = at % cols + rng.Next(-1, 2);
                    if (r >= 0 && r < rows && col >= 0 && col < cols) at = r * cols + col;
                }
            }
        }
        return frames;
    }

    private static ushort Clamp(double v) => (ushort)Math.Clamp(Math.Round(v), 0, ushort.MaxValue);

    internal static readonly VectorWidth[] Widths = [VectorWidth.Scalar, VectorWidth.V128, VectorWidth.V256, VectorWidth.V512];

    public static void AssertSame(FrameAccumulator expected, FrameAccumulator actual, string what)
    {
        Assert.True(expected.Events == actual.Events, $"{what}: events {actual.Events} != reference {expected.Events}");
        Assert.Equal(expected.Frames, actual.Frames);
        int first = FirstDifference(expected.Counts, actual.Counts);
        Assert.True(first < 0, first < 0 ? "" :
            $"{what}: count [{first}] (pixel {first / expected.Axis.Bins}, bin {first % expected.Axis.Bins}) is {actual.Counts[first]}, reference {expected.Counts[first]}");
    }

    private static int FirstDifference(uint[] a, uint[] b)
    {
        int i = a.AsSpan().CommonPrefixLength(b);
        return i == a.Length ? -1 : i;
    }

    /// <summary>Kept == histogrammed + underflow + overflow, and In == Kept + Merged + Discarded + BelowThreshold.</summary>
    public static void AssertBookkeeping(FrameAccumulator acc)
    {
        var e = acc.Events;
        Assert.True(e.IsBalanced, $"unbalanced: {e}");
        long histogrammed = 0;
        foreach (uint count in acc.Counts) histogrammed += count;
        Assert.Equal(e.Kept, histogrammed + e.Underflow + e.Overflow);
    }
}
