using XcsCt.Domain.Detector;
using XcsCt.Domain.Pipeline;
using XcsCt.Domain.Spectra;
using ComptonSettings = XcsCt.Domain.Compton.AnalysisSettings;

namespace XcsCt.Domain.Simulation;

/// <summary>
/// What the analysis of a scan should find (ISSUE 3, truth): the noise-free expected spectra put through
/// the same analysis (<see cref="ScanAnalysis.Analyze"/>) as the measured frames, and the true lithium
/// fractions of the phantom.
/// </summary>
/// <param name="Scan">The scan.</param>
/// <param name="Frames">Frames the truth is scaled to.</param>
/// <param name="GlobalEmf">EMF of the whole detector.</param>
/// <param name="ComponentEmf">EMF of each component (mask-weighted sum), NaN where undefined.</param>
/// <param name="EmfMap">Per-pixel (or binned, as the analysis settings say) EMF, NaN where the expected counts are below the analysis minimum.</param>
/// <param name="ComptonPeakKeV">Fitted Compton peak centroid of the summed expected spectrum, keV.</param>
/// <param name="LithiumMap">True lithium fraction of the active material per pixel, NaN where none.</param>
/// <param name="ComponentLithium">True mean lithium fraction per component (NaN where it holds no active material).</param>
/// <param name="ExpectedCounts">Expected events per pixel over the scan (kept or merged, all energies).</param>
/// <param name="ExpectedProfileCounts">Expected counts in |pz| &lt; 5 per pixel (or binned pixel) over the scan.</param>
/// <param name="Masks">Component masks (true volume fractions) written for the scan.</param>
public sealed record ScanTruth(
    OperandoScan Scan, long Frames, double GlobalEmf, IReadOnlyDictionary<string, double> ComponentEmf, double[] EmfMap,
    double ComptonPeakKeV, double[] LithiumMap, IReadOnlyDictionary<string, double> ComponentLithium,
    double[] ExpectedCounts, double[] ExpectedProfileCounts, IReadOnlyDictionary<string, float[]> Masks)
{
    /// <summary>
    /// Truth of one scan. The expected spectra (per frame) of the scan and of the empty holder are scaled to
    /// many frames (so rounding to whole counts changes no EMF digit) and analysed exactly like measured
    /// spectra, with the minimum counts rescaled so every decision (pixel peak fits, undefined pixels) is the
    /// one expected at <paramref name="frames"/> frames.
    /// </summary>
    public static ScanTruth Compute(OperandoScan scan, ScanModel model, double[] expected, double[]? emptyExpected, long frames,
        IReadOnlyDictionary<string, float[]> masks, ComptonSettings settings)
    {
        var axis = model.Model.Axis;
        var shape = model.Scene.Shape;
        double max = 0;
        foreach (double v in expected) max = Math.Max(max, v);
        double scale = max > 0 ? Math.Min(1e4, 1.5e9 / (max * frames)) : 1;
        long truthFrames = Math.Max(1, (long)Math.Round(frames * scale));
        scale = truthFrames / (double)frames;
        var spectra = Round(expected, shape, axis, truthFrames);
        var empty = emptyExpected is null ? null : Round(emptyExpected, shape, axis, truthFrames);
        var s = settings with { MinCounts = settings.MinCounts * scale, PixelFitMinCounts = settings.PixelFitMinCounts * scale };
        var result = ScanAnalysis.Analyze("truth", scan.Id, spectra, s, masks, new ScanReferences(Empty: empty));
        var comps = new Dictionary<string, double>();
        foreach (var c in result.Components) comps[c.Name] = c.Emf.Value;
        var li = new Dictionary<string, double>();
        foreach (var (name, m) in masks) li[name] = model.Scene.MeanLithium(m);
        int bins = axis.Bins;
        var counts = new double[shape.Pixels];
        for (int p = 0; p < shape.Pixels; p++)
        {
            double sum = 0;
            for (int b = 0; b < bins; b++) sum += expected[p * bins + b];
            counts[p] = sum * frames;
        }
        var profile = new double[result.Map.Counts.Length];
        for (int p = 0; p < profile.Length; p++) profile[p] = result.Map.Counts[p] / scale;
        return new ScanTruth(scan, frames, result.Global.Value, comps, result.Map.Emf, result.Peak?.CentroidKeV ?? double.NaN,
            (double[])model.Scene.LithiumFraction.Clone(), li, counts, profile, masks);
    }

    private static PixelSpectra Round(double[] expected, DetectorShape shape, HistogramAxis axis, long frames)
    {
        var spectra = new PixelSpectra(shape, axis);
        var c = spectra.Counts;
        for (int i = 0; i < c.Length; i++) c[i] = (uint)Math.Min(uint.MaxValue, Math.Round(Math.Max(0, expected[i]) * frames));
        spectra.Frames = frames;
        return spectra;
    }
}
