using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Formats.Output;

/// <summary>
/// The scan's numbers for scripts, written as <c>summary.json</c> (FORMATS, Outputs) by
/// <see cref="SummaryJson"/>. NaN values (undefined EMF, failed peak fit) are written as JSON null
/// and read back as NaN.
/// </summary>
/// <param name="Experiment">Experiment id.</param>
/// <param name="Scan">Scan id.</param>
/// <param name="Frames">Frames that contributed.</param>
/// <param name="Events">Frame-level bookkeeping (ANALYSIS 3).</param>
/// <param name="ComptonPeakKeV">Fitted Compton peak centroid of the summed spectrum, keV (ANALYSIS 5 "Peak centring"); NaN when not fitted.</param>
/// <param name="PeakShiftKeV">Shift applied to the energy axis so the centroid maps to pz = 0, keV; 0 when centring is off.</param>
/// <param name="Emf">EMF of the whole detector (sum of all pixel spectra) with its sigma.</param>
/// <param name="Components">EMF per component (ANALYSIS 5 "Regions").</param>
/// <param name="LiFraction">Lithium fraction x (ANALYSIS 6), null when not calibrated.</param>
/// <param name="UndefinedPixels">Pixels without an EMF (E_H below the minimum count), as (row, col) (ANALYSIS 5).</param>
public sealed record ScanSummary(
    string Experiment, string Scan, long Frames, SummaryEvents Events,
    double ComptonPeakKeV, double PeakShiftKeV,
    Estimate Emf, IReadOnlyList<ComponentEmf> Components,
    LiFractionSummary? LiFraction, IReadOnlyList<PixelIndex> UndefinedPixels);

/// <summary>A value with its standard uncertainty (NaN when undefined).</summary>
public readonly record struct Estimate(double Value, double Sigma);

/// <summary>A detector pixel (row, col), both from 0.</summary>
public readonly record struct PixelIndex(int Row, int Col);

/// <summary>The event counters that <c>summary.json</c> reports (ANALYSIS 3): <c>In = Kept + Merged + Discarded + BelowThreshold</c>.</summary>
public sealed record SummaryEvents(long In, long Kept, long Merged, long Discarded, long BelowThreshold, long Overflow)
{
    public static SummaryEvents From(EventCounts counts) =>
        new(counts.In, counts.Kept, counts.Merged, counts.Discarded, counts.BelowThreshold, counts.Overflow);
}

/// <summary>EMF of one component's mask-weighted summed spectrum, and the pixels its mask covers.</summary>
public sealed record ComponentEmf(string Name, double Value, double Sigma, int Pixels);

/// <summary>Lithium fraction x of the whole detector (null when not meaningful) and per component.</summary>
public sealed record LiFractionSummary(Estimate? Global, IReadOnlyList<ComponentLiFraction> Components);

/// <summary>Lithium fraction x of one component with its standard uncertainty.</summary>
public sealed record ComponentLiFraction(string Name, double Value, double Sigma);
