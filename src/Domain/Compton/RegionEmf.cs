using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Compton;

/// <summary>
/// EMF of a region (ANALYSIS section 5): the EMF of the mask-weighted SUM of its pixel spectra
/// ("summing all pixels in the masked XCS image"), never the mean of pixel EMFs. The summed
/// variance is sum_p w_p^2 var(n_p), background included.
/// </summary>
public static class RegionEmf
{
    /// <summary>EMF of the region given by <paramref name="mask"/>.</summary>
    /// <param name="spectra">Pixel spectra of the scan.</param>
    /// <param name="mask">Fractional weight per pixel in [0, 1], row-major, rows x cols of the detector;
    /// NaN marks a pixel of unknown membership and excludes it. Empty span: the whole detector.</param>
    /// <param name="s">Analysis settings (geometry, windows, minimum count).</param>
    /// <param name="shiftKeV">Peak-centring shift to use, keV (e.g. the global one).</param>
    /// <param name="background">Per-pixel references to subtract, or null.</param>
    public static EmfResult Compute(PixelSpectra spectra, ReadOnlySpan<float> mask, AnalysisSettings s, double shiftKeV,
        SpectrumBackground? background = null)
    {
        ArgumentNullException.ThrowIfNull(spectra);
        var calc = EmfCalculator.Create(spectra.Axis, s, shiftKeV);
        int nb = calc.Length;
        Span<double> buffer = nb <= 256 ? stackalloc double[2 * nb] : new double[2 * nb];
        buffer.Clear();
        var counts = buffer[..nb];
        var variance = buffer[nb..];
        PixelAccumulation.AddWeighted(spectra, mask, background, calc.FirstBin, counts, variance);
        return EmfCalculator.Kernel(counts, variance, calc.LowWeights, calc.HighWeights, calc.MinCounts);
    }

    /// <summary>Number of pixels a mask takes (weight &gt; 0, NaN excluded) and their total weight.</summary>
    public static (int Pixels, double Weight) Coverage(ReadOnlySpan<float> mask)
    {
        int n = 0;
        double sum = 0;
        foreach (float m in mask)
            if (m > 0) { n++; sum += Math.Min(m, 1f); }
        return (n, sum);
    }
}
