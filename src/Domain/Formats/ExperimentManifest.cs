using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Formats;

/// <summary>
/// An experiment as described by its manifest (FORMATS.md, "Experiment manifest"): beam, detector,
/// calibration, corrections, analysis settings, reference runs, lithium references and scans. Every
/// path is absolute (resolved against the manifest's directory). Defaults follow ANALYSIS.md.
/// Build one with <see cref="ManifestReader"/> (validated) or in code (then call
/// <see cref="ManifestWriter"/> to save it).
/// </summary>
public sealed record ExperimentManifest
{
    /// <summary>Experiment id, <c>[a-z0-9._-]+</c>; names the output directory.</summary>
    public required string Experiment { get; init; }

    public BeamSettings Beam { get; init; } = new();

    public DetectorSettings Detector { get; init; } = new();

    /// <summary>Energy calibration and dark level; null when no input needs it (processed frames or spectra only).</summary>
    public CalibrationSettings? Calibration { get; init; }

    public CorrectionSettings Corrections { get; init; } = new();

    public AnalysisSettings Analysis { get; init; } = new();

    public ReferenceRuns References { get; init; } = new();

    public LithiumSettings Lithium { get; init; } = new();

    /// <summary>Scans in manifest order (at least one).</summary>
    public required IReadOnlyList<ScanEntry> Scans { get; init; }

    /// <summary>Every input file the manifest names (calibration, references, frames, XCT, masks), each once, in manifest order.</summary>
    public IReadOnlyList<string> InputFiles()
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string? path)
        {
            if (path is not null && seen.Add(path)) files.Add(path);
        }
        if (Calibration is { } cal)
        {
            Add(cal.Gradients);
            Add(cal.Intercepts);
            Add(cal.Offsets);
            foreach (var f in cal.DarkFrames) Add(f);
            Add(cal.Thresholds);
        }
        foreach (var f in References.Dark) Add(f);
        foreach (var f in References.Empty) Add(f);
        foreach (var f in References.Ptfe) Add(f);
        foreach (var scan in Scans)
        {
            foreach (var f in scan.Frames) Add(f);
            if (scan.Xct is { } xct)
            {
                Add(xct.Volume);
                Add(xct.Registration);
            }
            foreach (var mask in scan.Masks.Values) Add(mask);
        }
        return files;
    }
}

/// <summary>Beam geometry (ANALYSIS section 2).</summary>
/// <param name="EnergyKeV">Incident energy E1, keV (default 114.64).</param>
/// <param name="AngleDeg">Scattering angle theta, degrees in (0, 180] (default 90).</param>
public sealed record BeamSettings(double EnergyKeV = 114.64, double AngleDeg = 90);

/// <summary>Image axis of the detector, for flips.</summary>
public enum ImageAxis
{
    /// <summary>Columns (horizontal).</summary>
    X,
    /// <summary>Rows (vertical).</summary>
    Y,
}

/// <summary>Detector grid (ANALYSIS section 1).</summary>
/// <param name="Rows">Pixel rows (default 80).</param>
/// <param name="Cols">Pixel columns (default 80).</param>
/// <param name="PitchUm">Pixel pitch, um (default 250).</param>
public sealed record DetectorSettings(int Rows = 80, int Cols = 80, double PitchUm = 250)
{
    /// <summary>Axes along which the image is mirrored (pinhole inversion), each at most once; empty by default.</summary>
    public IReadOnlyList<ImageAxis> Flip { get; init; } = [];

    public DetectorShape Shape => new(Rows, Cols);
}

/// <summary>Frame calibration inputs (ANALYSIS section 3, steps 2, 3 and 5). All paths absolute.</summary>
/// <param name="Gradients">Gain map m, keV/ADU (text map).</param>
/// <param name="Intercepts">Intercept map c, keV (text map).</param>
public sealed record CalibrationSettings(string Gradients, string Intercepts)
{
    /// <summary>Offset (dark level) map, ADU; exclusive with <see cref="DarkFrames"/>.</summary>
    public string? Offsets { get; init; }

    /// <summary>Beam-off frame files whose per-pixel mean is the offset map; exclusive with <see cref="Offsets"/>.</summary>
    public IReadOnlyList<string> DarkFrames { get; init; } = [];

    /// <summary>Per-pixel threshold map, ADU; exclusive with <see cref="ThresholdAdu"/>.</summary>
    public string? Thresholds { get; init; }

    /// <summary>Global threshold, ADU; exclusive with <see cref="Thresholds"/>.</summary>
    public double? ThresholdAdu { get; init; }
}

/// <summary>Frame corrections switches (ANALYSIS section 3).</summary>
/// <param name="ChargeSharing">Step 6 mode (default cluster).</param>
/// <param name="Window">Step 6 window k, 3 or 5 (default 3).</param>
/// <param name="NextFrame">Step 4 (default off).</param>
/// <param name="Reorder">Step 1, ASIC to spatial order (default off; key <c>reorder</c>, an addition to the FORMATS.md example).</param>
public sealed record CorrectionSettings(
    ChargeSharingMode ChargeSharing = ChargeSharingMode.Cluster, int Window = 3, bool NextFrame = false, bool Reorder = false);

/// <summary>A range of electron momentum pz, atomic units.</summary>
public readonly record struct PzRange(double From, double To);

/// <summary>Spectrum analysis settings (ANALYSIS sections 2 and 5).</summary>
/// <param name="BinWidthKeV">Histogram bin width w, keV (default 0.2).</param>
/// <param name="PeakCentring">Centre the Compton peak at pz = 0 (default on).</param>
/// <param name="Binning">k x k spatial binning before EMF (default 1).</param>
/// <param name="MinCounts">Minimum high-window counts E_H for a pixel EMF (default 100).</param>
/// <param name="MaxKeV">Upper end of the histogram, keV (default 200; key <c>max_keV</c>, an addition to the FORMATS.md example).</param>
public sealed record AnalysisSettings(
    double BinWidthKeV = 0.2, bool PeakCentring = true, int Binning = 1, double MinCounts = 100, double MaxKeV = 200)
{
    /// <summary>Core window L, pz a.u. (default [-1, 1]).</summary>
    public PzRange Low { get; init; } = new(-1, 1);

    /// <summary>Wing window H as a |pz| range: [-To, -From] U [From, To] (default [1, 5]).</summary>
    public PzRange High { get; init; } = new(1, 5);

    /// <summary>The histogram axis: [0, MaxKeV) in bins of BinWidthKeV.</summary>
    public HistogramAxis Axis => HistogramAxis.Covering(BinWidthKeV, MaxKeV);
}

/// <summary>
/// Reference runs (ANALYSIS section 4), each any frames or spectra file(s); empty when not given. All
/// paths absolute.
/// </summary>
public sealed record ReferenceRuns
{
    /// <summary>Beam-off run, subtracted scaled by frame count.</summary>
    public IReadOnlyList<string> Dark { get; init; } = [];

    /// <summary>No-sample (empty holder) run, subtracted scaled by incident flux.</summary>
    public IReadOnlyList<string> Empty { get; init; } = [];

    /// <summary>Homogeneous PTFE disk run: per-pixel relative sensitivity for intensity maps.</summary>
    public IReadOnlyList<string> Ptfe { get; init; } = [];

    /// <summary>
    /// Incident-flux monitor counts of the empty run (key <c>empty_monitor</c>). When given, every scan
    /// gives its own <see cref="ScanEntry.Monitor"/> and the empty run is scaled by the monitor ratio;
    /// otherwise by the frame ratio.
    /// </summary>
    public double? EmptyMonitor { get; init; }
}

/// <summary>One state of known lithium fraction (ANALYSIS section 6).</summary>
/// <param name="Scan">Id of a scan of this manifest.</param>
/// <param name="X">Lithium fraction x of that state.</param>
public sealed record LithiumReference(string Scan, double X);

/// <summary>Lithium calibration references (ANALYSIS section 6): none, one (delta-EMF) or several (linear fit).</summary>
public sealed record LithiumSettings
{
    public IReadOnlyList<LithiumReference> References { get; init; } = [];
}

/// <summary>XCT volume of a scan (ANALYSIS section 7).</summary>
/// <param name="Volume">TIFF stack (file or directory of numbered TIFFs) or HDF5 file, absolute.</param>
/// <param name="VoxelUm">Voxel size, um.</param>
public sealed record XctSettings(string Volume, double VoxelUm)
{
    /// <summary>Registration file (absolute), or null to register automatically.</summary>
    public string? Registration { get; init; }

    /// <summary>Dataset path inside an HDF5 volume (key <c>dataset</c>), null for TIFF.</summary>
    public string? Dataset { get; init; }

    /// <summary>Axis order of the stored volume, slowest first, a permutation of <c>zyx</c> (key <c>axes</c>, default <c>zyx</c>; Savu/httomo store <c>xzy</c>).</summary>
    public string Axes { get; init; } = "zyx";
}

/// <summary>One scan (ANALYSIS section 8).</summary>
/// <param name="Id">Scan id, <c>[a-z0-9._-]+</c>, unique in the experiment.</param>
/// <param name="TimeS">Time of the scan, s.</param>
/// <param name="ZUm">Sheet height z, um.</param>
/// <param name="Frames">Frame (or spectra) files in order, absolute; frame numbers run on across files.</param>
public sealed record ScanEntry(string Id, double TimeS, double ZUm, IReadOnlyList<string> Frames)
{
    public XctSettings? Xct { get; init; }

    /// <summary>Component masks: name (<c>[a-z0-9._-]+</c>) to mask file (absolute).</summary>
    public IReadOnlyDictionary<string, string> Masks { get; init; } = new Dictionary<string, string>();

    /// <summary>Incident-flux monitor counts of this scan (key <c>monitor</c>); required when <see cref="ReferenceRuns.EmptyMonitor"/> is given.</summary>
    public double? Monitor { get; init; }
}
