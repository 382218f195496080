using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;

namespace XcsCt.Domain.Tests.Formats;

public class ManifestTests
{
    /// <summary>The FORMATS.md example verbatim, plus the scan s040 its lithium references name.</summary>
    private const string Example = """
        experiment: ee-2024-lib-nmc811        # id, [a-z0-9._-]
        beam: { energy_keV: 114.64, angle_deg: 90 }
        detector: { rows: 80, cols: 80, pitch_um: 250, flip: [y] }
        calibration:
          gradients: cal/m.txt
          intercepts: cal/c.txt
          offsets: cal/offsets.txt          # or dark_frames: dark.bin
          thresholds: cal/thresh.txt        # or threshold_adu: 120
        corrections: { charge_sharing: cluster, window: 3, next_frame: false }
        analysis: { bin_width_keV: 0.2, peak_centring: true, binning: 1, min_counts: 100,
                    low: [-1, 1], high: [1, 5] }
        references: { dark: dark.bin, empty: empty.bin, ptfe: ptfe.bin }
        lithium: { references: [ { scan: s000, x: 1.0 }, { scan: s040, x: 0.5 } ] }
        scans:
          - id: s000
            time_s: 0
            z_um: 1200
            frames: [run/s000_000.bin, run/s000_001.bin]
            xct: { volume: xct/s000.tif, voxel_um: 3.24, registration: reg.yaml }
            masks: { cathode: masks/cathode.tif }   # or components from segmentation
          - id: s040
            time_s: 14400
            z_um: 1200
            frames: [run/s040_000.bin]

        """;

    private static readonly string[] ExampleFiles =
    [
        "cal/m.txt", "cal/c.txt", "cal/offsets.txt", "cal/thresh.txt", "dark.bin", "empty.bin", "ptfe.bin",
        "run/s000_000.bin", "run/s000_001.bin", "run/s040_000.bin", "xct/s000.tif", "reg.yaml", "masks/cathode.tif",
    ];

    private static TempDir ExampleDir()
    {
        var dir = new TempDir();
        foreach (var f in ExampleFiles) dir.Write(f, "x");
        return dir;
    }

    private static ExperimentManifest ParseIn(TempDir dir, string text, string name = "manifest.yaml", IReadOnlyList<string>? roots = null) =>
        ManifestReader.Parse(text, dir.Path, Path.Combine(dir.Path, name), roots);

    private static InputException Fails(TempDir dir, string text, string name = "manifest.yaml", IReadOnlyList<string>? roots = null) =>
        Assert.Throws<InputException>(() => ParseIn(dir, text, name, roots));

    [Fact]
    public void FormatsMdExampleParsesWithEveryValue()
    {
        using var dir = ExampleDir();
        string path = dir.Write("experiment.yaml", Example);
        var m = ManifestReader.Load(path);

        Assert.Equal("ee-2024-lib-nmc811", m.Experiment);
        Assert.Equal(new BeamSettings(114.64, 90), m.Beam);
        Assert.Equal(new DetectorShape(80, 80), m.Detector.Shape);
        Assert.Equal(250, m.Detector.PitchUm);
        Assert.Equal([ImageAxis.Y], m.Detector.Flip);

        var cal = m.Calibration!;
        Assert.Equal(Path.Combine(dir.Path, "cal", "m.txt"), cal.Gradients);
        Assert.Equal(Path.Combine(dir.Path, "cal", "c.txt"), cal.Intercepts);
        Assert.Equal(Path.Combine(dir.Path, "cal", "offsets.txt"), cal.Offsets);
        Assert.Equal(Path.Combine(dir.Path, "cal", "thresh.txt"), cal.Thresholds);
        Assert.Empty(cal.DarkFrames);
        Assert.Null(cal.ThresholdAdu);

        Assert.Equal(new CorrectionSettings(ChargeSharingMode.Cluster, 3, NextFrame: false), m.Corrections);
        Assert.Equal(0.2, m.Analysis.BinWidthKeV);
        Assert.True(m.Analysis.PeakCentring);
        Assert.Equal(1, m.Analysis.Binning);
        Assert.Equal(100, m.Analysis.MinCounts);
        Assert.Equal(new PzRange(-1, 1), m.Analysis.Low);
        Assert.Equal(new PzRange(1, 5), m.Analysis.High);
        Assert.Equal(XcsCt.Domain.Spectra.HistogramAxis.Default, m.Analysis.Axis);

        Assert.Equal([Path.Combine(dir.Path, "dark.bin")], m.References.Dark);
        Assert.Equal([Path.Combine(dir.Path, "empty.bin")], m.References.Empty);
        Assert.Equal([Path.Combine(dir.Path, "ptfe.bin")], m.References.Ptfe);
        Assert.Equal([new LithiumReference("s000", 1.0), new LithiumReference("s040", 0.5)], m.Lithium.References);

        Assert.Equal(2, m.Scans.Count);
        var s = m.Scans[0];
        Assert.Equal(("s000", 0.0, 1200.0), (s.Id, s.TimeS, s.ZUm));
        Assert.Equal([Path.Combine(dir.Path, "run", "s000_000.bin"), Path.Combine(dir.Path, "run", "s000_001.bin")], s.Frames);
        Assert.Equal(Path.Combine(dir.Path, "xct", "s000.tif"), s.Xct!.Volume);
        Assert.Equal(3.24, s.Xct.VoxelUm);
        Assert.Equal(Path.Combine(dir.Path, "reg.yaml"), s.Xct.Registration);
        Assert.Equal(Path.Combine(dir.Path, "masks", "cathode.tif"), s.Masks["cathode"]);
        Assert.Equal(14400, m.Scans[1].TimeS);
        Assert.Null(m.Scans[1].Xct);

        Assert.Equal(ExampleFiles.Length, m.InputFiles().Count);
    }

    [Fact]
    public void MinimalManifestGetsTheAnalysisMdDefaults()
    {
        using var dir = ExampleDir();
        var m = ParseIn(dir, "experiment: e1\nscans:\n  - { id: a, time_s: 0, z_um: 0, frames: run/s000_000.bin }\n");
        Assert.Equal(114.64, m.Beam.EnergyKeV);
        Assert.Equal(90, m.Beam.AngleDeg);
        Assert.Equal(DetectorShape.Hexitec, m.Detector.Shape);
        Assert.Equal(ChargeSharingMode.Cluster, m.Corrections.ChargeSharing);
        Assert.Equal(3, m.Corrections.Window);
        Assert.False(m.Corrections.NextFrame);
        Assert.False(m.Corrections.Reorder);
        Assert.Equal(XcsCt.Domain.Spectra.HistogramAxis.Default, m.Analysis.Axis);
        Assert.True(m.Analysis.PeakCentring);
        Assert.Equal(100, m.Analysis.MinCounts);
        Assert.Equal(new PzRange(-1, 1), m.Analysis.Low);
        Assert.Equal(new PzRange(1, 5), m.Analysis.High);
        Assert.Null(m.Calibration);
        Assert.Empty(m.References.Dark);
        Assert.Empty(m.Lithium.References);
        Assert.Single(m.Scans[0].Frames);
    }

    [Fact]
    public void UnknownKeysAreErrorsNamingKeyPathAndLine()
    {
        using var dir = ExampleDir();
        string text = Example
            .Replace("angle_deg: 90", "angel_deg: 90")
            .Replace("voxel_um: 3.24, registration", "voxel_um: 3.24, registraton");
        var e = Fails(dir, text);
        Assert.Contains("2 problems", e.Message);
        Assert.Contains("line 2, col 29, beam.angel_deg: unknown key 'angel_deg'", e.Message);
        Assert.Contains("unknown key 'angel_deg' (did you mean 'angle_deg'?); known keys here: energy_keV, angle_deg", e.Message);
        Assert.Contains("unknown key 'registraton' (did you mean 'registration'?)", e.Message);
        Assert.DoesNotContain("did you mean", Fails(dir, Example.Replace("angle_deg: 90", "colour: 9")).Message);
        Assert.Contains("scans[0].xct.registraton", e.Message);
        Assert.Contains("line 19, col 50, scans[0].xct.registraton", e.Message);
    }

    [Fact]
    public void EveryProblemIsListedInOneError()
    {
        using var dir = ExampleDir();
        const string text = """
            experiment: Bad Id
            beam: { energy_keV: "114.64", angle_deg: 200 }
            corrections: { charge_sharing: clusters, window: 4, next_frame: yes }
            analysis: { binning: 0, low: [1, -1], high: [1] }
            scans:
              - { id: s0, time_s: 0, z_um: 0, frames: [missing.bin, cal/m.txt] }
              - { id: s0, time_s: zero, frames: [dark.bin] }
              - { id: "..", time_s: 0, z_um: 0, frames: [] }
            lithium: { references: [ { scan: s9, x: 1 } ] }
            """;
        var e = Fails(dir, text);
        string[] expected =
        [
            "experiment: 'Bad Id' is not a valid id",
            "beam.energy_keV: expected a number, found the quoted string \"114.64\"",
            "beam.angle_deg: 200 is not valid",
            "corrections.charge_sharing: 'clusters' is not a mode",
            "corrections.window: 4 is not valid",
            "corrections.next_frame: expected true or false, found 'yes'",
            "analysis.binning: 0 is not valid",
            "analysis.low: [1, -1] is not valid",
            "analysis.high: expected [from, to] (2 numbers), found 1 items",
            "scans[0].frames[0]: 'missing.bin': file " + Path.Combine(dir.Path, "missing.bin") + " not found",
            "scans[0].frames[1]: 'cal/m.txt' has an unknown extension",
            "scans[1].time_s: expected a number, found 'zero'",
            "scans[1].z_um: missing (required)",
            "scans[2].id: '..' is not a valid id",
            "scans[2].frames: the list is empty",
            "lithium.references[0].scan: scan 's9' is not a scan of this manifest",
        ];
        foreach (string problem in expected) Assert.Contains(problem, e.Message);
        Assert.Contains($"{expected.Length} problems", e.Message);
    }

    [Fact]
    public void DuplicateScanIdsAreRejectedPointingAtBoth()
    {
        using var dir = ExampleDir();
        var e = Fails(dir, Example.Replace("id: s040", "id: s000"));
        Assert.Contains("scans[1].id: duplicate scan id 's000' (first at line 15)", e.Message);
    }

    [Fact]
    public void LithiumReferenceToUnknownScanIsRejected()
    {
        using var dir = ExampleDir();
        var e = Fails(dir, Example.Replace("{ scan: s040, x: 0.5 }", "{ scan: s041, x: 0.5 }"));
        Assert.Contains("lithium.references[1].scan: scan 's041' is not a scan of this manifest", e.Message);
    }

    [Fact]
    public void MissingFilesAndRequiredKeysAreRejected()
    {
        using var dir = ExampleDir();
        File.Delete(Path.Combine(dir.Path, "cal", "thresh.txt"));
        var e = Fails(dir, Example.Replace("experiment: ee-2024-lib-nmc811", "").Replace("voxel_um: 3.24, ", ""));
        Assert.Contains("calibration.thresholds: 'cal/thresh.txt': file " + Path.Combine(dir.Path, "cal", "thresh.txt") + " not found", e.Message);
        Assert.Contains("experiment: missing (required)", e.Message);
        Assert.Contains("scans[0].xct.voxel_um: missing (required)", e.Message);
        Assert.Contains("3 problems", e.Message);
    }

    [Fact]
    public void ExclusiveCalibrationChoicesAreRejectedWhenBothGiven()
    {
        using var dir = ExampleDir();
        var e = Fails(dir, Example.Replace("offsets: cal/offsets.txt", "offsets: cal/offsets.txt\n  dark_frames: dark.bin\n  threshold_adu: 120"));
        Assert.Contains("calibration.dark_frames: give either offsets", e.Message);
        Assert.Contains("calibration.threshold_adu: give either thresholds", e.Message);
    }

    [Fact]
    public void MonitorCountsMustBeGivenForEveryScanOrNone()
    {
        using var dir = ExampleDir();
        var e = Fails(dir, Example.Replace("ptfe: ptfe.bin }", "ptfe: ptfe.bin, empty_monitor: 2.5e9 }").Replace("    time_s: 0\n", "    time_s: 0\n    monitor: 2.4e9\n"));
        Assert.Contains("scans[1].monitor: missing", e.Message);
        Assert.DoesNotContain("scans[0].monitor", e.Message);
    }

    [Fact]
    public void YamlSyntaxAndDuplicateKeysAreReportedWithTheirLine()
    {
        using var dir = ExampleDir();
        var e = Fails(dir, "experiment: a\nbeam: { energy_keV: 1\nscans: []\n");
        Assert.Contains("YAML syntax error", e.Message);
        e = Fails(dir, "experiment: a\n  beam: x\nscans: []\n");
        Assert.Contains("YAML syntax error at line 2", e.Message);
        e = Fails(dir, "experiment: a\nexperiment: b\nscans: []\n");
        Assert.Contains("line 2", e.Message);
        Assert.Contains("manifest.yaml", e.Message);
        Assert.Contains("empty", Fails(dir, "").Message);
        Assert.Contains("expected a mapping", Fails(dir, "- a\n- b\n").Message);
    }

    [Fact]
    public void JsonWithTheSameKeysGivesTheSameManifest()
    {
        using var dir = ExampleDir();
        const string json = """
            {
              "experiment": "ee-2024-lib-nmc811",
              "beam": { "energy_keV": 114.64, "angle_deg": 90 },
              "detector": { "rows": 80, "cols": 80, "pitch_um": 250, "flip": ["y"] },
              "calibration": { "gradients": "cal/m.txt", "intercepts": "cal/c.txt",
                               "offsets": "cal/offsets.txt", "thresholds": "cal/thresh.txt" },
              "corrections": { "charge_sharing": "cluster", "window": 3, "next_frame": false },
              "analysis": { "bin_width_keV": 0.2, "peak_centring": true, "binning": 1, "min_counts": 100,
                            "low": [-1, 1], "high": [1, 5] },
              "references": { "dark": "dark.bin", "empty": "empty.bin", "ptfe": "ptfe.bin" },
              "lithium": { "references": [ { "scan": "s000", "x": 1.0 }, { "scan": "s040", "x": 0.5 } ] },
              "scans": [
                { "id": "s000", "time_s": 0, "z_um": 1200, "frames": ["run/s000_000.bin", "run/s000_001.bin"],
                  "xct": { "volume": "xct/s000.tif", "voxel_um": 3.24, "registration": "reg.yaml" },
                  "masks": { "cathode": "masks/cathode.tif" } },
                { "id": "s040", "time_s": 14400, "z_um": 1200, "frames": ["run/s040_000.bin"] }
              ]
            }
            """;
        string jsonPath = dir.Write("experiment.json", json);
        var fromJson = ManifestReader.Load(jsonPath);
        var fromYaml = ParseIn(dir, Example);
        Assert.Equal(ManifestWriter.ToYaml(fromYaml, dir.Path), ManifestWriter.ToYaml(fromJson, dir.Path));

        var e = Fails(dir, json.Replace("\"window\": 3", "\"window\": \"3\"").Replace("\"rows\"", "\"row\""), "bad.json");
        Assert.Contains("corrections.window: expected a number, found the quoted string \"3\"", e.Message);
        Assert.Contains("line 4, col 17, detector.row: unknown key", e.Message);
        Assert.Contains("duplicate key 'experiment' at line 1", Fails(dir, "{\"experiment\": \"a\", \"experiment\": \"b\"}", "dup.json").Message);
        Assert.Contains("JSON syntax error", Fails(dir, "{\"experiment\": ", "cut.json").Message);
    }

    [Fact]
    public void WriterOutputLoadsBackToTheSameManifest()
    {
        using var dir = ExampleDir();
        var original = ParseIn(dir, Example.Replace("offsets: cal/offsets.txt", "dark_frames: [dark.bin, empty.bin]")
            .Replace("thresholds: cal/thresh.txt", "threshold_adu: 120.5")
            .Replace("next_frame: false", "next_frame: true, reorder: true")
            .Replace("references: { dark", "references: { empty_monitor: 1.5e9, dark")
            .Replace("    time_s: 0\n", "    time_s: 0\n    monitor: 1.25e9\n")
            .Replace("    time_s: 14400\n", "    time_s: 14400\n    monitor: 1.125e9\n"));
        string path = Path.Combine(dir.Path, "written.yaml");
        ManifestWriter.Write(path, original);
        var loaded = ManifestReader.Load(path);

        Assert.Equal(ManifestWriter.ToYaml(original, dir.Path), ManifestWriter.ToYaml(loaded, dir.Path));
        Assert.Equal(original.Beam, loaded.Beam);
        Assert.Equal(original.Corrections, loaded.Corrections);
        Assert.Equal(original.Analysis, loaded.Analysis);
        Assert.Equal(original.Calibration!.DarkFrames, loaded.Calibration!.DarkFrames);
        Assert.Equal(120.5, loaded.Calibration.ThresholdAdu);
        Assert.Equal(1.5e9, loaded.References.EmptyMonitor);
        Assert.Equal(1.125e9, loaded.Scans[1].Monitor);
        Assert.Equal(original.InputFiles(), loaded.InputFiles());
        Assert.Contains("run/s000_000.bin", File.ReadAllText(path)); // written relative to the manifest
    }

    [Fact]
    public void WriterRoundTripsAManifestBuiltInCode()
    {
        using var dir = ExampleDir();
        string Abs(string f) => Path.Combine(dir.Path, f);
        var built = new ExperimentManifest
        {
            Experiment = "sim-0001",
            Detector = new DetectorSettings(160, 160, 250) { Flip = [ImageAxis.X, ImageAxis.Y] },
            Calibration = new CalibrationSettings(Abs("cal/m.txt"), Abs("cal/c.txt")),
            Analysis = new AnalysisSettings(BinWidthKeV: 0.25, Binning: 2) { High = new PzRange(1.5, 4.5) },
            Scans = [new ScanEntry("null", 1.5, -20, [Abs("run/s000_000.bin")]) { Masks = new Dictionary<string, string> { ["separator"] = Abs("masks/cathode.tif") } }],
        };
        string path = Path.Combine(dir.Path, "sub", "sim.yaml"); // files outside its directory: written absolute
        ManifestWriter.Write(path, built);
        var loaded = ManifestReader.Load(path);
        Assert.Equal("null", loaded.Scans[0].Id);
        Assert.Equal([ImageAxis.X, ImageAxis.Y], loaded.Detector.Flip);
        Assert.Equal(built.Analysis, loaded.Analysis);
        Assert.Equal(Abs("masks/cathode.tif"), loaded.Scans[0].Masks["separator"]);
        Assert.Equal(ManifestWriter.ToYaml(built, dir.Path), ManifestWriter.ToYaml(loaded, dir.Path));
    }

    [Fact]
    public void PathsOutsideTheDataRootsAreRejected()
    {
        using var outside = new TempDir();
        string secret = outside.Write("secret.bin", "x");
        using var dir = ExampleDir();
        string root = dir.Path;
        Assert.Equal("ee-2024-lib-nmc811", ParseIn(dir, Example, roots: [root]).Experiment);

        string dotdot = Path.GetRelativePath(root, secret);
        var e = Fails(dir, Example.Replace("ptfe: ptfe.bin", $"ptfe: {dotdot}"), roots: [root]);
        Assert.Contains($"references.ptfe: '{dotdot}' resolves to {secret}, outside the data roots", e.Message);

        e = Fails(dir, Example.Replace("dark: dark.bin", $"dark: {secret}"), roots: [root]);
        Assert.Contains("references.dark", e.Message);
        Assert.Contains("outside the data roots", e.Message);

        // A symbolic link inside the root that points outside it escapes; one pointing inside does not.
        File.CreateSymbolicLink(Path.Combine(root, "run", "escape.bin"), secret);
        Directory.CreateSymbolicLink(Path.Combine(root, "linked"), outside.Path);
        File.CreateSymbolicLink(Path.Combine(root, "run", "inside.bin"), Path.Combine(root, "dark.bin"));
        e = Fails(dir, Example.Replace("run/s040_000.bin", "run/escape.bin, linked/secret.bin, run/inside.bin"), roots: [root]);
        Assert.Contains("scans[1].frames[0]: 'run/escape.bin' resolves to " + secret, e.Message);
        Assert.Contains("scans[1].frames[1]: 'linked/secret.bin' resolves to " + secret, e.Message);
        Assert.DoesNotContain("frames[2]", e.Message);
        Assert.Contains("2 problems", e.Message);

        // Without roots the same manifest is accepted (files exist).
        Assert.Equal(3, ParseIn(dir, Example.Replace("run/s040_000.bin", "run/escape.bin, linked/secret.bin, run/inside.bin")).Scans[1].Frames.Count);

        string manifestOutside = outside.Write("m.yaml", "experiment: a\nscans: []\n");
        Assert.Contains("outside the data roots", Assert.Throws<InputException>(() => ManifestReader.Load(manifestOutside, [root])).Message);
    }

    [Fact]
    public void IdRuleRejectsWhatCannotNameADirectory()
    {
        Assert.True(ManifestReader.IsValidId("ee-2024-lib-nmc811"));
        Assert.True(ManifestReader.IsValidId("s.0_1"));
        foreach (string bad in new[] { "", ".", "..", "S000", "a b", "a/b", "é", new string('a', 101) })
            Assert.False(ManifestReader.IsValidId(bad), bad);
    }
}
