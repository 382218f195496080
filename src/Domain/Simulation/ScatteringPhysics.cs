namespace XcsCt.Domain.Simulation;

/// <summary>
/// Beam and scattering geometry of the forward model (ANALYSIS section 2): incident energy, scattering
/// angle and the beam's degree of linear polarisation in the scattering plane.
/// </summary>
/// <param name="IncidentKeV">E1, keV (default 114.64).</param>
/// <param name="AngleDeg">Scattering angle theta, degrees (default 90).</param>
/// <param name="Polarisation">Degree of linear polarisation in the scattering plane, -1 (perpendicular to
/// it) to 1 (in it), 0 unpolarised. Default -0.95: the horizontally polarised synchrotron beam scattered
/// up towards a detector above the sheet is polarised perpendicular to the (vertical) scattering plane,
/// where elastic scattering is strongest.</param>
/// <param name="RelativeBandwidth">Incident FWHM / E1 (default 1e-3).</param>
public sealed record BeamGeometry(
    double IncidentKeV = 114.64, double AngleDeg = 90.0, double Polarisation = -0.95, double RelativeBandwidth = 1e-3)
{
    /// <summary>Electron rest energy mc^2, keV.</summary>
    public const double ElectronRestKeV = 510.999;

    /// <summary>Inverse fine-structure constant: one a.u. of momentum is mc/137.036.</summary>
    public const double InverseFineStructure = 137.036;

    /// <summary>Classical electron radius squared, cm^2.</summary>
    public const double ElectronRadiusSquaredCm2 = 7.9407877e-26;

    public static BeamGeometry Default { get; } = new();

    private double CosTheta => Math.Cos(AngleDeg * Math.PI / 180.0);

    /// <summary>Checks the values; <see cref="InputException"/> naming the first bad one.</summary>
    public BeamGeometry Validated()
    {
        if (!(IncidentKeV > 10 && IncidentKeV < 1000))
            throw new InputException($"incident energy {IncidentKeV} keV is not valid: expected 10-1000 keV");
        if (!(AngleDeg > 1 && AngleDeg < 179))
            throw new InputException($"scattering angle {AngleDeg} deg is not valid: expected 1-179 deg");
        if (!(Polarisation >= -1 && Polarisation <= 1))
            throw new InputException($"polarisation {Polarisation} is not valid: expected -1 to 1");
        if (!(RelativeBandwidth >= 0 && RelativeBandwidth < 0.05))
            throw new InputException($"relative bandwidth {RelativeBandwidth} is not valid: expected 0-0.05");
        return this;
    }

    /// <summary>Compton line of a free electron at rest, E_C = E1 / (1 + (E1/mc^2)(1 - cos theta)), keV (ANALYSIS 2).</summary>
    public double ComptonKeV => IncidentKeV / (1 + IncidentKeV / ElectronRestKeV * (1 - CosTheta));

    /// <summary>Momentum transfer |q| c, keV, for scattered energy <paramref name="e2KeV"/>.</summary>
    public double MomentumTransferKeV(double e2KeV) =>
        Math.Sqrt(IncidentKeV * IncidentKeV + e2KeV * e2KeV - 2 * IncidentKeV * e2KeV * CosTheta);

    /// <summary>Electron momentum pz (a.u.) probed at scattered energy <paramref name="e2KeV"/> (ANALYSIS 5, seed equation 2).</summary>
    public double Pz(double e2KeV) =>
        InverseFineStructure * (e2KeV - IncidentKeV + IncidentKeV * e2KeV * (1 - CosTheta) / ElectronRestKeV)
        / MomentumTransferKeV(e2KeV);

    /// <summary>
    /// Impulse-approximation weight of the doubly differential cross-section per unit E2 and unit J
    /// (Eisenberger &amp; Platzman 1970; Ribberfors 1975): <c>(r0^2/2) (E2/E1) X (137.036/|q|c)</c>, the last
    /// factor being dpz/dE2 (a.u. per keV) of the impulse approximation, with the
    /// polarised Klein-Nishina factor <c>X = E2/E1 + E1/E2 - (1 + P) sin^2 theta</c>, cm^2/(sr keV) per a.u.
    /// </summary>
    public double ComptonWeight(double e2KeV)
    {
        double k = e2KeV / IncidentKeV;
        double sin2 = 1 - CosTheta * CosTheta;
        double x = k + 1 / k - (1 + Polarisation) * sin2;
        return 0.5 * ElectronRadiusSquaredCm2 * k * x * InverseFineStructure / MomentumTransferKeV(e2KeV);
    }

    /// <summary>
    /// Thomson polarisation factor of elastic (Rayleigh) scattering: <c>(1+P)/2 cos^2 theta + (1-P)/2</c>
    /// (1 at theta = 0; (1-P)/2 at 90 degrees, where a polarised beam barely scatters elastically).
    /// </summary>
    public double ElasticPolarisationFactor =>
        (1 + Polarisation) / 2 * CosTheta * CosTheta + (1 - Polarisation) / 2;

    /// <summary>Momentum transfer of elastic scattering, x = sin(theta/2)/lambda in 1/Angstrom.</summary>
    public double ElasticMomentumTransferPerAngstrom =>
        Math.Sin(AngleDeg * Math.PI / 360.0) * IncidentKeV / 12.398419843;
}

/// <summary>
/// Photon cross-sections per atom used for attenuation and elastic scattering. A compact
/// parametrisation, not a database: incoherent = Z times the Klein-Nishina total cross-section;
/// photoabsorption <c>1.762e-23 (Z/26)^4.6 (100/E)^3</c> cm^2 and coherent
/// <c>2.78e-24 (Z/26)^2.5 (100/E)^2</c> cm^2, both scaled to XCOM's iron at 100 keV
/// (0.19 and 0.03 cm^2/g; total 0.37 cm^2/g, and 0.196 cm^2/g at 150 keV as XCOM) and valid above the
/// element's K edge (true for Z &lt;= 42 at 50-120 keV, and for Cd/Te above 32 keV).
/// </summary>
public static class CrossSections
{
    /// <summary>Klein-Nishina total cross-section per free electron at <paramref name="eKeV"/>, cm^2.</summary>
    public static double KleinNishinaTotalCm2(double eKeV)
    {
        double k = eKeV / BeamGeometry.ElectronRestKeV;
        double a = 1 + 2 * k;
        double l = Math.Log(a);
        double s = (1 + k) / (k * k) * (2 * (1 + k) / a - l / k) + l / (2 * k) - (1 + 3 * k) / (a * a);
        return 2 * Math.PI * BeamGeometry.ElectronRadiusSquaredCm2 * s;
    }

    /// <summary>Photoabsorption cross-section per atom, cm^2.</summary>
    public static double PhotoelectricCm2(int z, double eKeV) =>
        1.762e-23 * Math.Pow(z / 26.0, 4.6) * Math.Pow(100.0 / eKeV, 3);

    /// <summary>Coherent (Rayleigh) cross-section per atom, cm^2.</summary>
    public static double CoherentCm2(int z, double eKeV) =>
        2.78e-24 * Math.Pow(z / 26.0, 2.5) * Math.Pow(100.0 / eKeV, 2);

    /// <summary>Total attenuation cross-section per atom, cm^2.</summary>
    public static double TotalCm2(int z, double eKeV) =>
        z * KleinNishinaTotalCm2(eKeV) + PhotoelectricCm2(z, eKeV) + CoherentCm2(z, eKeV);

    /// <summary>
    /// Atomic form factor squared at large momentum transfer, the K shell's hydrogenic form factor
    /// <c>f = 2 / (1 + (2 pi x a0 / Z_eff)^2)^2</c> with Z_eff = Z - 0.3 (x in 1/Angstrom) plus the L
    /// shell's share for Z &gt; 2; it fixes the strength of the elastic line relative to Compton.
    /// </summary>
    public static double ElasticFormFactorSquared(int z, double xPerAngstrom)
    {
        const double a0 = 0.529177;
        double q = 4 * Math.PI * xPerAngstrom * a0; // |q| in units of 1/a0
        double zk = Math.Max(z - 0.3, 0.7);
        double fk = Math.Min(z, 2) / Math.Pow(1 + Math.Pow(q / (2 * zk), 2), 2);
        double fl = 0;
        if (z > 2)
        {
            double zl = Math.Max(z - 4.15, 1.0) / 2.0;
            fl = Math.Min(z - 2, 8) / Math.Pow(1 + Math.Pow(q / (2 * zl), 2), 4);
        }
        double f = fk + fl;
        return f * f;
    }
}
