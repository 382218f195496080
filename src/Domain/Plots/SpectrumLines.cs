namespace XcsCt.Domain.Plots;

/// <summary>Kind of a line marked on <c>spectrum.png</c>; each kind has its own colour.</summary>
public enum LineFamily
{
    /// <summary>Compton line of a free electron at rest, E_C (ANALYSIS 2).</summary>
    Compton,

    /// <summary>Elastic (Rayleigh) line at the incident energy E1.</summary>
    Elastic,

    /// <summary>Tungsten K fluorescence (the pinhole).</summary>
    Tungsten,

    /// <summary>Lead K fluorescence (shielding).</summary>
    Lead,

    /// <summary>Cd and Te K escape peaks of the elastic line in the CdZnTe sensor.</summary>
    Escape,
}

/// <summary>A labelled marker at one or more energies (close doublets such as Cd Kα1/Kα2 escapes share one label).</summary>
/// <param name="Label">Text shown next to the marker.</param>
/// <param name="Family">Colour group.</param>
/// <param name="EnergiesKeV">Line energies, keV.</param>
public sealed record MarkedLine(string Label, LineFamily Family, params double[] EnergiesKeV);

/// <summary>
/// The lines marked on <c>spectrum.png</c> (FORMATS, Outputs): Compton, elastic, fluorescence and
/// escape lines. Emission energies are the tabulated K lines (X-ray Data Booklet, Bearden 1967);
/// escape peaks sit at E1 minus the Cd or Te K line (ANALYSIS 5: 91.47 and 91.66 keV for Cd Kα at
/// E1 = 114.64 keV).
/// </summary>
/// <param name="ElasticKeV">Incident (elastic) energy E1, keV.</param>
/// <param name="ComptonKeV">Compton line E_C, keV.</param>
public sealed record SpectrumLines(double ElasticKeV, double ComptonKeV)
{
    /// <summary>Electron rest energy mc^2, keV (ANALYSIS 2).</summary>
    public const double ElectronRestEnergyKeV = 510.999;

    public const double TungstenKAlpha1KeV = 59.318, TungstenKAlpha2KeV = 57.981, TungstenKBeta1KeV = 67.244;
    public const double LeadKAlpha1KeV = 74.969, LeadKAlpha2KeV = 72.805, LeadKBeta1KeV = 84.936;
    public const double CadmiumKAlpha1KeV = 23.174, CadmiumKAlpha2KeV = 22.984, CadmiumKBeta1KeV = 26.095;
    public const double TelluriumKAlpha1KeV = 27.472, TelluriumKAlpha2KeV = 27.202, TelluriumKBeta1KeV = 30.995;

    /// <summary>
    /// Lines for a beam of <paramref name="incidentKeV"/> scattered through <paramref name="scatteringAngleDeg"/>:
    /// E_C = E1 / (1 + (E1 / mc^2)(1 - cos theta)) (ANALYSIS 2); 93.634 keV for the defaults.
    /// </summary>
    /// <param name="incidentKeV">E1, keV (default 114.64).</param>
    /// <param name="scatteringAngleDeg">theta, degrees (default 90).</param>
    public static SpectrumLines ForBeam(double incidentKeV = 114.64, double scatteringAngleDeg = 90)
    {
        if (!(incidentKeV > 0) || double.IsInfinity(incidentKeV))
            throw new InputException($"incident energy must be a positive number of keV, found {incidentKeV}");
        double cos = Math.Cos(scatteringAngleDeg * Math.PI / 180);
        return new SpectrumLines(incidentKeV, incidentKeV / (1 + incidentKeV / ElectronRestEnergyKeV * (1 - cos)));
    }

    /// <summary>Every marker, lowest energy first.</summary>
    public IReadOnlyList<MarkedLine> Markers()
    {
        double e1 = ElasticKeV;
        var markers = new List<MarkedLine>
        {
            new("W Kα2", LineFamily.Tungsten, TungstenKAlpha2KeV),
            new("W Kα1", LineFamily.Tungsten, TungstenKAlpha1KeV),
            new("W Kβ", LineFamily.Tungsten, TungstenKBeta1KeV),
            new("Pb Kα2", LineFamily.Lead, LeadKAlpha2KeV),
            new("Pb Kα1", LineFamily.Lead, LeadKAlpha1KeV),
            new("Pb Kβ", LineFamily.Lead, LeadKBeta1KeV),
            new("Te Kβ esc", LineFamily.Escape, e1 - TelluriumKBeta1KeV),
            new("Te Kα esc", LineFamily.Escape, e1 - TelluriumKAlpha1KeV, e1 - TelluriumKAlpha2KeV),
            new("Cd Kβ esc", LineFamily.Escape, e1 - CadmiumKBeta1KeV),
            new("Cd Kα esc", LineFamily.Escape, e1 - CadmiumKAlpha1KeV, e1 - CadmiumKAlpha2KeV),
            new("Compton", LineFamily.Compton, ComptonKeV),
            new("elastic", LineFamily.Elastic, e1),
        };
        markers.Sort((a, b) => a.EnergiesKeV.Min().CompareTo(b.EnergiesKeV.Min()));
        return markers;
    }
}
