using System.Text.Json;
using XcsCt.Domain.Formats;
using XcsCt.Domain.Simulation;
using XcsCt.Domain.Xct;

namespace XcsCt.Domain.Tests.Simulation;

/// <summary>The experiment writer: a complete directory the pipeline can run, atomic, and strict about bad input.</summary>
public sealed class ExperimentSimulatorTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"xcsct-sim-{Guid.NewGuid():N}");

    public ExperimentSimulatorTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Writes_frames_references_masks_xct_manifest_and_truth()
    {
        const long Frames = FrameSampler.ChunkFrames + 100;
        string dir = Path.Combine(_root, "exp");
        var exp = ExperimentSimulator.Write(dir, "lib-nmc811", 2, Frames, 5, force: false);

        Assert.Equal(Path.GetFullPath(dir), exp.Directory);
        var manifest = ManifestReader.Load(exp.Manifest);
        Assert.Equal(2, manifest.Scans.Count);
        Assert.Equal(exp.Experiment, manifest.Experiment);
        foreach (var scan in manifest.Scans)
        {
            Assert.Equal(Frames * 80 * 80 * sizeof(ushort), new FileInfo(scan.Frames.Single()).Length);
            Assert.Contains("cathode", scan.Masks.Keys);
            Assert.All(scan.Masks.Values, m => Assert.True(File.Exists(m)));
        }
        Assert.NotNull(manifest.Calibration?.Offsets);
        Assert.True(File.Exists(manifest.References.Dark.Single()));
        Assert.True(File.Exists(manifest.References.Empty.Single()));
        Assert.True(File.Exists(manifest.References.Ptfe.Single()));

        using var truth = JsonDocument.Parse(File.ReadAllText(exp.TruthJson));
        var scans = truth.RootElement.GetProperty("scans");
        Assert.Equal(2, scans.GetArrayLength());
        double global = scans[0].GetProperty("emf").GetProperty("global").GetDouble();
        Assert.InRange(global, 0.5, 1.5);
        Assert.Equal(1.0, scans[0].GetProperty("li_fraction").GetProperty("components").GetProperty("cathode").GetDouble(), 6);
        Assert.True(new FileInfo(exp.TruthNexus).Length > 0);

        using var volume = TiffStackSource.Open(exp.Scans[0].XctVolume!);
        Assert.Equal(260, volume.Shape.Width);
        Assert.Equal(10, volume.Shape.Depth);
        Assert.Empty(Directory.GetDirectories(_root, ".exp.partial-*"));
    }

    [Fact]
    public void Odin_frames_round_trip()
    {
        string dir = Path.Combine(_root, "odin");
        var exp = ExperimentSimulator.Write(dir, new SimulationOptions("ssb-peo", 1, 600, 2) { Format = FrameFormat.Odin, Xct = false }, force: false);
        using var source = OdinFrameSource.Open(exp.Scans[0].FrameFiles[0]);
        Assert.Equal(600, source.FrameCount);
    }

    [Fact]
    public void Refuses_a_non_empty_directory_unless_forced_and_leaves_it_untouched()
    {
        string dir = Path.Combine(_root, "busy");
        Directory.CreateDirectory(dir);
        string keep = Path.Combine(dir, "keep.txt");
        File.WriteAllText(keep, "mine");
        var e = Assert.Throws<InputException>(() => ExperimentSimulator.Write(dir, "lib-nmc811", 1, 100, 1, force: false));
        Assert.Contains("not empty", e.Message);
        Assert.Equal("mine", File.ReadAllText(keep));

        var exp = ExperimentSimulator.Write(dir, new SimulationOptions("lib-nmc811", 1, 100, 1) { Xct = false }, force: true);
        Assert.False(File.Exists(keep));
        Assert.True(File.Exists(exp.Manifest));
    }

    [Theory]
    [InlineData("lib-nmc812", 1, 100L, "unknown preset")]
    [InlineData("lib-nmc811", 1, 0L, "--frames 0")]
    [InlineData("lib-nmc811", 1, -5L, "--frames -5")]
    [InlineData("ssb-peo", 0, 100L, "--scans 0")]
    public void Bad_input_is_refused_before_anything_is_written(string preset, int scans, long frames, string message)
    {
        string dir = Path.Combine(_root, "bad");
        var e = Assert.Throws<InputException>(() => ExperimentSimulator.Write(dir, preset, scans, frames, 1, force: false));
        Assert.Contains(message, e.Message);
        Assert.False(Directory.Exists(dir));
        Assert.Empty(Directory.GetDirectories(_root));
    }

    [Fact]
    public void Impossible_geometry_is_an_input_error()
    {
        var steel = new[] { (new double[1], (Func<double, double, double, double>)((_, _, _) => 1.0)) };
        Assert.Throws<InputException>(() => new Layer(1, 0.5, 0.5, 5, steel));
        Assert.Throws<InputException>(() => new Layer(1, 0, 0.5, -1, steel));
        var preset = CoinCellPreset.Create("lib-nmc811");
        var wide = new Layer(1, 0, 0.5, 12, steel);
        var v = new double[preset.Species.Count];
        Assert.Throws<InputException>(() => new CellScene(preset.Species, new[] { wide }, 10, 0.25, v, 0, v, 1, v, Array.Empty<Sphere>(), v));
        var a = new Layer(1, 0, 0.5, 5, steel);
        var b = new Layer(2, 0.4, 0.8, 5, steel);
        Assert.Throws<InputException>(() => new CellScene(preset.Species, new[] { a, b }, 10, 0.25, v, 0, v, 1, v, Array.Empty<Sphere>(), v));
    }

    [Fact]
    public void Series_alternates_heights_and_ends_with_a_rested_scan()
    {
        var s = CoinCellPreset.Create("lib-nmc811").Series(6);
        Assert.Equal(new[] { "cathode-middle", "cathode-top", "cathode-middle", "cathode-top", "cathode-middle", "cathode-top" }, s.Select(x => x.Depth));
        Assert.True(s[0].Rested && s[5].Rested && !s[2].Rested);
        Assert.Equal(1.0, s[0].MeanLithium);
        Assert.Equal(0.36, s[5].MeanLithium, 6);
        Assert.True(s.Zip(s.Skip(1)).All(p => p.Second.TimeS >= p.First.TimeS));
    }
}

/// <summary>The synthetic XCT and its registration reproduce the simulator's own masks through the Masks registration.</summary>
public class SyntheticXctTests
{
    [Fact]
    public void Registered_label_volume_reproduces_the_true_cathode_mask()
    {
        // 80 um voxels against 250 um pixels: masks agree up to partial-voxel edges.
        const double MaxMeanAbsDifference = 0.02;
        var (preset, _) = SimFixture.Lib;
        var (plan, scan, _) = SimFixture.Scan(false, 0);
        var (_, labels) = SyntheticXct.Build(preset, preset.Scene(plan), plan, 1);
        var ints = labels.Data.Select(b => (int)b).ToArray();
        var settings = XcsCt.Domain.Masks.RegistrationSettings.Parse(SyntheticXct.RegistrationYaml(preset, plan));
        var registered = XcsCt.Domain.Masks.Registration.Register(new LabelVolume(labels.Shape, ints), settings, scan.Scene.Shape);
        var truth = scan.Scene.Mask(2);
        var got = registered["cathode"];
        double diff = 0;
        for (int p = 0; p < truth.Length; p++) diff += Math.Abs(got[p] - truth[p]);
        Assert.True(diff / truth.Length < MaxMeanAbsDifference, $"mean |registered - true| = {diff / truth.Length:F4}");
        Assert.InRange(got.Sum() / truth.Sum(), 0.97, 1.03);
    }
}
