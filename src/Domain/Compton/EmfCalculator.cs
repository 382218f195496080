using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Compton;

/// <summary>
/// EMF of one spectrum with its uncertainty (ANALYSIS section 5). NaN value and sigma when
/// <see cref="HighCounts"/> is below the minimum count.
/// </summary>
/// <param name="Value">EMF = E_L / E_H.</param>
/// <param name="Sigma">Standard deviation of the EMF from the per-bin variances.</param>
/// <param name="LowCounts">E_L = sum_i wL_i n_i, counts in the low-momentum window L.</param>
/// <param name="HighCounts">E_H = sum_i wH_i n_i, counts in the high-momentum window H.</param>
public readonly record struct EmfResult(double Value, double Sigma, double LowCounts, double HighCounts)
{
    /// <summary>True when the EMF is defined (E_H reached the minimum count).</summary>
    public bool IsDefined => !double.IsNaN(Value);
}

/// <summary>
/// The EMF of spectra on one axis (ANALYSIS section 5, seed equations 3-5), built once per
/// (axis, geometry, windows, energy shift). Bin i, with edges moved by -shift, spans
/// [pz_lo, pz_hi]; its weight in a window is the fraction of that span inside the window (counts
/// spread uniformly over the bin). Then E_L = sum wL_i n_i, E_H = sum wH_i n_i, EMF = E_L/E_H and
/// var(EMF) = sum_i (wL_i/E_H - E_L wH_i/E_H^2)^2 var(n_i). <see cref="Compute"/> allocates nothing.
/// </summary>
public sealed class EmfCalculator
{
    private readonly double[] _wL;
    private readonly double[] _wH;
    private readonly double[] _wT;

    private EmfCalculator(HistogramAxis axis, int firstBin, double[] wL, double[] wH, double[] wT, double shiftKeV, double minCounts)
    {
        Axis = axis;
        FirstBin = firstBin;
        _wL = wL;
        _wH = wH;
        _wT = wT;
        ShiftKeV = shiftKeV;
        MinCounts = minCounts;
    }

    public HistogramAxis Axis { get; }

    /// <summary>First bin with a weight; weights cover bins [FirstBin, FirstBin + Length).</summary>
    public int FirstBin { get; }

    /// <summary>Number of bins covered by the weights.</summary>
    public int Length => _wL.Length;

    /// <summary>Energy shift, keV: measured centroid minus E_C; bin edges move by -shift before pz.</summary>
    public double ShiftKeV { get; }

    /// <summary>Minimum E_H for a defined EMF.</summary>
    public double MinCounts { get; }

    /// <summary>wL_i for bins FirstBin.. (fraction of each bin's pz span inside L; see <see cref="BinSpreading"/>).</summary>
    public ReadOnlySpan<double> LowWeights => _wL;

    /// <summary>wH_i for bins FirstBin.. (fraction inside H).</summary>
    public ReadOnlySpan<double> HighWeights => _wH;

    /// <summary>Fraction of each bin inside the profile window |pz| &lt; HighOuter (the "counts" of maps).</summary>
    public ReadOnlySpan<double> ProfileWeights => _wT;

    /// <summary>Builds the fractional-bin weights of <paramref name="s"/>'s windows on <paramref name="axis"/>.</summary>
    /// <param name="axis">Energy axis of the spectra to analyse; must cover every window.</param>
    /// <param name="s">Geometry, windows and minimum count.</param>
    /// <param name="shiftKeV">Fitted centroid minus E_C, keV (0 without peak centring).</param>
    public static EmfCalculator Create(HistogramAxis axis, AnalysisSettings s, double shiftKeV = 0)
    {
        ArgumentNullException.ThrowIfNull(axis);
        s.Validated();
        if (!double.IsFinite(shiftKeV))
            throw new InputException($"energy shift {shiftKeV} keV is not a finite number");
        var (first, end) = WindowBins(axis, s.Geometry, s.Windows, shiftKeV, shiftKeV);
        int n = end - first;
        var wL = new double[n];
        var wH = new double[n];
        var wT = new double[n];
        FillWeights(new PzConverter(s.Geometry), s.Windows, s.Spreading, axis, shiftKeV, first, wL, wH, wT);
        return new EmfCalculator(axis, first, wL, wH, wT, shiftKeV, s.MinCounts);
    }

    /// <summary>EMF and sigma of a full-axis spectrum (ANALYSIS section 5). Allocation-free.</summary>
    /// <param name="counts">Counts per bin, <see cref="HistogramAxis.Bins"/> entries.</param>
    /// <param name="variance">Variance per bin (counts for raw data, plus what subtraction added).</param>
    public EmfResult Compute(ReadOnlySpan<double> counts, ReadOnlySpan<double> variance)
    {
        if (counts.Length != Axis.Bins || variance.Length != Axis.Bins)
            throw new ArgumentException($"expected {Axis.Bins} counts and variances, got {counts.Length} and {variance.Length}");
        return Kernel(counts.Slice(FirstBin, Length), variance.Slice(FirstBin, Length), _wL, _wH, MinCounts);
    }

    /// <summary>EMF and sigma of <paramref name="spectrum"/> (must be on <see cref="Axis"/>).</summary>
    public EmfResult Compute(Spectrum spectrum)
    {
        if (spectrum.Axis != Axis)
            throw new InputException($"spectrum of {spectrum.Axis.Bins} bins of {spectrum.Axis.BinWidthKeV} keV given to an EMF calculator built for {Axis.Bins} bins of {Axis.BinWidthKeV} keV");
        return Compute(spectrum.Counts, spectrum.Variance);
    }

    /// <summary>Counts inside |pz| &lt; HighOuter (fractional bins), the "counts" written with EMF maps.</summary>
    public double ProfileCounts(ReadOnlySpan<double> counts)
    {
        if (counts.Length != Axis.Bins)
            throw new ArgumentException($"expected {Axis.Bins} counts, got {counts.Length}");
        return Dot(counts.Slice(FirstBin, Length), _wT);
    }

    /// <summary>
    /// The EMF kernel on window-aligned spans: n, var, wL, wH all cover the same bins.
    /// Two passes over the bins; no allocation.
    /// </summary>
    internal static EmfResult Kernel(ReadOnlySpan<double> n, ReadOnlySpan<double> var,
        ReadOnlySpan<double> wL, ReadOnlySpan<double> wH, double minCounts)
    {
        double eL = 0, eH = 0;
        for (int i = 0; i < n.Length; i++)
        {
            eL += wL[i] * n[i];
            eH += wH[i] * n[i];
        }
        if (!(eH >= minCounts) || !(eH > 0))
            return new EmfResult(double.NaN, double.NaN, eL, eH);
        double emf = eL / eH;
        // var(EMF) = sum (wL/E_H - E_L wH/E_H^2)^2 var = sum (wL - EMF wH)^2 var / E_H^2
        double acc = 0;
        for (int i = 0; i < n.Length; i++)
        {
            double d = wL[i] - emf * wH[i];
            acc += d * d * var[i];
        }
        return new EmfResult(emf, Math.Sqrt(acc) / eH, eL, eH);
    }

    internal static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>
    /// Bins [first, end) whose span, moved by any shift in [shiftMin, shiftMax] keV, can reach the
    /// window hull. Throws <see cref="InputException"/> when the axis does not cover it.
    /// </summary>
    internal static (int First, int End) WindowBins(HistogramAxis axis, ComptonGeometry g, EmfWindows w, double shiftMin, double shiftMax)
    {
        var pz = new PzConverter(g);
        double eMin = pz.EnergyAtPz(w.HullMin) + shiftMin;
        double eMax = pz.EnergyAtPz(w.HullMax) + shiftMax;
        if (!(eMin >= 0) || !(eMax <= axis.MaxKeV))
            throw new InputException($"EMF windows [{w.HullMin}, {w.HullMax}] a.u. span {eMin:F3}-{eMax:F3} keV, outside the histogram axis 0-{axis.MaxKeV} keV");
        // Two bins of margin: the neighbours of a cut bin carry weight under linear spreading.
        int first = Math.Max(0, (int)Math.Floor(eMin / axis.BinWidthKeV) - 2);
        int end = Math.Min(axis.Bins, (int)Math.Ceiling(eMax / axis.BinWidthKeV) + 2);
        return (first, end);
    }

    /// <summary>
    /// Fills the fractional-bin weights of bins [firstBin, firstBin + wL.Length) for energy shift
    /// <paramref name="shiftKeV"/>: wL (inside L), wH (inside H), wT (inside |pz| &lt; HighOuter).
    /// A bin wholly inside a window weighs 1. A bin cut by a window edge at A..B of its span
    /// [lo, hi] (centre c, width D): <see cref="BinSpreading.Uniform"/> gives it (B - A)/D;
    /// <see cref="BinSpreading.Linear"/> adds the linear-density term s ((B-c)^2 - (A-c)^2)/2 with
    /// s = (J_{i+1} - J_{i-1}) / (c_{i+1} - c_{i-1}), J = n/D, i.e. weights on the two neighbours.
    /// Either way sum_i w_i D_i equals the window width. Allocation-free for up to 1,000 bins.
    /// </summary>
    internal static void FillWeights(in PzConverter pz, EmfWindows w, BinSpreading spreading, HistogramAxis axis,
        double shiftKeV, int firstBin, Span<double> wL, Span<double> wH, Span<double> wT)
    {
        int n = wL.Length;
        double width = axis.BinWidthKeV;
        wL.Clear();
        wH.Clear();
        wT.Clear();
        // edges[j] = pz of the lower edge of bin firstBin - 1 + j, j = 0..n+2 (one neighbour each side).
        Span<double> edges = n + 3 <= 1024 ? stackalloc double[n + 3] : new double[n + 3];
        for (int j = 0; j < edges.Length; j++) edges[j] = pz.Pz((firstBin - 1 + j) * width - shiftKeV);
        bool linear = spreading == BinSpreading.Linear;
        for (int i = 0; i < n; i++)
        {
            double lo = edges[i + 1], hi = edges[i + 2];
            if (hi < w.HullMin || lo > w.HullMax) continue;
            AddSegment(wL, edges, i, lo, hi, w.LowMin, w.LowMax, linear);
            AddSegment(wH, edges, i, lo, hi, -w.HighOuter, -w.HighInner, linear);
            AddSegment(wH, edges, i, lo, hi, w.HighInner, w.HighOuter, linear);
            AddSegment(wT, edges, i, lo, hi, -w.HighOuter, w.HighOuter, linear);
        }
    }

    private static void AddSegment(Span<double> weights, ReadOnlySpan<double> edges, int i, double lo, double hi,
        double a, double b, bool linear)
    {
        double from = Math.Max(lo, a), to = Math.Min(hi, b);
        if (!(to > from)) return;
        double span = hi - lo;
        weights[i] += (to - from) / span;
        if (!linear || (to - from) >= span || i == 0 || i == weights.Length - 1) return;
        double c = 0.5 * (lo + hi);
        double cPrev = 0.5 * (edges[i] + edges[i + 1]), cNext = 0.5 * (edges[i + 2] + edges[i + 3]);
        double k = ((to - c) * (to - c) - (from - c) * (from - c)) / (2 * (cNext - cPrev));
        weights[i + 1] += k / (edges[i + 3] - edges[i + 2]);
        weights[i - 1] -= k / (edges[i + 1] - edges[i]);
    }
}
