using System.Globalization;
using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Formats;

/// <summary>Walks the document, collecting every problem; builds the manifest only when there are none.</summary>
internal sealed class ManifestBinder(string baseDirectory, DataRoots? roots)
{
    private enum PathKind { File, FileOrDirectory }

    public List<string> Problems { get; } = [];

    private void Problem(int line, int col, string path, string message) =>
        Problems.Add($"line {line}, col {col}, {(path.Length == 0 ? "(top level)" : path)}: {message}");

    private void Problem(ManifestNode at, string path, string message) => Problem(at.Line, at.Column, path, message);

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>Keys read from one mapping; <see cref="Finish"/> reports the rest as unknown.</summary>
    private sealed class Scope(ManifestBinder binder, ManifestNode node, string path)
    {
        private readonly List<string> _known = [];

        public ManifestNode Node => node;
        public string Path => path;

        public string Child(string key) => Join(path, key);

        /// <summary>Value of <paramref name="key"/>, null when absent or null; records the key as known.</summary>
        public ManifestNode? Get(string key)
        {
            if (!_known.Contains(key)) _known.Add(key);
            foreach (var entry in node.Entries)
                if (entry.Key == key) return entry.Value.IsNull ? null : entry.Value;
            return null;
        }

        public void Finish()
        {
            foreach (var entry in node.Entries)
                if (!_known.Contains(entry.Key))
                    binder.Problem(entry.Line, entry.Column, Join(path, entry.Key),
                        $"unknown key '{entry.Key}'{Suggestion(entry.Key, _known)}; known keys here: {string.Join(", ", _known)}");
        }
    }

    /// <summary>" (did you mean 'x'?)" for the known key closest to a typo (edit distance at most 2, or a case slip), else "".</summary>
    private static string Suggestion(string key, List<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string k in known)
        {
            int d = string.Equals(k, key, StringComparison.OrdinalIgnoreCase) ? 0 : EditDistance(key, k);
            if (d < bestDistance) (best, bestDistance) = (k, d);
        }
        return best is not null && bestDistance <= 2 ? $" (did you mean '{best}'?)" : "";
    }

    /// <summary>Levenshtein distance with adjacent transpositions counted as one edit.</summary>
    private static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }

    private Scope? Map(ManifestNode? node, string path)
    {
        if (node is null) return null;
        if (node.Kind != ManifestNodeKind.Map)
        {
            Problem(node, path, $"expected a mapping of keys, found {node.Describe()}");
            return null;
        }
        return new Scope(this, node, path);
    }

    private ManifestNode? Required(Scope scope, string key)
    {
        var node = scope.Get(key);
        if (node is null) Problem(scope.Node, scope.Child(key), "missing (required)");
        return node;
    }

    private string? Text(ManifestNode? node, string path)
    {
        if (node is null) return null;
        if (node.Kind != ManifestNodeKind.Scalar)
        {
            Problem(node, path, $"expected a text value, found {node.Describe()}");
            return null;
        }
        return node.Text;
    }

    private double? Number(ManifestNode? node, string path, Func<double, bool>? valid = null, string? rule = null)
    {
        if (node is null) return null;
        if (node.Kind != ManifestNodeKind.Scalar || !node.Plain
            || !double.TryParse(node.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !double.IsFinite(value))
        {
            Problem(node, path, $"expected a number, found {node.Describe()}");
            return null;
        }
        if (valid is not null && !valid(value))
        {
            Problem(node, path, $"{node.Text} is not valid: {rule}");
            return null;
        }
        return value;
    }

    private int? Integer(ManifestNode? node, string path, Func<int, bool>? valid = null, string? rule = null)
    {
        double? value = Number(node, path);
        if (value is not { } v) return null;
        if (v != Math.Floor(v) || v < int.MinValue || v > int.MaxValue)
        {
            Problem(node!, path, $"expected a whole number, found {node!.Text}");
            return null;
        }
        if (valid is not null && !valid((int)v))
        {
            Problem(node!, path, $"{node!.Text} is not valid: {rule}");
            return null;
        }
        return (int)v;
    }

    private bool? Bool(ManifestNode? node, string path)
    {
        if (node is null) return null;
        if (node.Kind == ManifestNodeKind.Scalar && node.Plain)
        {
            if (string.Equals(node.Text, "true", StringComparison.OrdinalIgnoreCase)) return true;
            if (string.Equals(node.Text, "false", StringComparison.OrdinalIgnoreCase)) return false;
        }
        Problem(node, path, $"expected true or false, found {node.Describe()}");
        return null;
    }

    private string? Id(ManifestNode? node, string path)
    {
        string? id = Text(node, path);
        if (id is null) return null;
        if (!ManifestReader.IsValidId(id))
        {
            Problem(node!, path, $"'{id}' is not a valid id: use 1-{ManifestReader.MaxIdLength} characters of a-z, 0-9, '.', '_', '-' (not only dots)");
            return null;
        }
        return id;
    }

    private List<ManifestNode>? Items(ManifestNode? node, string path)
    {
        if (node is null) return null;
        if (node.Kind != ManifestNodeKind.Sequence)
        {
            Problem(node, path, $"expected a list, found {node.Describe()}");
            return null;
        }
        return node.Items;
    }

    private PzRange? Range(ManifestNode? node, string path, double minimum)
    {
        var items = Items(node, path);
        if (items is null) return null;
        if (items.Count != 2)
        {
            Problem(node!, path, $"expected [from, to] (2 numbers), found {items.Count} items");
            return null;
        }
        double? from = Number(items[0], path + "[0]"), to = Number(items[1], path + "[1]");
        if (from is not { } a || to is not { } b) return null;
        if (!(a < b) || a < minimum)
        {
            Problem(node!, path, $"[{a}, {b}] is not valid: need from < to{(minimum > double.MinValue ? $" and from >= {minimum}" : "")}");
            return null;
        }
        return new PzRange(a, b);
    }

    private string? ResolvePath(ManifestNode node, string path, string raw, PathKind kind, IReadOnlyList<string>? extensions)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            Problem(node, path, "empty path");
            return null;
        }
        string full;
        try
        {
            full = System.IO.Path.GetFullPath(System.IO.Path.Combine(baseDirectory, raw));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            Problem(node, path, $"'{raw}' is not a valid path: {e.Message}");
            return null;
        }
        if (roots is not null && !roots.Contains(full, out string real))
        {
            Problem(node, path, $"'{raw}' resolves to {real}, outside the data roots ({string.Join(", ", roots.Roots)})");
            return null;
        }
        if (extensions is not null && !extensions.Contains(System.IO.Path.GetExtension(full).ToLowerInvariant()))
        {
            Problem(node, path, $"'{raw}' has an unknown extension; frames and spectra files are {string.Join(", ", extensions)}");
            return null;
        }
        bool exists = File.Exists(full) || (kind == PathKind.FileOrDirectory && Directory.Exists(full));
        if (!exists)
        {
            Problem(node, path, $"'{raw}': {(kind == PathKind.File ? "file" : "file or directory")} {full} not found");
            return null;
        }
        return full;
    }

    private string? PathValue(ManifestNode? node, string path, PathKind kind = PathKind.File, IReadOnlyList<string>? extensions = null)
    {
        string? raw = Text(node, path);
        return raw is null ? null : ResolvePath(node!, path, raw, kind, extensions);
    }

    /// <summary>One path or a list of paths.</summary>
    private List<string> PathList(ManifestNode? node, string path, IReadOnlyList<string>? extensions)
    {
        var result = new List<string>();
        if (node is null) return result;
        if (node.Kind == ManifestNodeKind.Scalar)
        {
            if (PathValue(node, path, PathKind.File, extensions) is { } one) result.Add(one);
            return result;
        }
        var items = Items(node, path);
        if (items is null) return result;
        for (int i = 0; i < items.Count; i++)
            if (PathValue(items[i], $"{path}[{i}]", PathKind.File, extensions) is { } p) result.Add(p);
        return result;
    }

    public ExperimentManifest? Bind(ManifestNode? root)
    {
        if (root is null)
        {
            Problems.Add("the manifest is empty");
            return null;
        }
        var top = Map(root, "");
        if (top is null) return null;

        string? experiment = Id(Required(top, "experiment"), "experiment");
        var beam = BindBeam(Map(top.Get("beam"), "beam"));
        var detector = BindDetector(Map(top.Get("detector"), "detector"));
        var calibration = BindCalibration(Map(top.Get("calibration"), "calibration"));
        var corrections = BindCorrections(Map(top.Get("corrections"), "corrections"), detector);
        var analysis = BindAnalysis(Map(top.Get("analysis"), "analysis"), detector);
        var references = BindReferences(Map(top.Get("references"), "references"));
        var lithium = BindLithium(Map(top.Get("lithium"), "lithium"), out var lithiumNodes);
        var scans = BindScans(Required(top, "scans"), out var scanNodes);
        top.Finish();

        CheckAcross(references, lithium, lithiumNodes, scans, scanNodes);
        if (Problems.Count > 0 || experiment is null) return null;
        return new ExperimentManifest
        {
            Experiment = experiment,
            Beam = beam,
            Detector = detector,
            Calibration = calibration,
            Corrections = corrections,
            Analysis = analysis,
            References = references,
            Lithium = lithium,
            Scans = scans,
        };
    }

    private BeamSettings BindBeam(Scope? s)
    {
        var d = new BeamSettings();
        if (s is null) return d;
        var beam = new BeamSettings(
            Number(s.Get("energy_keV"), s.Child("energy_keV"), v => v > 0, "must be positive (keV)") ?? d.EnergyKeV,
            Number(s.Get("angle_deg"), s.Child("angle_deg"), v => v is > 0 and <= 180, "must be in (0, 180] degrees") ?? d.AngleDeg);
        s.Finish();
        return beam;
    }

    private DetectorSettings BindDetector(Scope? s)
    {
        var d = new DetectorSettings();
        if (s is null) return d;
        const string side = "must be 1-4096 pixels";
        var flips = new List<ImageAxis>();
        var flipNode = s.Get("flip");
        var flipItems = flipNode is { Kind: ManifestNodeKind.Scalar } ? [flipNode] : Items(flipNode, s.Child("flip")) ?? [];
        for (int i = 0; i < flipItems.Count; i++)
        {
            string at = $"{s.Child("flip")}[{i}]";
            string? axis = Text(flipItems[i], at);
            ImageAxis? parsed = axis switch { "x" => ImageAxis.X, "y" => ImageAxis.Y, _ => null };
            if (axis is not null && parsed is null) Problem(flipItems[i], at, $"'{axis}' is not an axis: use x or y");
            else if (parsed is { } p && flips.Contains(p)) Problem(flipItems[i], at, $"'{axis}' is listed twice");
            else if (parsed is { } q) flips.Add(q);
        }
        var detector = new DetectorSettings(
            Integer(s.Get("rows"), s.Child("rows"), v => v is >= 1 and <= 4096, side) ?? d.Rows,
            Integer(s.Get("cols"), s.Child("cols"), v => v is >= 1 and <= 4096, side) ?? d.Cols,
            Number(s.Get("pitch_um"), s.Child("pitch_um"), v => v > 0, "must be positive (um)") ?? d.PitchUm)
        { Flip = flips };
        s.Finish();
        return detector;
    }

    private CalibrationSettings? BindCalibration(Scope? s)
    {
        if (s is null) return null;
        string? gradients = PathValue(Required(s, "gradients"), s.Child("gradients"));
        string? intercepts = PathValue(Required(s, "intercepts"), s.Child("intercepts"));
        var offsetsNode = s.Get("offsets");
        var darkNode = s.Get("dark_frames");
        var thresholdsNode = s.Get("thresholds");
        var thresholdAduNode = s.Get("threshold_adu");
        string? offsets = PathValue(offsetsNode, s.Child("offsets"));
        var dark = PathList(darkNode, s.Child("dark_frames"), ManifestReader.RunExtensions);
        string? thresholds = PathValue(thresholdsNode, s.Child("thresholds"));
        double? thresholdAdu = Number(thresholdAduNode, s.Child("threshold_adu"), v => v >= 0, "must not be negative (ADU)");
        if (offsetsNode is not null && darkNode is not null)
            Problem(darkNode, s.Child("dark_frames"), "give either offsets (a map) or dark_frames (runs to average), not both");
        if (thresholdsNode is not null && thresholdAduNode is not null)
            Problem(thresholdAduNode, s.Child("threshold_adu"), "give either thresholds (a map) or threshold_adu (one value), not both");
        s.Finish();
        if (gradients is null || intercepts is null) return null;
        return new CalibrationSettings(gradients, intercepts)
        {
            Offsets = offsets,
            DarkFrames = dark,
            Thresholds = thresholds,
            ThresholdAdu = thresholdAdu,
        };
    }

    private CorrectionSettings BindCorrections(Scope? s, DetectorSettings detector)
    {
        var d = new CorrectionSettings();
        if (s is null) return d;
        var modeNode = s.Get("charge_sharing");
        string? modeText = Text(modeNode, s.Child("charge_sharing"));
        ChargeSharingMode? mode = modeText switch
        {
            "none" => ChargeSharingMode.None,
            "addition" => ChargeSharingMode.Addition,
            "discrimination" => ChargeSharingMode.Discrimination,
            "cluster" => ChargeSharingMode.Cluster,
            _ => null,
        };
        if (modeText is not null && mode is null)
            Problem(modeNode!, s.Child("charge_sharing"), $"'{modeText}' is not a mode: use none, addition, discrimination or cluster");
        var reorderNode = s.Get("reorder");
        var corrections = new CorrectionSettings(
            mode ?? d.ChargeSharing,
            Integer(s.Get("window"), s.Child("window"), v => v is 3 or 5, "the window must be 3 or 5") ?? d.Window,
            Bool(s.Get("next_frame"), s.Child("next_frame")) ?? d.NextFrame,
            Bool(reorderNode, s.Child("reorder")) ?? d.Reorder);
        if (corrections.Reorder && detector.Cols % 80 != 0)
            Problem(reorderNode!, s.Child("reorder"), $"reorder needs a detector width that is a multiple of 80 pixels, the detector has {detector.Cols} columns");
        s.Finish();
        return corrections;
    }

    private AnalysisSettings BindAnalysis(Scope? s, DetectorSettings detector)
    {
        var d = new AnalysisSettings();
        if (s is null) return d;
        double width = Number(s.Get("bin_width_keV"), s.Child("bin_width_keV"), v => v > 0, "must be positive (keV)") ?? d.BinWidthKeV;
        var maxNode = s.Get("max_keV");
        double max = Number(maxNode, s.Child("max_keV"), v => v > 0, "must be positive (keV)") ?? d.MaxKeV;
        double bins = max / width;
        if (Math.Abs(bins - Math.Round(bins)) > 1e-9 * bins || Math.Round(bins) is < 1 or > 1 << 20)
            Problem(maxNode ?? s.Node, s.Child("max_keV"), $"{max} keV is not a whole number (1 to {1 << 20}) of {width} keV bins");
        int maxBinning = Math.Min(detector.Rows, detector.Cols);
        var analysis = new AnalysisSettings(
            width,
            Bool(s.Get("peak_centring"), s.Child("peak_centring")) ?? d.PeakCentring,
            Integer(s.Get("binning"), s.Child("binning"), v => v >= 1 && v <= maxBinning, $"must be 1-{maxBinning} (pixels per side)") ?? d.Binning,
            Number(s.Get("min_counts"), s.Child("min_counts"), v => v >= 0, "must not be negative") ?? d.MinCounts,
            max)
        {
            Low = Range(s.Get("low"), s.Child("low"), double.MinValue) ?? d.Low,
            High = Range(s.Get("high"), s.Child("high"), 0) ?? d.High,
        };
        s.Finish();
        return analysis;
    }

    private ReferenceRuns BindReferences(Scope? s)
    {
        if (s is null) return new ReferenceRuns();
        var runs = new ReferenceRuns
        {
            Dark = PathList(s.Get("dark"), s.Child("dark"), ManifestReader.RunExtensions),
            Empty = PathList(s.Get("empty"), s.Child("empty"), ManifestReader.RunExtensions),
            Ptfe = PathList(s.Get("ptfe"), s.Child("ptfe"), ManifestReader.RunExtensions),
            EmptyMonitor = Number(s.Get("empty_monitor"), s.Child("empty_monitor"), v => v > 0, "must be positive (counts)"),
        };
        if (runs.EmptyMonitor is not null && s.Get("empty") is null)
            Problem(s.Node, s.Child("empty_monitor"), "empty_monitor is given without an empty run");
        s.Finish();
        return runs;
    }

    private LithiumSettings BindLithium(Scope? s, out List<(ManifestNode Node, string Path)> nodes)
    {
        nodes = [];
        if (s is null) return new LithiumSettings();
        var list = new List<LithiumReference>();
        var items = Items(s.Get("references"), s.Child("references")) ?? [];
        for (int i = 0; i < items.Count; i++)
        {
            string at = $"{s.Child("references")}[{i}]";
            var r = Map(items[i], at);
            if (r is null) continue;
            string? scan = Id(Required(r, "scan"), r.Child("scan"));
            double? x = Number(Required(r, "x"), r.Child("x"), v => v >= 0, "a lithium fraction must not be negative");
            r.Finish();
            if (scan is not null && x is not null)
            {
                list.Add(new LithiumReference(scan, x.Value));
                nodes.Add((items[i], at));
            }
        }
        s.Finish();
        return new LithiumSettings { References = list };
    }

    private List<ScanEntry> BindScans(ManifestNode? node, out List<(ManifestNode Node, string Path)> nodes)
    {
        nodes = [];
        var scans = new List<ScanEntry>();
        var items = Items(node, "scans");
        if (items is null) return scans;
        if (items.Count == 0) Problem(node!, "scans", "the list is empty; an experiment needs at least one scan");
        for (int i = 0; i < items.Count; i++)
        {
            var s = Map(items[i], $"scans[{i}]");
            if (s is null) continue;
            string? id = Id(Required(s, "id"), s.Child("id"));
            double? time = Number(Required(s, "time_s"), s.Child("time_s"));
            double? z = Number(Required(s, "z_um"), s.Child("z_um"));
            var framesNode = Required(s, "frames");
            var frames = PathList(framesNode, s.Child("frames"), ManifestReader.RunExtensions);
            if (framesNode is { Kind: ManifestNodeKind.Sequence, Items.Count: 0 })
                Problem(framesNode, s.Child("frames"), "the list is empty; a scan needs at least one frames file");
            var xct = BindXct(Map(s.Get("xct"), s.Child("xct")));
            var masks = BindMasks(Map(s.Get("masks"), s.Child("masks")));
            double? monitor = Number(s.Get("monitor"), s.Child("monitor"), v => v > 0, "must be positive (counts)");
            s.Finish();
            if (id is null || time is null || z is null) continue;
            scans.Add(new ScanEntry(id, time.Value, z.Value, frames) { Xct = xct, Masks = masks, Monitor = monitor });
            nodes.Add((items[i], $"scans[{i}]"));
        }
        return scans;
    }

    private XctSettings? BindXct(Scope? s)
    {
        if (s is null) return null;
        string? volume = PathValue(Required(s, "volume"), s.Child("volume"), PathKind.FileOrDirectory);
        double? voxel = Number(Required(s, "voxel_um"), s.Child("voxel_um"), v => v > 0, "must be positive (um)");
        string? registration = PathValue(s.Get("registration"), s.Child("registration"));
        string? dataset = Text(s.Get("dataset"), s.Child("dataset"));
        var axesNode = s.Get("axes");
        string? axes = Text(axesNode, s.Child("axes"));
        if (axes is not null && !(axes.Length == 3 && axes.Contains('x') && axes.Contains('y') && axes.Contains('z')))
            Problem(axesNode!, s.Child("axes"), $"'{axes}' is not an axis order: use a permutation of zyx, slowest axis first (e.g. zyx, xzy)");
        s.Finish();
        if (volume is null || voxel is null) return null;
        return new XctSettings(volume, voxel.Value) { Registration = registration, Dataset = dataset, Axes = axes ?? "zyx" };
    }

    private Dictionary<string, string> BindMasks(Scope? s)
    {
        var masks = new Dictionary<string, string>(StringComparer.Ordinal);
        if (s is null) return masks;
        foreach (var entry in s.Node.Entries)
        {
            string at = s.Child(entry.Key);
            s.Get(entry.Key);
            if (!ManifestReader.IsValidId(entry.Key))
            {
                Problem(entry.Line, entry.Column, at, $"'{entry.Key}' is not a valid component name: use a-z, 0-9, '.', '_', '-'");
                continue;
            }
            if (entry.Value.IsNull)
            {
                Problem(entry.Value, at, "missing mask file");
                continue;
            }
            if (PathValue(entry.Value, at) is { } path) masks[entry.Key] = path;
        }
        s.Finish();
        return masks;
    }

    private void CheckAcross(ReferenceRuns references, LithiumSettings lithium, List<(ManifestNode Node, string Path)> lithiumNodes, List<ScanEntry> scans, List<(ManifestNode Node, string Path)> scanNodes)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < scans.Count; i++)
        {
            if (first.TryGetValue(scans[i].Id, out int j))
                Problem(scanNodes[i].Node, scanNodes[i].Path + ".id", $"duplicate scan id '{scans[i].Id}' (first at line {scanNodes[j].Node.Line})");
            else first[scans[i].Id] = i;
        }

        var referenced = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < lithium.References.Count; i++)
        {
            string scan = lithium.References[i].Scan;
            if (!first.ContainsKey(scan))
                Problem(lithiumNodes[i].Node, lithiumNodes[i].Path + ".scan", $"scan '{scan}' is not a scan of this manifest");
            else if (!referenced.Add(scan))
                Problem(lithiumNodes[i].Node, lithiumNodes[i].Path + ".scan", $"scan '{scan}' is referenced twice");
        }

        if (references.EmptyMonitor is not null)
        {
            for (int i = 0; i < scans.Count; i++)
                if (scans[i].Monitor is null)
                    Problem(scanNodes[i].Node, scanNodes[i].Path + ".monitor", "missing: references.empty_monitor is given, so every scan needs its monitor counts");
        }
        else if (references.Empty.Count > 0)
        {
            for (int i = 0; i < scans.Count; i++)
                if (scans[i].Monitor is not null)
                    Problem(scanNodes[i].Node, scanNodes[i].Path + ".monitor", "scan monitor counts need references.empty_monitor to scale the empty run by");
        }
    }
}
