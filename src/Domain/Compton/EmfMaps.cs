using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Compton;

/// <summary>
/// EMF map of one scan (ANALYSIS section 5), on the k x k binned grid: output pixel (r, c) is the
/// sum of detector pixels [r k, r k + k) x [c k, c k + k); detector rows/cols beyond the last whole
/// block are not used. Arrays are row-major, <see cref="Rows"/> x <see cref="Cols"/>.
/// </summary>
/// <param name="Rows">Output rows = detector rows / k.</param>
/// <param name="Cols">Output columns = detector cols / k.</param>
/// <param name="Binning">k.</param>
/// <param name="Emf">EMF per output pixel; NaN where E_H is below the minimum count.</param>
/// <param name="Sigma">Its standard deviation; NaN where the EMF is.</param>
/// <param name="Counts">Events in the profile window |pz| &lt; 5 (fractional bins, after background).</param>
/// <param name="ShiftKeV">Peak-centring shift used for each pixel, keV.</param>
public sealed record EmfMap(int Rows, int Cols, int Binning, double[] Emf, double[] Sigma, double[] Counts, double[] ShiftKeV)
{
    public double[] Emf { get; init; } = Check(Emf, Rows, Cols, "emf");
    public double[] Sigma { get; init; } = Check(Sigma, Rows, Cols, "emf_sigma");
    public double[] Counts { get; init; } = Check(Counts, Rows, Cols, "counts");
    public double[] ShiftKeV { get; init; } = Check(ShiftKeV, Rows, Cols, "shift");

    /// <summary>The shift used where a pixel had no fit of its own, keV.</summary>
    public double GlobalShiftKeV { get; init; }

    /// <summary>Output pixels whose shift comes from their own peak fit.</summary>
    public int FittedPixels { get; init; }

    /// <summary>Output pixels without an EMF (NaN), to be listed in the summary.</summary>
    public int UndefinedPixels
    {
        get
        {
            int n = 0;
            foreach (double e in Emf) if (double.IsNaN(e)) n++;
            return n;
        }
    }

    /// <summary>(row, col) of every output pixel without an EMF.</summary>
    public IEnumerable<(int Row, int Col)> Undefined()
    {
        for (int i = 0; i < Emf.Length; i++)
            if (double.IsNaN(Emf[i])) yield return (i / Cols, i % Cols);
    }

    private static double[] Check(double[] values, int rows, int cols, string what)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (rows <= 0 || cols <= 0 || values.Length != (long)rows * cols)
            throw new InputException($"EMF map {what}: expected {rows} x {cols} values, found {values.Length}");
        return values;
    }
}

/// <summary>
/// Per-pixel EMF maps (ANALYSIS section 5). For each k x k block: sum the pixel spectra (only the
/// bins the fit and windows need), subtract the per-pixel background with its variance, fit the
/// Compton peak when the block holds at least <see cref="AnalysisSettings.PixelFitMinCounts"/>
/// counts in the fit range and peak centring is on (a fit that fails or lands further than
/// <see cref="AnalysisSettings.PixelShiftToleranceKeV"/> from the global shift falls back to the
/// global shift), then compute EMF and sigma with that pixel's fractional-bin weights. Pixels with
/// E_H below <see cref="AnalysisSettings.MinCounts"/> are NaN.
/// </summary>
public static class EmfMaps
{
    /// <summary>Computes the EMF map of <paramref name="spectra"/>.</summary>
    /// <param name="spectra">Pixel spectra of the scan.</param>
    /// <param name="s">Analysis settings (binning, windows, centring, minimum counts).</param>
    /// <param name="background">Per-pixel references to subtract, or null.</param>
    /// <param name="globalShiftKeV">Shift for pixels without their own fit, keV. Null: with peak
    /// centring, fitted on the summed (background-subtracted) spectrum of all pixels, throwing
    /// <see cref="AnalysisException"/> if that fails; without, 0.</param>
    /// <param name="maxDegreeOfParallelism">Threads over output rows (-1: as many as the runtime likes).</param>
    public static EmfMap Compute(PixelSpectra spectra, AnalysisSettings s, SpectrumBackground? background = null,
        double? globalShiftKeV = null, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(spectra);
        s.Validated();
        background?.CheckMatches(spectra);
        var axis = spectra.Axis;
        int k = s.Binning;
        if (k > spectra.Shape.Rows || k > spectra.Shape.Cols)
            throw new InputException($"binning {k} is larger than the {spectra.Shape} detector");
        if (globalShiftKeV is { } given && !double.IsFinite(given))
            throw new InputException($"global energy shift {given} keV is not a finite number");

        double global = globalShiftKeV ?? (s.PeakCentring ? GlobalFit(spectra, s, background).ShiftKeV : 0.0);

        bool pixelFits = s.PeakCentring;
        double tol = pixelFits ? s.PixelShiftToleranceKeV : 0;
        var (wFirst, wEnd) = EmfCalculator.WindowBins(axis, s.Geometry, s.Windows, global - tol, global + tol);
        var (fFirst, fEnd) = pixelFits ? PeakCentring.FitBins(axis, s.PeakFitMinKeV, s.PeakFitMaxKeV) : (wFirst, wFirst);
        if (pixelFits && fEnd - fFirst < 10)
            throw new InputException($"peak fit range {s.PeakFitMinKeV}-{s.PeakFitMaxKeV} keV holds {fEnd - fFirst} bins of the 0-{axis.MaxKeV} keV axis, at least 10 are needed");
        int first = pixelFits ? Math.Min(wFirst, fFirst) : wFirst;
        int end = pixelFits ? Math.Max(wEnd, fEnd) : wEnd;
        int nb = end - first;

        // Weights at the global shift, shared by every pixel that uses it.
        var pz = new PzConverter(s.Geometry);
        var gL = new double[nb];
        var gH = new double[nb];
        var gT = new double[nb];
        EmfCalculator.FillWeights(pz, s.Windows, s.Spreading, axis, global, first, gL, gH, gT);

        int rows = spectra.Shape.Rows / k, cols = spectra.Shape.Cols / k;
        int outPixels = rows * cols;
        var emf = new double[outPixels];
        var sigma = new double[outPixels];
        var counts = new double[outPixels];
        var shifts = new double[outPixels];
        int fitted = 0;
        var ctx = new MapContext(spectra, background, s, pz, first, nb, fFirst - first, fEnd - fFirst, global, tol, gL, gH, gT);

        Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            () => new Scratch(nb),
            (r, _, scratch) =>
            {
                for (int c = 0; c < cols; c++)
                {
                    int o = r * cols + c;
                    var res = ctx.Pixel(r, c, scratch, out double shift, out double profileCounts, out bool own);
                    emf[o] = res.Value;
                    sigma[o] = res.Sigma;
                    counts[o] = profileCounts;
                    shifts[o] = shift;
                    if (own) scratch.Fitted++;
                }
                return scratch;
            },
            scratch => Interlocked.Add(ref fitted, scratch.Fitted));

        return new EmfMap(rows, cols, k, emf, sigma, counts, shifts) { GlobalShiftKeV = global, FittedPixels = fitted };
    }

    /// <summary>
    /// Peak-centring fit of the summed (background-subtracted) spectrum of all pixels, the shift used
    /// where a pixel has no fit of its own; throws <see cref="AnalysisException"/> when no peak is found.
    /// Sums only the fit range.
    /// </summary>
    public static PeakFit GlobalFit(PixelSpectra spectra, AnalysisSettings s, SpectrumBackground? background = null)
    {
        ArgumentNullException.ThrowIfNull(spectra);
        var axis = spectra.Axis;
        var (first, end) = PeakCentring.FitBins(axis, s.PeakFitMinKeV, s.PeakFitMaxKeV);
        var counts = new double[end - first];
        var variance = new double[end - first];
        PixelAccumulation.AddWeighted(spectra, default, background, first, counts, variance);
        if (PeakCentring.TryFitBins(counts, variance, axis.Centre(first), axis.BinWidthKeV, s.Geometry.ComptonLineKeV, out var fit, out var why))
            return fit;
        throw new AnalysisException($"peak centring: no Compton peak fitted in the summed spectrum over {s.PeakFitMinKeV}-{s.PeakFitMaxKeV} keV: {why}; switch peak centring off or give the shift");
    }

    /// <summary>Per-thread buffers over the needed bins.</summary>
    private sealed class Scratch(int nb)
    {
        public readonly double[] Counts = new double[nb];
        public readonly double[] Variance = new double[nb];
        public readonly double[] WL = new double[nb];
        public readonly double[] WH = new double[nb];
        public readonly double[] WT = new double[nb];
        public int Fitted;
    }

    /// <summary>Everything fixed for one map; <see cref="Pixel"/> does one output pixel without allocating.</summary>
    private sealed class MapContext(
        PixelSpectra spectra, SpectrumBackground? background, AnalysisSettings s, PzConverter pz,
        int first, int nb, int fitOffset, int fitLength, double global, double tol,
        double[] gL, double[] gH, double[] gT)
    {
        private readonly int _k = s.Binning;
        private readonly int _bins = spectra.Axis.Bins;
        private readonly int _detCols = spectra.Shape.Cols;
        private readonly double _line = s.Geometry.ComptonLineKeV;

        public EmfResult Pixel(int r, int c, Scratch sc, out double shift, out double profileCounts, out bool own)
        {
            var n = sc.Counts.AsSpan();
            var v = sc.Variance.AsSpan();
            n.Clear();
            for (int dr = 0; dr < _k; dr++)
                for (int dc = 0; dc < _k; dc++)
                {
                    int p = (r * _k + dr) * _detCols + c * _k + dc;
                    var src = spectra.Counts.AsSpan(p * _bins + first, nb);
                    for (int b = 0; b < nb; b++) n[b] += src[b];
                }
            n.CopyTo(v); // raw counts: Poisson variance
            if (background is not null)
                for (int dr = 0; dr < _k; dr++)
                    for (int dc = 0; dc < _k; dc++)
                        background.SubtractFrom((r * _k + dr) * _detCols + c * _k + dc, 1.0, first, n, v);

            shift = global;
            own = false;
            if (fitLength > 0)
            {
                var fn = n.Slice(fitOffset, fitLength);
                double total = 0;
                foreach (double x in fn) total += x;
                if (total >= s.PixelFitMinCounts
                    && PeakCentring.TryFitBins(fn, v.Slice(fitOffset, fitLength), spectra.Axis.Centre(first + fitOffset),
                        spectra.Axis.BinWidthKeV, _line, out var fit, out _)
                    && Math.Abs(fit.ShiftKeV - global) <= tol)
                {
                    shift = fit.ShiftKeV;
                    own = true;
                }
            }

            ReadOnlySpan<double> wL = gL, wH = gH, wT = gT;
            if (own)
            {
                EmfCalculator.FillWeights(pz, s.Windows, s.Spreading, spectra.Axis, shift, first, sc.WL, sc.WH, sc.WT);
                wL = sc.WL; wH = sc.WH; wT = sc.WT;
            }
            profileCounts = EmfCalculator.Dot(n, wT);
            return EmfCalculator.Kernel(n, v, wL, wH, s.MinCounts);
        }
    }
}
