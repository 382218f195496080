namespace XcsCt.Domain.Spectra;

/// <summary>
/// Energy histogram axis (ANALYSIS section 2): bins of equal width from 0 keV; bin i covers
/// [i*w, (i+1)*w). Default 0-200 keV in 0.2 keV bins (1000 bins).
/// </summary>
public sealed record HistogramAxis
{
    public HistogramAxis(double binWidthKeV = 0.2, int bins = 1000)
    {
        if (!(binWidthKeV > 0) || double.IsInfinity(binWidthKeV))
            throw new InputException($"bin width {binWidthKeV} keV is not valid: it must be a positive number");
        if (bins <= 0 || bins > 1 << 20)
            throw new InputException($"bin count {bins} is not valid: it must be between 1 and {1 << 20}");
        BinWidthKeV = binWidthKeV;
        Bins = bins;
    }

    /// <summary>Width of one bin, keV.</summary>
    public double BinWidthKeV { get; }

    /// <summary>Number of bins.</summary>
    public int Bins { get; }

    /// <summary>Upper end of the axis, keV.</summary>
    public double MaxKeV => BinWidthKeV * Bins;

    public double LowerEdge(int bin) => bin * BinWidthKeV;
    public double UpperEdge(int bin) => (bin + 1) * BinWidthKeV;
    public double Centre(int bin) => (bin + 0.5) * BinWidthKeV;

    /// <summary>Default axis covering [0, maxKeV) with the given width (200 keV / 0.2 keV = 1000 bins).</summary>
    public static HistogramAxis Covering(double binWidthKeV, double maxKeV = 200.0) =>
        new(binWidthKeV, (int)Math.Round(maxKeV / binWidthKeV));

    public static HistogramAxis Default { get; } = new();
}
