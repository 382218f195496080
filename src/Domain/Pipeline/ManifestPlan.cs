using XcsCt.Domain.Compton;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;
using ManifestAnalysis = XcsCt.Domain.Formats.AnalysisSettings;

namespace XcsCt.Domain.Pipeline;

/// <summary>Turns a validated <see cref="ExperimentManifest"/> into the <see cref="ExperimentPlan"/> that runs it.</summary>
public static class ManifestPlan
{
    /// <summary>Loads, validates and resolves a manifest file.</summary>
    /// <param name="dataRoots">When given, every path must resolve inside one of these directories.</param>
    public static ExperimentPlan Load(string path, IReadOnlyList<string>? dataRoots = null) =>
        From(ManifestReader.Load(path, dataRoots));

    /// <summary>Builds the plan: reads the calibration maps (offsets from dark frames when asked) and checks every setting.</summary>
    public static ExperimentPlan From(ExperimentManifest m)
    {
        var cal = m.Calibration ?? throw new InputException(
            $"manifest of '{m.Experiment}': calibration.gradients and calibration.intercepts are required to convert ADU to keV");
        var shape = m.Detector.Shape;
        var calibrationFiles = new List<string> { cal.Gradients, cal.Intercepts };
        float[]? offsets = null;
        if (cal.Offsets is not null)
        {
            offsets = PixelMapText.Read(cal.Offsets, shape, "offset map");
            calibrationFiles.Add(cal.Offsets);
        }
        else if (cal.DarkFrames.Count > 0)
        {
            offsets = DarkOffsets.Mean(cal.DarkFrames, shape);
            calibrationFiles.AddRange(cal.DarkFrames);
        }
        float[]? thresholds = null;
        if (cal.Thresholds is not null)
        {
            thresholds = PixelMapText.Read(cal.Thresholds, shape, "threshold map");
            calibrationFiles.Add(cal.Thresholds);
        }
        var a = m.Analysis;
        var corrections = new FrameCorrections(shape, a.Axis,
            PixelMapText.Read(cal.Gradients, shape, "gradient map"), PixelMapText.Read(cal.Intercepts, shape, "intercept map"))
        {
            OffsetsAdu = offsets,
            ThresholdAdu = cal.ThresholdAdu is { } t ? (float)t : null,
            ThresholdMapAdu = thresholds,
            NextFrame = m.Corrections.NextFrame,
            Reorder = m.Corrections.Reorder,
            ChargeSharing = m.Corrections.ChargeSharing,
            Window = m.Corrections.Window,
        }.Validated();
        var scans = new List<ExperimentScan>(m.Scans.Count);
        foreach (var s in m.Scans)
            scans.Add(new ExperimentScan(s.Id, s.TimeS, s.ZUm, s.Frames, s.Masks,
                s.Xct is { } x ? new XctPlan(x.Volume, x.VoxelUm, x.Registration) : null));
        var r = m.References;
        var references = new ReferencePlan(
            r.Dark.Count > 0 ? r.Dark : null, r.Empty.Count > 0 ? r.Empty : null, r.Ptfe.Count > 0 ? r.Ptfe : null);
        var lithium = m.Lithium.References.Select(l => new LithiumScanReference(l.Scan, l.X)).ToList();
        return new ExperimentPlan(m.Experiment, corrections, Analysis(m.Beam, a), m.Detector.PitchUm, scans, references, lithium, calibrationFiles);
    }

    private static Compton.AnalysisSettings Analysis(BeamSettings beam, ManifestAnalysis a) => new Compton.AnalysisSettings
    {
        Geometry = new ComptonGeometry(beam.EnergyKeV, beam.AngleDeg).Validated(),
        Windows = new EmfWindows(a.Low.From, a.Low.To, a.High.From, a.High.To).Validated(),
        PeakCentring = a.PeakCentring,
        Binning = a.Binning,
        MinCounts = a.MinCounts,
    }.Validated();
}
