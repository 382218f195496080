using XcsCt.Domain.Plots;

namespace XcsCt.Domain.Pipeline;

/// <summary>The per-scan figures of FORMATS.md: <c>spectrum.png</c>, <c>profile.png</c>, <c>emf_map.png</c>.</summary>
public static class ScanFigures
{
    public const string SpectrumName = "spectrum.png";
    public const string ProfileName = "profile.png";
    public const string EmfMapName = "emf_map.png";

    public static void Write(string directory, ScanResult r, double pitchMm)
    {
        var axis = r.Spectra.Axis;
        var energy = new double[axis.Bins];
        for (int i = 0; i < energy.Length; i++) energy[i] = axis.Centre(i);
        var g = r.Settings.Geometry;
        var w = r.Settings.Windows;
        string title = $"{r.Experiment} / {r.Scan}";
        Figures.Spectrum(Path.Combine(directory, SpectrumName), energy, r.Spectrum.Counts,
            SpectrumLines.ForBeam(g.IncidentKeV, g.AngleDeg), title);
        Figures.Profile(Path.Combine(directory, ProfileName), r.Profile.Pz, r.Profile.J,
            (w.LowMin, w.LowMax), (w.HighInner, w.HighOuter), title);
        var outlines = new List<(string, float[])>(r.Components.Count);
        foreach (var c in r.Components) outlines.Add((c.Name, c.Mask));
        var (emf, _, _) = ScanOutputs.FullResolution(r);
        Figures.EmfMap(Path.Combine(directory, EmfMapName), r.Spectra.Shape.Rows, r.Spectra.Shape.Cols, emf, pitchMm, outlines, title);
    }
}
