using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Compton;

/// <summary>
/// Compton profile of a spectrum (ANALYSIS section 5): J of bin i = n_i / (pz_hi - pz_lo), counts
/// per unit momentum (the Jacobian is in the bin width), normalised to unit area over
/// |pz| &lt; 5 for display. Bins are those whose pz span meets [-extent, extent].
/// </summary>
/// <param name="Pz">Momentum of each bin's (shifted) centre energy, a.u., increasing.</param>
/// <param name="J">Normalised profile, 1/a.u.</param>
/// <param name="JSigma">Standard deviation of J from the bin variance (the normalisation is taken as exact).</param>
public sealed record ComptonProfile(double[] Pz, double[] J, double[] JSigma)
{
    /// <summary>Builds the profile of <paramref name="s"/>.</summary>
    /// <param name="s">Spectrum (counts and variance).</param>
    /// <param name="g">Geometry that maps energy to pz.</param>
    /// <param name="shiftKeV">Peak-centring shift, keV (centroid - E_C; 0 for none).</param>
    /// <param name="normalisationPz">Half-width of the unit-area window, a.u. (default 5).</param>
    /// <param name="extentPz">Half-width of the returned pz range, a.u. (default 10).</param>
    public static ComptonProfile FromSpectrum(Spectrum s, ComptonGeometry g, double shiftKeV,
        double normalisationPz = 5, double extentPz = 10)
    {
        ArgumentNullException.ThrowIfNull(s);
        g.Validated();
        if (!(normalisationPz > 0) || !(extentPz >= normalisationPz))
            throw new InputException($"profile window |pz| < {normalisationPz} within |pz| < {extentPz} a.u. is not valid");
        var pz = new PzConverter(g);
        var axis = s.Axis;
        double w = axis.BinWidthKeV;
        double eLo = pz.EnergyAtPz(-extentPz) + shiftKeV, eHi = pz.EnergyAtPz(extentPz) + shiftKeV;
        if (!(eLo >= 0) || !(eHi <= axis.MaxKeV))
            throw new InputException($"profile range |pz| < {extentPz} a.u. spans {eLo:F3}-{eHi:F3} keV, outside the histogram axis 0-{axis.MaxKeV} keV");
        int first = (int)Math.Floor(eLo / w);
        int end = Math.Min(axis.Bins, (int)Math.Ceiling(eHi / w));
        int nb = end - first;
        var centre = new double[nb];
        var j = new double[nb];
        var sigma = new double[nb];
        double area = 0;
        for (int i = 0; i < nb; i++)
        {
            int bin = first + i;
            double lo = pz.Pz(bin * w - shiftKeV), hi = pz.Pz((bin + 1) * w - shiftKeV);
            double span = hi - lo;
            centre[i] = pz.Pz((bin + 0.5) * w - shiftKeV);
            j[i] = s.Counts[bin] / span;
            sigma[i] = Math.Sqrt(Math.Max(s.Variance[bin], 0)) / span;
            area += j[i] * Math.Max(0, Math.Min(hi, normalisationPz) - Math.Max(lo, -normalisationPz));
        }
        if (area > 0)
            for (int i = 0; i < nb; i++) { j[i] /= area; sigma[i] /= area; }
        return new ComptonProfile(centre, j, sigma);
    }
}
