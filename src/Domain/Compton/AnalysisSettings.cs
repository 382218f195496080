namespace XcsCt.Domain.Compton;

/// <summary>
/// EMF windows in electron momentum (ANALYSIS section 5): L = [LowMin, LowMax] and
/// H = [-HighOuter, -HighInner] U [HighInner, HighOuter], atomic units. Default L = [-1, 1],
/// H = [-5, -1] U [1, 5].
/// </summary>
public sealed record EmfWindows(double LowMin = -1, double LowMax = 1, double HighInner = 1, double HighOuter = 5)
{
    /// <summary>Lowest momentum any window reaches, a.u.</summary>
    public double HullMin => Math.Min(LowMin, -HighOuter);

    /// <summary>Highest momentum any window reaches, a.u.</summary>
    public double HullMax => Math.Max(LowMax, HighOuter);

    /// <summary>Width of L, a.u.</summary>
    public double LowWidth => LowMax - LowMin;

    /// <summary>Width of H (both halves), a.u.</summary>
    public double HighWidth => 2 * (HighOuter - HighInner);

    /// <summary>Throws <see cref="InputException"/> when a window is empty or reversed.</summary>
    public EmfWindows Validated()
    {
        if (!(double.IsFinite(LowMin) && double.IsFinite(LowMax) && LowMin < LowMax))
            throw new InputException($"EMF low window [{LowMin}, {LowMax}] a.u. is not valid: it needs min < max");
        if (!(double.IsFinite(HighInner) && double.IsFinite(HighOuter) && HighInner >= 0 && HighInner < HighOuter))
            throw new InputException($"EMF high window [{HighInner}, {HighOuter}] a.u. is not valid: it needs 0 <= inner < outer");
        return this;
    }
}

/// <summary>
/// How the counts of a bin are spread over its pz span when a window edge cuts it (ANALYSIS
/// section 5, windows with fractional bins).
/// </summary>
public enum BinSpreading
{
    /// <summary>
    /// The contract of ANALYSIS section 5: counts spread uniformly over the bin, weight = fraction of
    /// the bin's pz span inside the window. Biased where the profile is curved across a cut bin:
    /// with 0.2 keV bins, a Gaussian J of sigma 1.5 / 1.0 / 0.8 a.u. reads -0.4 / -1.2 / -2.2 % low.
    /// </summary>
    Uniform,

    /// <summary>
    /// Counts spread with a linear density inside each cut bin, its slope taken from the neighbouring
    /// bins' densities (count-conserving). Still linear in the counts, so E_L, E_H and the variance
    /// formula keep their form with effective weights; the bias above drops below 1e-3.
    /// </summary>
    Linear,
}

/// <summary>
/// Everything the spectrum-to-EMF analysis (ANALYSIS section 5) is configured by; immutable.
/// Manifest keys: <c>analysis: { peak_centring, binning, min_counts, low, high }</c> and <c>beam</c>.
/// </summary>
public sealed record AnalysisSettings
{
    /// <summary>Beam energy and scattering angle.</summary>
    public ComptonGeometry Geometry { get; init; } = ComptonGeometry.Default;

    /// <summary>EMF windows in pz.</summary>
    public EmfWindows Windows { get; init; } = new();

    /// <summary>How cut bins are split between windows (default <see cref="BinSpreading.Uniform"/>, the spec's rule).</summary>
    public BinSpreading Spreading { get; init; } = BinSpreading.Uniform;

    /// <summary>Shift the energy axis so that the fitted Compton centroid maps to pz = 0 (default on).</summary>
    public bool PeakCentring { get; init; } = true;

    /// <summary>k x k spatial binning of pixel spectra before the EMF (default 1 = none).</summary>
    public int Binning { get; init; } = 1;

    /// <summary>Minimum E_H (counts in the high window) for an EMF to be defined (default 100).</summary>
    public double MinCounts { get; init; } = 100;

    /// <summary>
    /// Lower end of the peak-centring fit range, keV: 90 for the default geometry (ANALYSIS section 5);
    /// unless set, it moves with the Compton line for another beam energy or angle.
    /// </summary>
    public double PeakFitMinKeV
    {
        get => _peakFitMinKeV ?? global::XcsCt.Domain.Compton.PeakCentring.DefaultMinKeV + LineOffsetKeV;
        init => _peakFitMinKeV = value;
    }

    /// <summary>Upper end of the peak-centring fit range, keV: 97.5 for the default geometry, moving with the line like <see cref="PeakFitMinKeV"/>.</summary>
    public double PeakFitMaxKeV
    {
        get => _peakFitMaxKeV ?? global::XcsCt.Domain.Compton.PeakCentring.DefaultMaxKeV + LineOffsetKeV;
        init => _peakFitMaxKeV = value;
    }

    private readonly double? _peakFitMinKeV;
    private readonly double? _peakFitMaxKeV;

    /// <summary>E_C of this geometry minus E_C of the default one (exactly 0 for the default geometry).</summary>
    private double LineOffsetKeV => Geometry.ComptonLineKeV - ComptonGeometry.Default.ComptonLineKeV;

    /// <summary>
    /// Maps: a (binned) pixel gets its own peak-centring fit when it holds at least this many counts
    /// in the fit range (default 2000, centroid error ~0.02 keV); else it uses the global shift.
    /// </summary>
    public double PixelFitMinCounts { get; init; } = 2000;

    /// <summary>
    /// Maps: a pixel's fitted shift further than this from the global shift (keV, default 1) is
    /// taken as a failed fit and the global shift is used.
    /// </summary>
    public double PixelShiftToleranceKeV { get; init; } = 1.0;

    public static AnalysisSettings Default { get; } = new();

    /// <summary>Checks every value; throws <see cref="InputException"/> naming the first problem.</summary>
    public AnalysisSettings Validated()
    {
        Geometry.Validated();
        ArgumentNullException.ThrowIfNull(Windows);
        Windows.Validated();
        if (!Enum.IsDefined(Spreading))
            throw new InputException($"bin spreading {(int)Spreading} is not valid: use uniform or linear");
        if (Binning < 1)
            throw new InputException($"binning {Binning} is not valid: it must be a positive integer");
        if (!(MinCounts >= 0) || double.IsInfinity(MinCounts))
            throw new InputException($"min_counts {MinCounts} is not valid: it must be a non-negative number");
        if (!(PeakFitMinKeV >= 0 && PeakFitMaxKeV > PeakFitMinKeV && double.IsFinite(PeakFitMaxKeV)))
            throw new InputException($"peak fit range [{PeakFitMinKeV}, {PeakFitMaxKeV}] keV is not valid");
        double ec = Geometry.ComptonLineKeV;
        if (PeakCentring && !(ec > PeakFitMinKeV && ec < PeakFitMaxKeV))
            throw new InputException($"peak fit range [{PeakFitMinKeV}, {PeakFitMaxKeV}] keV does not contain the Compton line {ec:F3} keV of a {Geometry.IncidentKeV} keV beam at {Geometry.AngleDeg} degrees");
        if (!(PixelFitMinCounts >= 0))
            throw new InputException($"pixel fit minimum {PixelFitMinCounts} counts is not valid");
        if (!(PixelShiftToleranceKeV >= 0))
            throw new InputException($"pixel shift tolerance {PixelShiftToleranceKeV} keV is not valid");
        return this;
    }
}
