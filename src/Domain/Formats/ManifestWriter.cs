using System.Globalization;
using System.Text;
using XcsCt.Domain.Detector;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace XcsCt.Domain.Formats;

/// <summary>
/// Writes an <see cref="ExperimentManifest"/> as YAML that <see cref="ManifestReader.Load"/> reads
/// back to the same manifest. Every setting is written, defaults included, so the file is the full
/// configuration. Paths inside the manifest's directory are written relative to it, others absolute.
/// </summary>
public static class ManifestWriter
{
    /// <summary>Writes <paramref name="manifest"/> to <paramref name="path"/> (temporary name, then rename).</summary>
    public static void Write(string path, ExperimentManifest manifest)
    {
        string full = Path.GetFullPath(path);
        string yaml = ToYaml(manifest, Path.GetDirectoryName(full)!);
        AtomicFile.Write(full, (string tmp) => File.WriteAllText(tmp, yaml, new UTF8Encoding(false)));
    }

    /// <summary>The YAML text, with paths relative to <paramref name="manifestDirectory"/> where they lie inside it.</summary>
    public static string ToYaml(ExperimentManifest manifest, string manifestDirectory)
    {
        string dir = Path.GetFullPath(manifestDirectory);
        string PathText(string p)
        {
            string relative = Path.GetRelativePath(dir, p);
            return Path.IsPathRooted(relative) || relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? p : relative;
        }
        YamlNode PathNode(string p) => Text(PathText(p));
        YamlNode PathList(IReadOnlyList<string> paths)
        {
            var seq = new YamlSequenceNode { Style = YamlDotNet.Core.Events.SequenceStyle.Flow };
            foreach (var p in paths) seq.Add(PathNode(p));
            return seq;
        }

        var root = new YamlMappingNode
        {
            { "experiment", Text(manifest.Experiment) },
            { "beam", new YamlMappingNode { { "energy_keV", Number(manifest.Beam.EnergyKeV) }, { "angle_deg", Number(manifest.Beam.AngleDeg) } } },
        };

        var flip = new YamlSequenceNode { Style = YamlDotNet.Core.Events.SequenceStyle.Flow };
        foreach (var axis in manifest.Detector.Flip) flip.Add(Text(axis == ImageAxis.X ? "x" : "y"));
        root.Add("detector", new YamlMappingNode
        {
            { "rows", Number(manifest.Detector.Rows) },
            { "cols", Number(manifest.Detector.Cols) },
            { "pitch_um", Number(manifest.Detector.PitchUm) },
            { "flip", flip },
        });

        if (manifest.Calibration is { } cal)
        {
            var c = new YamlMappingNode { { "gradients", PathNode(cal.Gradients) }, { "intercepts", PathNode(cal.Intercepts) } };
            if (cal.Offsets is not null) c.Add("offsets", PathNode(cal.Offsets));
            if (cal.DarkFrames.Count > 0) c.Add("dark_frames", PathList(cal.DarkFrames));
            if (cal.Thresholds is not null) c.Add("thresholds", PathNode(cal.Thresholds));
            if (cal.ThresholdAdu is { } t) c.Add("threshold_adu", Number(t));
            root.Add("calibration", c);
        }

        root.Add("corrections", new YamlMappingNode
        {
            { "charge_sharing", Text(manifest.Corrections.ChargeSharing switch
                {
                    ChargeSharingMode.None => "none",
                    ChargeSharingMode.Addition => "addition",
                    ChargeSharingMode.Discrimination => "discrimination",
                    ChargeSharingMode.Cluster => "cluster",
                    var other => throw new ArgumentException($"charge-sharing mode {(int)other} is not valid"),
                }) },
            { "window", Number(manifest.Corrections.Window) },
            { "next_frame", Bool(manifest.Corrections.NextFrame) },
            { "reorder", Bool(manifest.Corrections.Reorder) },
        });

        var a = manifest.Analysis;
        root.Add("analysis", new YamlMappingNode
        {
            { "bin_width_keV", Number(a.BinWidthKeV) },
            { "max_keV", Number(a.MaxKeV) },
            { "peak_centring", Bool(a.PeakCentring) },
            { "binning", Number(a.Binning) },
            { "min_counts", Number(a.MinCounts) },
            { "low", Range(a.Low) },
            { "high", Range(a.High) },
        });

        var refs = new YamlMappingNode();
        if (manifest.References.Dark.Count > 0) refs.Add("dark", PathList(manifest.References.Dark));
        if (manifest.References.Empty.Count > 0) refs.Add("empty", PathList(manifest.References.Empty));
        if (manifest.References.Ptfe.Count > 0) refs.Add("ptfe", PathList(manifest.References.Ptfe));
        if (manifest.References.EmptyMonitor is { } em) refs.Add("empty_monitor", Number(em));
        if (refs.Children.Count > 0) root.Add("references", refs);

        if (manifest.Lithium.References.Count > 0)
        {
            var list = new YamlSequenceNode();
            foreach (var r in manifest.Lithium.References)
                list.Add(new YamlMappingNode { { "scan", Text(r.Scan) }, { "x", Number(r.X) } });
            root.Add("lithium", new YamlMappingNode { { "references", list } });
        }

        var scans = new YamlSequenceNode();
        foreach (var scan in manifest.Scans)
        {
            var s = new YamlMappingNode
            {
                { "id", Text(scan.Id) },
                { "time_s", Number(scan.TimeS) },
                { "z_um", Number(scan.ZUm) },
                { "frames", PathList(scan.Frames) },
            };
            if (scan.Monitor is { } monitor) s.Add("monitor", Number(monitor));
            if (scan.Xct is { } xct)
            {
                var x = new YamlMappingNode { { "volume", PathNode(xct.Volume) }, { "voxel_um", Number(xct.VoxelUm) } };
                if (xct.Registration is not null) x.Add("registration", PathNode(xct.Registration));
                if (xct.Dataset is not null) x.Add("dataset", Text(xct.Dataset));
                x.Add("axes", Text(xct.Axes));
                s.Add("xct", x);
            }
            if (scan.Masks.Count > 0)
            {
                var masks = new YamlMappingNode();
                foreach (var (name, file) in scan.Masks) masks.Add(name, PathNode(file));
                s.Add("masks", masks);
            }
            scans.Add(s);
        }
        root.Add("scans", scans);

        var text = new StringWriter(CultureInfo.InvariantCulture);
        text.WriteLine("# XCS-CT experiment manifest (FORMATS.md); relative paths are relative to this file");
        new YamlStream(new YamlDocument(root)).Save(text, assignAnchors: false);
        string yaml = text.ToString();
        return yaml.EndsWith('\n') ? yaml : yaml + "\n";
    }

    private static YamlScalarNode Number(double value) =>
        new(value.ToString("R", CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };

    private static YamlScalarNode Bool(bool value) => new(value ? "true" : "false") { Style = ScalarStyle.Plain };

    /// <summary>Text that the reader takes as text: quoted when plain YAML would read it as null.</summary>
    private static YamlScalarNode Text(string value) =>
        new(value) { Style = value is "" or "~" or "null" or "Null" or "NULL" ? ScalarStyle.DoubleQuoted : ScalarStyle.Any };

    private static YamlSequenceNode Range(PzRange range) =>
        new(Number(range.From), Number(range.To)) { Style = YamlDotNet.Core.Events.SequenceStyle.Flow };
}
