using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Spectra;

/// <summary>One reference run and the factor its pixel spectra are multiplied by before subtraction.</summary>
/// <param name="Name">What it is ("dark", "empty"), used in messages.</param>
/// <param name="Reference">The reference's pixel spectra (same shape and axis as the sample).</param>
/// <param name="Scale">Dimensionless factor applied to the reference counts (may be zero, never negative in practice).</param>
public sealed record BackgroundTerm(string Name, PixelSpectra Reference, double Scale);

/// <summary>
/// What must be subtracted from a scan's pixel spectra (ANALYSIS section 4): a linear combination
/// sum_r c_r R_r of reference runs, applied per pixel with its variance sum_r c_r^2 R_r carried
/// (reference counts are Poisson). Works for single pixels, k x k blocks and weighted regions: a
/// pixel taken with weight w subtracts w c_r R_r and adds w^2 c_r^2 R_r to the variance.
/// </summary>
public sealed class SpectrumBackground
{
    private readonly BackgroundTerm[] _terms;

    private SpectrumBackground(DetectorShape shape, HistogramAxis axis, BackgroundTerm[] terms)
    {
        Shape = shape;
        Axis = axis;
        _terms = terms;
    }

    public DetectorShape Shape { get; }
    public HistogramAxis Axis { get; }
    public IReadOnlyList<BackgroundTerm> Terms => _terms;

    /// <summary>
    /// Background of <paramref name="sample"/> from a dark (beam-off) run and/or an empty-holder
    /// (no-sample) run (ANALYSIS section 4).
    /// <list type="bullet">
    /// <item>Dark alone: scale s_d = frames(sample) / frames(dark).</item>
    /// <item>Empty alone: scale s_e = flux(sample) / flux(empty), flux = monitor counts when both
    /// monitors are given, else frames.</item>
    /// <item>Both: the empty run contains its own dark contribution, so it is dark-corrected first:
    /// B = s_e (E - (frames(empty)/frames(dark)) D) + s_d D. The net dark factor
    /// s_d - s_e frames(empty)/frames(dark) is zero when flux is counted in frames (the term is then
    /// dropped) and non-zero with monitors. D enters once with its net factor, so its variance is
    /// counted once (no double counting of a correlated reference).</item>
    /// </list>
    /// </summary>
    /// <param name="sample">The scan's pixel spectra (its <see cref="PixelSpectra.Frames"/> must be positive).</param>
    /// <param name="dark">Beam-off run, or null.</param>
    /// <param name="empty">No-sample run, or null.</param>
    /// <param name="sampleMonitor">Incident-flux monitor integral of the sample run (any unit), or null.</param>
    /// <param name="emptyMonitor">Same for the empty run; give both monitors or neither.</param>
    public static SpectrumBackground Create(PixelSpectra sample, PixelSpectra? dark = null, PixelSpectra? empty = null,
        double? sampleMonitor = null, double? emptyMonitor = null)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var terms = new List<BackgroundTerm>(2);
        if (dark is null && empty is null) return new SpectrumBackground(sample.Shape, sample.Axis, []);
        CheckFrames(sample, "sample");
        if (dark is not null) { CheckFrames(dark, "dark reference"); CheckSame(sample, dark, "dark reference"); }
        if (empty is not null) { CheckFrames(empty, "empty-holder reference"); CheckSame(sample, empty, "empty-holder reference"); }
        if (sampleMonitor.HasValue != emptyMonitor.HasValue)
            throw new InputException("flux monitors: give the monitor of both the sample and the empty-holder run, or of neither");
        if (sampleMonitor is { } ms && !(ms > 0 && double.IsFinite(ms)))
            throw new InputException($"flux monitor of the sample run is {ms}: it must be a positive number");
        if (emptyMonitor is { } me && !(me > 0 && double.IsFinite(me)))
            throw new InputException($"flux monitor of the empty-holder run is {me}: it must be a positive number");
        if (sampleMonitor.HasValue && empty is null)
            throw new InputException("flux monitors were given but no empty-holder run: monitors only scale the empty-holder subtraction");

        double fs = sample.Frames;
        if (empty is null)
        {
            terms.Add(new BackgroundTerm("dark", dark!, fs / dark!.Frames));
        }
        else
        {
            bool monitors = sampleMonitor.HasValue;
            double se = monitors ? sampleMonitor!.Value / emptyMonitor!.Value : fs / empty.Frames;
            terms.Add(new BackgroundTerm("empty", empty, se));
            if (dark is not null && monitors)
            {
                double netDark = fs / dark.Frames - se * empty.Frames / dark.Frames;
                if (netDark != 0) terms.Add(new BackgroundTerm("dark", dark, netDark));
            }
        }
        return new SpectrumBackground(sample.Shape, sample.Axis, terms.ToArray());
    }

    /// <summary>A background made of explicit terms (all of the given shape and axis).</summary>
    public static SpectrumBackground FromTerms(DetectorShape shape, HistogramAxis axis, IEnumerable<BackgroundTerm> terms)
    {
        var list = terms.ToArray();
        foreach (var t in list)
        {
            if (t.Reference.Shape != shape || t.Reference.Axis != axis)
                throw new InputException($"{t.Name} reference: expected {shape} pixels x {axis.Bins} bins of {axis.BinWidthKeV} keV, found {t.Reference.Shape} x {t.Reference.Axis.Bins} bins of {t.Reference.Axis.BinWidthKeV} keV");
            if (!double.IsFinite(t.Scale))
                throw new InputException($"{t.Name} reference: scale {t.Scale} is not a finite number");
        }
        return new SpectrumBackground(shape, axis, list);
    }

    /// <summary>True when nothing is subtracted.</summary>
    public bool IsEmpty => _terms.Length == 0;

    /// <summary>
    /// Subtracts pixel <paramref name="pixel"/>'s background, taken with weight w, from bins
    /// [firstBin, firstBin + counts.Length): counts -= w sum_r c_r R_r, variance += w^2 sum_r c_r^2 R_r.
    /// Allocation-free.
    /// </summary>
    public void SubtractFrom(int pixel, double weight, int firstBin, Span<double> counts, Span<double> variance)
    {
        int bins = Axis.Bins;
        int nb = counts.Length;
        if (variance.Length != nb) throw new ArgumentException("counts and variance must have the same length");
        if ((uint)pixel >= (uint)Shape.Pixels || firstBin < 0 || firstBin + nb > bins)
            throw new ArgumentOutOfRangeException(nameof(pixel), $"pixel {pixel}, bins [{firstBin}, {firstBin + nb}) outside {Shape} x {bins}");
        foreach (var t in _terms)
        {
            double c = weight * t.Scale;
            double c2 = c * c;
            var r = t.Reference.Counts.AsSpan(pixel * bins + firstBin, nb);
            for (int b = 0; b < nb; b++)
            {
                counts[b] -= c * r[b];
                variance[b] += c2 * r[b];
            }
        }
    }

    internal void CheckMatches(PixelSpectra sample)
    {
        if (sample.Shape != Shape || sample.Axis != Axis)
            throw new InputException($"background: built for {Shape} pixels x {Axis.Bins} bins, applied to spectra of {sample.Shape} x {sample.Axis.Bins} bins");
    }

    private static void CheckFrames(PixelSpectra run, string what)
    {
        if (run.Frames <= 0)
            throw new InputException($"{what}: frame count is {run.Frames}; background scaling needs the number of frames of every run");
    }

    private static void CheckSame(PixelSpectra sample, PixelSpectra reference, string what)
    {
        if (reference.Shape != sample.Shape || reference.Axis != sample.Axis)
            throw new InputException($"{what}: expected {sample.Shape} pixels x {sample.Axis.Bins} bins of {sample.Axis.BinWidthKeV} keV like the sample, found {reference.Shape} x {reference.Axis.Bins} bins of {reference.Axis.BinWidthKeV} keV");
    }
}
