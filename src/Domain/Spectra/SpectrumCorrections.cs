namespace XcsCt.Domain.Spectra;

/// <summary>Spectrum-level corrections (ANALYSIS section 4): reference subtraction and flat field.</summary>
public static class SpectrumCorrections
{
    /// <summary>
    /// sample - scale * reference, bin by bin (ANALYSIS section 4). Dark field: scale =
    /// frames(sample) / frames(dark). Empty holder: scale = flux ratio (monitor counts, else frames).
    /// Negative results stay negative (unbiased); variance = var(sample) + scale^2 var(reference).
    /// </summary>
    /// <param name="sample">Spectrum to correct.</param>
    /// <param name="reference">Reference spectrum on the same axis.</param>
    /// <param name="scale">Dimensionless factor applied to the reference (finite).</param>
    public static Spectrum SubtractScaled(Spectrum sample, Spectrum reference, double scale)
    {
        if (sample.Axis != reference.Axis)
            throw new InputException($"reference spectrum: expected {sample.Axis.Bins} bins of {sample.Axis.BinWidthKeV} keV like the sample, found {reference.Axis.Bins} bins of {reference.Axis.BinWidthKeV} keV");
        if (!double.IsFinite(scale))
            throw new InputException($"reference scale {scale} is not a finite number");
        int n = sample.Counts.Length;
        var counts = new double[n];
        var variance = new double[n];
        double s2 = scale * scale;
        for (int i = 0; i < n; i++)
        {
            counts[i] = sample.Counts[i] - scale * reference.Counts[i];
            variance[i] = sample.Variance[i] + s2 * reference.Variance[i];
        }
        return new Spectrum(sample.Axis, counts, variance);
    }

    /// <summary>
    /// Relative per-pixel sensitivity from a homogeneous PTFE disk (ANALYSIS section 4, flat field):
    /// the (dark-subtracted) counts of each k x k block in [lowKeV, highKeV), divided by their mean
    /// over blocks with positive counts, so the result has mean 1. Blocks without positive counts
    /// (dead pixels) are NaN. Divide intensity maps by it (<see cref="ApplySensitivity"/>); EMF, a
    /// ratio inside one pixel, needs no flat field.
    /// </summary>
    /// <param name="ptfe">Pixel spectra of the PTFE run.</param>
    /// <param name="lowKeV">Lower end of the energy band, keV (bins whose centre is inside count).</param>
    /// <param name="highKeV">Upper end of the band, keV.</param>
    /// <param name="binning">Block size k of the intensity maps this will divide (default 1); output is (rows/k) x (cols/k), row-major.</param>
    /// <param name="dark">Optional beam-off run, subtracted scaled by frames(ptfe)/frames(dark).</param>
    public static float[] PtfeSensitivity(PixelSpectra ptfe, double lowKeV = 0, double highKeV = double.PositiveInfinity,
        int binning = 1, PixelSpectra? dark = null)
    {
        ArgumentNullException.ThrowIfNull(ptfe);
        if (!(highKeV > lowKeV))
            throw new InputException($"PTFE sensitivity band [{lowKeV}, {highKeV}) keV is empty");
        if (binning < 1 || binning > Math.Min(ptfe.Shape.Rows, ptfe.Shape.Cols))
            throw new InputException($"binning {binning} is not valid for a {ptfe.Shape} detector");
        var background = dark is null ? null : SpectrumBackground.Create(ptfe, dark);
        var axis = ptfe.Axis;
        int first = Math.Max(0, (int)Math.Ceiling(lowKeV / axis.BinWidthKeV - 0.5));
        int end = double.IsPositiveInfinity(highKeV) ? axis.Bins : Math.Min(axis.Bins, (int)Math.Ceiling(highKeV / axis.BinWidthKeV - 0.5));
        if (end <= first)
            throw new InputException($"PTFE sensitivity band [{lowKeV}, {highKeV}) keV holds no bin of the {axis.MaxKeV} keV axis");
        int nb = end - first;
        int rows = ptfe.Shape.Rows / binning, cols = ptfe.Shape.Cols / binning;
        var intensity = new double[rows * cols];
        var counts = new double[nb];
        var variance = new double[nb];
        for (int r = 0; r < rows * binning; r++)
            for (int c = 0; c < cols * binning; c++)
            {
                int p = r * ptfe.Shape.Cols + c;
                Array.Clear(variance);
                var src = ptfe.Counts.AsSpan(p * axis.Bins + first, nb);
                for (int b = 0; b < nb; b++) counts[b] = src[b];
                background?.SubtractFrom(p, 1.0, first, counts, variance);
                double sum = 0;
                foreach (double x in counts) sum += x;
                intensity[r / binning * cols + c / binning] += sum;
            }
        double mean = 0;
        int live = 0;
        foreach (double x in intensity)
            if (x > 0) { mean += x; live++; }
        if (live == 0)
            throw new InputException($"PTFE run has no counts in [{lowKeV}, {highKeV}) keV: no sensitivity can be derived");
        mean /= live;
        var sensitivity = new float[intensity.Length];
        for (int i = 0; i < intensity.Length; i++)
            sensitivity[i] = intensity[i] > 0 ? (float)(intensity[i] / mean) : float.NaN;
        return sensitivity;
    }

    /// <summary>
    /// Flat-field division of an intensity map (ANALYSIS section 4): result = intensity / sensitivity,
    /// NaN where the sensitivity is NaN or not positive.
    /// </summary>
    public static void ApplySensitivity(ReadOnlySpan<double> intensity, ReadOnlySpan<float> sensitivity, Span<double> result)
    {
        if (sensitivity.Length != intensity.Length || result.Length != intensity.Length)
            throw new InputException($"flat field: intensity map has {intensity.Length} pixels, sensitivity {sensitivity.Length}, result {result.Length}");
        for (int i = 0; i < intensity.Length; i++)
            result[i] = sensitivity[i] > 0 ? intensity[i] / sensitivity[i] : double.NaN;
    }
}
