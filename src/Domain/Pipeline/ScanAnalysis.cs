using XcsCt.Domain.Compton;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Pipeline;

/// <summary>Reference runs of an experiment (ANALYSIS section 4), already histogrammed with the scan's corrections.</summary>
/// <param name="Dark">Beam-off run, or null.</param>
/// <param name="Empty">No-sample (empty holder) run, or null.</param>
/// <param name="Ptfe">Homogeneous PTFE disk, for the per-pixel relative sensitivity of intensity maps, or null.</param>
public sealed record ScanReferences(PixelSpectra? Dark = null, PixelSpectra? Empty = null, PixelSpectra? Ptfe = null)
{
    public static ScanReferences None { get; } = new();
}

/// <summary>EMF of one named component (a fractional mask on the detector grid).</summary>
/// <param name="Mask">Weight per pixel in [0, 1], NaN where unknown.</param>
/// <param name="Pixels">Pixels with a positive weight.</param>
public sealed record ComponentResult(string Name, float[] Mask, int Pixels, EmfResult Emf);

/// <summary>Everything ANALYSIS section 5 computes for one scan.</summary>
/// <param name="Spectrum">Summed, background-subtracted spectrum of all pixels (variance carried).</param>
/// <param name="Peak">Compton peak fit of that spectrum, null when peak centring is off.</param>
/// <param name="ShiftKeV">Energy shift applied (fitted centroid - E_C), 0 when centring is off.</param>
/// <param name="Global">EMF of the whole detector (the sum of all pixel spectra).</param>
/// <param name="Map">Per-pixel (or k x k binned) EMF map.</param>
/// <param name="Profile">Compton profile J(pz) of the summed spectrum.</param>
/// <param name="Intensity">Counts in |pz| &lt; 5 per pixel, divided by the PTFE sensitivity when a PTFE run is given.</param>
public sealed record ScanResult(
    string Experiment, string Scan, PixelSpectra Spectra, AnalysisSettings Settings,
    Spectrum Spectrum, PeakFit? Peak, double ShiftKeV, EmfResult Global, EmfMap Map,
    ComptonProfile Profile, double[] Intensity, IReadOnlyList<ComponentResult> Components);

/// <summary>
/// The spectrum-level analysis of one scan: background subtraction, peak centring on the summed
/// spectrum, global, per-pixel and per-component EMF (components as the EMF of the mask-weighted
/// sum of spectra, ANALYSIS section 5 "Regions"), and the Compton profile.
/// </summary>
public static class ScanAnalysis
{
    /// <summary>Analyses <paramref name="spectra"/>.</summary>
    /// <param name="masks">Component masks by name, each rows x cols of the detector.</param>
    /// <exception cref="AnalysisException">Peak centring is on and no Compton peak is found in the summed spectrum.</exception>
    public static ScanResult Analyze(string experiment, string scan, PixelSpectra spectra, AnalysisSettings settings,
        IReadOnlyDictionary<string, float[]> masks, ScanReferences references)
    {
        settings.Validated();
        var background = SpectrumBackground.Create(spectra, references.Dark, references.Empty);
        var summed = Spectrum.FromPixels(spectra, default, background);
        PeakFit? peak = null;
        double shift = 0;
        if (settings.PeakCentring)
        {
            if (!PeakCentring.TryFit(summed, settings.Geometry, settings.PeakFitMinKeV, settings.PeakFitMaxKeV, out var fit))
                throw new AnalysisException(
                    $"{experiment}/{scan}: no Compton peak found in {settings.PeakFitMinKeV}-{settings.PeakFitMaxKeV} keV of the summed spectrum " +
                    $"({spectra.Frames} frames, {spectra.Events.Kept} events kept); check the calibration maps, or switch peak centring off");
            peak = fit;
            shift = fit.ShiftKeV;
        }
        var global = EmfCalculator.Create(spectra.Axis, settings, shift).Compute(summed);
        var map = EmfMaps.Compute(spectra, settings, background, shift);
        var profile = ComptonProfile.FromSpectrum(summed, settings.Geometry, shift,
            normalisationPz: settings.Windows.HighOuter, extentPz: 2 * settings.Windows.HighOuter);
        var components = new List<ComponentResult>(masks.Count);
        foreach (var (name, mask) in masks)
        {
            if (mask.Length != spectra.Shape.Pixels)
                throw new InputException($"mask '{name}': expected {spectra.Shape} = {spectra.Shape.Pixels} values, found {mask.Length}");
            var (pixels, _) = RegionEmf.Coverage(mask);
            components.Add(new ComponentResult(name, mask, pixels, RegionEmf.Compute(spectra, mask, settings, shift, background)));
        }
        return new ScanResult(experiment, scan, spectra, settings, summed, peak, shift, global, map, profile,
            Intensity(map, settings, references), components);
    }

    /// <summary>
    /// Counts in the profile window per map pixel (the EMF map's counts), divided by the PTFE
    /// relative sensitivity when a PTFE run is given (ANALYSIS section 4: flat fields divide
    /// intensity maps; EMF is a ratio inside one pixel, so they cancel there).
    /// </summary>
    private static double[] Intensity(EmfMap map, AnalysisSettings settings, ScanReferences references)
    {
        if (references.Ptfe is null) return map.Counts;
        var sensitivity = SpectrumCorrections.PtfeSensitivity(references.Ptfe, binning: settings.Binning, dark: references.Dark);
        var result = new double[map.Counts.Length];
        SpectrumCorrections.ApplySensitivity(map.Counts, sensitivity, result);
        return result;
    }
}
