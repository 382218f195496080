namespace XcsCt.Domain.Spectra;

/// <summary>
/// One energy spectrum with its per-bin variance (ANALYSIS section 4): counts may be fractional
/// (mask-weighted sums) or negative (after background subtraction); <see cref="Variance"/> carries
/// the Poisson variance of the raw counts plus everything subtraction added.
/// </summary>
/// <param name="Axis">Energy axis; both arrays have <see cref="HistogramAxis.Bins"/> entries.</param>
/// <param name="Counts">Counts per bin.</param>
/// <param name="Variance">Variance of each bin, counts^2.</param>
public sealed record Spectrum(HistogramAxis Axis, double[] Counts, double[] Variance)
{
    public double[] Counts { get; init; } = CheckLength(Counts, Axis, "counts");
    public double[] Variance { get; init; } = CheckLength(Variance, Axis, "variance");

    /// <summary>A raw histogram: variance = counts (Poisson).</summary>
    public static Spectrum FromCounts(HistogramAxis axis, ReadOnlySpan<uint> counts)
    {
        if (counts.Length != axis.Bins)
            throw new InputException($"spectrum: expected {axis.Bins} bins, found {counts.Length}");
        var n = new double[counts.Length];
        for (int i = 0; i < n.Length; i++) n[i] = counts[i];
        return new Spectrum(axis, n, (double[])n.Clone());
    }

    /// <summary>A raw histogram given as numbers (e.g. read from a file): variance = counts (Poisson).</summary>
    public static Spectrum FromCounts(HistogramAxis axis, ReadOnlySpan<double> counts)
    {
        if (counts.Length != axis.Bins)
            throw new InputException($"spectrum: expected {axis.Bins} bins, found {counts.Length}");
        return new Spectrum(axis, counts.ToArray(), counts.ToArray());
    }

    /// <summary>
    /// Mask-weighted sum of pixel spectra (ANALYSIS section 5, regions): counts = sum_p w_p n_p and
    /// variance = sum_p w_p^2 var(n_p), with each pixel's background (if any) subtracted first.
    /// </summary>
    /// <param name="spectra">Pixel spectra of one run.</param>
    /// <param name="mask">One weight per pixel in [0, 1] (row-major); NaN marks an unknown pixel and
    /// excludes it like 0. Empty: every pixel with weight 1.</param>
    /// <param name="background">References to subtract per pixel, or null.</param>
    public static Spectrum FromPixels(PixelSpectra spectra, ReadOnlySpan<float> mask = default, SpectrumBackground? background = null)
    {
        int bins = spectra.Axis.Bins;
        var n = new double[bins];
        var v = new double[bins];
        PixelAccumulation.AddWeighted(spectra, mask, background, 0, n, v);
        return new Spectrum(spectra.Axis, n, v);
    }

    /// <summary>Sum of the counts of bins [firstBin, firstBin + count).</summary>
    public double Total(int firstBin = 0, int count = -1)
    {
        if (count < 0) count = Counts.Length - firstBin;
        double s = 0;
        foreach (double c in Counts.AsSpan(firstBin, count)) s += c;
        return s;
    }

    private static double[] CheckLength(double[] values, HistogramAxis axis, string what)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(axis);
        if (values.Length != axis.Bins)
            throw new InputException($"spectrum {what}: expected {axis.Bins} bins, found {values.Length}");
        return values;
    }
}

/// <summary>Shared loops that sum pixel spectra (windowed by bin range) with weights and background.</summary>
internal static class PixelAccumulation
{
    /// <summary>
    /// Adds sum_p w_p (n_p - b_p) into <paramref name="counts"/> and sum_p w_p^2 (n_p + var b_p) into
    /// <paramref name="variance"/> over bins [firstBin, firstBin + counts.Length).
    /// </summary>
    public static void AddWeighted(PixelSpectra spectra, ReadOnlySpan<float> mask, SpectrumBackground? background,
        int firstBin, Span<double> counts, Span<double> variance)
    {
        int pixels = spectra.Shape.Pixels;
        if (!mask.IsEmpty && mask.Length != pixels)
            throw new InputException($"region mask: expected {spectra.Shape} = {pixels} values, found {mask.Length}");
        background?.CheckMatches(spectra);
        int bins = spectra.Axis.Bins;
        int nb = counts.Length;
        for (int p = 0; p < pixels; p++)
        {
            double w = 1.0;
            if (!mask.IsEmpty)
            {
                float m = mask[p];
                if (float.IsNaN(m)) continue; // unknown pixel: not part of any region
                if (m < -MaskTolerance || m > 1 + MaskTolerance)
                    throw new InputException($"region mask: value {m} at row {p / spectra.Shape.Cols}, col {p % spectra.Shape.Cols} is outside [0, 1]");
                if (m <= 0) continue;
                w = Math.Min(m, 1f);
            }
            var src = spectra.Counts.AsSpan(p * bins + firstBin, nb);
            double w2 = w * w;
            for (int b = 0; b < nb; b++)
            {
                counts[b] += w * src[b];
                variance[b] += w2 * src[b];
            }
            background?.SubtractFrom(p, w, firstBin, counts, variance);
        }
    }

    /// <summary>Fractional masks come from overlap areas in single precision: this much slack is rounding, not an error.</summary>
    public const float MaskTolerance = 1e-5f;
}
