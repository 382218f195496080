using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Simulation;

/// <summary>
/// EMF of a (double) spectrum on a histogram axis (ANALYSIS 5): windows in pz with fractional bins,
/// <c>EMF = E_L / E_H</c>, without peak centring. The simulator's own reference for truth values.
/// </summary>
internal static class SimulationEmf
{
    public static (double Emf, double Low, double High) Compute(ReadOnlySpan<double> counts, HistogramAxis axis, BeamGeometry beam,
        double shiftKeV = 0, double low = 1, double high = 5)
    {
        double el = 0, eh = 0;
        for (int i = 0; i < axis.Bins; i++)
        {
            double c = counts[i];
            if (c == 0) continue;
            double e0 = axis.LowerEdge(i) - shiftKeV, e1 = axis.UpperEdge(i) - shiftKeV;
            if (e1 < 60 || e0 > beam.IncidentKeV - 1) continue;
            double p0 = beam.Pz(e0), p1 = beam.Pz(e1);
            double span = p1 - p0;
            double wl = Overlap(p0, p1, -low, low) / span;
            double wh = (Overlap(p0, p1, -high, -low) + Overlap(p0, p1, low, high)) / span;
            el += wl * c;
            eh += wh * c;
        }
        return (el / eh, el, eh);
    }

    private static double Overlap(double a0, double a1, double b0, double b1) => Math.Max(0, Math.Min(a1, b1) - Math.Max(a0, b0));
}
