using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Spectra;

/// <summary>
/// Per-pixel energy histograms of one run: <c>Counts[(row * cols + col) * bins + bin]</c>, with the
/// frame and event bookkeeping that produced them. Mutable only through <see cref="Add"/>, which is
/// how per-thread or per-batch partial results are merged.
/// </summary>
public sealed class PixelSpectra
{
    public PixelSpectra(DetectorShape shape, HistogramAxis axis, uint[]? counts = null)
    {
        Shape = shape;
        Axis = axis;
        long n = (long)shape.Pixels * axis.Bins;
        if (n > Array.MaxLength)
            throw new InputException($"pixel spectra of {shape} pixels x {axis.Bins} bins do not fit in memory");
        if (counts is not null && counts.Length != n)
            throw new InputException($"pixel spectra: expected {n} counts ({shape} x {axis.Bins} bins), found {counts.Length}");
        Counts = counts ?? new uint[n];
    }

    public DetectorShape Shape { get; }
    public HistogramAxis Axis { get; }
    public uint[] Counts { get; }

    /// <summary>Frames that contributed.</summary>
    public long Frames { get; set; }

    /// <summary>Event bookkeeping of those frames.</summary>
    public EventCounts Events { get; set; }

    public ReadOnlySpan<uint> Pixel(int row, int col) =>
        Counts.AsSpan((row * Shape.Cols + col) * Axis.Bins, Axis.Bins);

    /// <summary>Adds another run's spectra (same shape and axis) into this one.</summary>
    public void Add(PixelSpectra other)
    {
        if (other.Shape != Shape || other.Axis != Axis)
            throw new InvalidOperationException($"cannot add spectra of {other.Shape} x {other.Axis.Bins} bins to {Shape} x {Axis.Bins} bins");
        System.Numerics.Tensors.TensorPrimitives.Add(Counts, other.Counts, Counts);
        Frames += other.Frames;
        Events += other.Events;
    }

    /// <summary>Spectrum summed over the pixels where <paramref name="weights"/> (one per pixel, may be fractional) is non-zero; all pixels when null.</summary>
    public double[] Sum(ReadOnlySpan<float> weights = default)
    {
        var sum = new double[Axis.Bins];
        int bins = Axis.Bins;
        for (int p = 0; p < Shape.Pixels; p++)
        {
            double w = weights.IsEmpty ? 1.0 : weights[p];
            if (!(w > 0)) continue; // zero, negative or NaN (unknown) weights do not contribute
            var src = Counts.AsSpan(p * bins, bins);
            for (int b = 0; b < bins; b++) sum[b] += w * src[b];
        }
        return sum;
    }
}
