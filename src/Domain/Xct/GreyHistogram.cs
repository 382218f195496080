using System.Numerics;

namespace XcsCt.Domain.Xct;

/// <summary>
/// Histogram of voxel grey values over [<see cref="Lower"/>, <see cref="Upper"/>) in equal bins;
/// values outside go to the end bins, NaN is skipped. Input of the automatic thresholds (<see cref="Otsu"/>).
/// </summary>
public sealed class GreyHistogram
{
    /// <param name="lower">Lower edge of bin 0 (grey value units).</param>
    /// <param name="upper">Upper edge of the last bin; must exceed <paramref name="lower"/>.</param>
    /// <param name="bins">Number of bins, 2..1,048,576 (default for volumes: 1024).</param>
    public GreyHistogram(double lower, double upper, int bins)
    {
        if (!double.IsFinite(lower) || !double.IsFinite(upper) || upper <= lower)
            throw new InputException($"grey histogram range [{lower}, {upper}) is not valid");
        if (bins is < 2 or > 1 << 20)
            throw new InputException($"grey histogram of {bins} bins is not valid: expected 2..1048576");
        Lower = lower;
        Upper = upper;
        Counts = new long[bins];
        BinWidth = (upper - lower) / bins;
    }

    public double Lower { get; }

    public double Upper { get; }

    public double BinWidth { get; }

    /// <summary>Counts per bin; bin i covers [Lower + i w, Lower + (i + 1) w).</summary>
    public long[] Counts { get; }

    public int Bins => Counts.Length;

    public long Total => Counts.Sum();

    public double Centre(int bin) => Lower + (bin + 0.5) * BinWidth;

    public double UpperEdge(int bin) => Lower + (bin + 1) * BinWidth;

    /// <summary>Bin of grey value <paramref name="value"/> (clamped to the end bins).</summary>
    public int BinOf(double value) => (int)Math.Clamp(Math.Floor((value - Lower) / BinWidth), 0, Bins - 1);

    /// <summary>Adds voxels to the histogram.</summary>
    public void Add<T>(ReadOnlySpan<T> voxels) where T : unmanaged, INumber<T>
    {
        double scale = 1 / BinWidth;
        int last = Bins - 1;
        var counts = Counts;
        foreach (var voxel in voxels)
        {
            double v = double.CreateTruncating(voxel);
            if (double.IsNaN(v))
                continue;
            double b = (v - Lower) * scale;
            int bin = b <= 0 ? 0 : b >= last ? last : (int)b;
            counts[bin]++;
        }
    }

    /// <summary>Adds the counts of another histogram with the same bins.</summary>
    public void Add(GreyHistogram other)
    {
        if (other.Bins != Bins || other.Lower != Lower || other.Upper != Upper)
            throw new ArgumentException("histograms have different bins");
        for (int i = 0; i < Bins; i++)
            Counts[i] += other.Counts[i];
    }

    /// <summary>
    /// Histogram of a volume read slab by slab (two passes: range, then counts), in
    /// <paramref name="bins"/> bins spanning the finite voxel range. Integer volumes with fewer
    /// distinct values than bins get one bin per integer value.
    /// </summary>
    public static GreyHistogram Of(IVolumeSource source, int bins = 1024, int slabSlices = 16)
    {
        var shape = source.Shape;
        slabSlices = Math.Clamp(slabSlices, 1, shape.Depth);
        var buffer = new float[slabSlices * shape.SliceVoxels];
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int z = 0; z < shape.Depth; z += slabSlices)
        {
            int n = Math.Min(slabSlices, shape.Depth - z);
            var slab = buffer.AsSpan(0, n * shape.SliceVoxels);
            source.ReadSlices(z, slab);
            foreach (var v in slab)
            {
                if (float.IsFinite(v))
                {
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
            }
        }
        var histogram = ForRange(min, max, bins, source.Type.IsInteger(), source.Name);
        for (int z = 0; z < shape.Depth; z += slabSlices)
        {
            int n = Math.Min(slabSlices, shape.Depth - z);
            var slab = buffer.AsSpan(0, n * shape.SliceVoxels);
            source.ReadSlices(z, slab);
            histogram.Add<float>(slab);
        }
        return histogram;
    }

    /// <summary>Bins for grey values in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static GreyHistogram ForRange(double min, double max, int bins, bool integers, string what = "volume")
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
            throw new InputException($"{what}: no finite voxel values to threshold");
        if (integers)
        {
            double span = max - min + 1;
            return span <= bins ? new GreyHistogram(min, max + 1, (int)Math.Max(2, span)) : new GreyHistogram(min, max + 1, bins);
        }
        if (max <= min)
            max = min + Math.Max(1e-6, Math.Abs(min) * 1e-6);
        // Widen the top edge by a hair so the maximum falls inside the last bin.
        return new GreyHistogram(min, max + (max - min) * 1e-9, bins);
    }
}
