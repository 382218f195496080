namespace XcsCt.Domain.Compton;

/// <summary>
/// Scattering geometry of the experiment (ANALYSIS sections 2 and 5): incident energy E1 and
/// scattering angle theta. Gives the Compton line of a free electron at rest and the electron
/// momentum pz (seed equation 2, atomic units) of a scattered photon energy E2.
/// </summary>
/// <param name="IncidentKeV">Incident photon energy E1, keV (default 114.64; must be positive).</param>
/// <param name="AngleDeg">Scattering angle theta, degrees (default 90; in (0, 180]).</param>
public readonly record struct ComptonGeometry(double IncidentKeV = 114.64, double AngleDeg = 90)
{
    /// <summary>Electron rest energy mc^2, keV (ANALYSIS section 2).</summary>
    public const double ElectronRestKeV = 510.999;

    /// <summary>Inverse fine-structure constant: 1 a.u. of momentum is mc / 137.036.</summary>
    public const double InverseFineStructure = 137.036;

    /// <summary>The experiment of the paper: E1 = 114.64 keV, theta = 90 degrees.</summary>
    public ComptonGeometry() : this(114.64, 90) { }

    /// <summary>The default geometry (114.64 keV, 90 degrees).</summary>
    public static ComptonGeometry Default => new(114.64, 90);

    private double CosTheta => Math.Cos(AngleDeg * Math.PI / 180.0);

    /// <summary>
    /// Compton line of a free electron at rest, keV:
    /// E_C = E1 / (1 + (E1/mc^2)(1 - cos theta)) = 93.634 keV for the default geometry.
    /// </summary>
    public double ComptonLineKeV => IncidentKeV / (1.0 + IncidentKeV / ElectronRestKeV * (1.0 - CosTheta));

    /// <summary>
    /// Electron momentum (ANALYSIS section 5, seed equation 2), atomic units:
    /// pz = 137.036 (E2 - E1 + E1 E2 (1 - cos theta)/mc^2) / sqrt(E1^2 + E2^2 - 2 E1 E2 cos theta).
    /// Positive on the high-energy side of the Compton line.
    /// </summary>
    /// <param name="e2KeV">Scattered photon energy E2, keV (&gt;= 0).</param>
    public double Pz(double e2KeV) => new PzConverter(this).Pz(e2KeV);

    /// <summary>
    /// Inverse of <see cref="Pz"/> in closed form: the scattered energy E2 (keV) at momentum pz (a.u.).
    /// With q = pz/137.036, A = 1 + E1 (1 - cos theta)/mc^2 and c = cos theta,
    /// E2 = E1 (A - q^2 c + q sqrt(A^2 + 1 - 2 A c - q^2 (1 - c^2))) / (A^2 - q^2).
    /// NaN outside the physical range (pz &lt;= -137.036 or beyond the high-energy limit).
    /// </summary>
    /// <param name="pz">Electron momentum, atomic units.</param>
    public double EnergyAtPz(double pz) => new PzConverter(this).EnergyAtPz(pz);

    /// <summary>Throws <see cref="InputException"/> when the energy or angle cannot describe an experiment.</summary>
    public ComptonGeometry Validated()
    {
        if (!(IncidentKeV > 0) || !double.IsFinite(IncidentKeV))
            throw new InputException($"beam energy {IncidentKeV} keV is not valid: it must be a positive number");
        if (!(AngleDeg > 0 && AngleDeg <= 180))
            throw new InputException($"scattering angle {AngleDeg} degrees is not valid: it must be in (0, 180]");
        return this;
    }
}

/// <summary>
/// <see cref="ComptonGeometry.Pz"/> and its inverse with the trigonometry and constants computed
/// once, for loops over bin edges.
/// </summary>
internal readonly struct PzConverter
{
    private readonly double _e1;
    private readonly double _cos;
    private readonly double _k;      // (1 - cos theta) / mc^2, 1/keV
    private readonly double _a;      // A = 1 + E1 (1 - cos theta) / mc^2

    public PzConverter(ComptonGeometry g)
    {
        _e1 = g.IncidentKeV;
        _cos = Math.Cos(g.AngleDeg * Math.PI / 180.0);
        _k = (1.0 - _cos) / ComptonGeometry.ElectronRestKeV;
        _a = 1.0 + _e1 * _k;
    }

    public double Pz(double e2)
    {
        double num = e2 - _e1 + _e1 * e2 * _k;
        double den = Math.Sqrt(_e1 * _e1 + e2 * e2 - 2.0 * _e1 * e2 * _cos);
        return ComptonGeometry.InverseFineStructure * num / den;
    }

    public double EnergyAtPz(double pz)
    {
        double q = pz / ComptonGeometry.InverseFineStructure;
        double denom = _a * _a - q * q;
        double disc = _a * _a + 1.0 - 2.0 * _a * _cos - q * q * (1.0 - _cos * _cos);
        if (!(denom > 0) || !(disc >= 0)) return double.NaN;
        double e2 = _e1 * (_a - q * q * _cos + q * Math.Sqrt(disc)) / denom;
        // The squared equation has a second root; keep only the one on the requested side of the line.
        double side = _a * e2 - _e1;
        if (e2 < 0 || (q > 0 && side < 0) || (q < 0 && side > 0)) return double.NaN;
        return e2;
    }
}
