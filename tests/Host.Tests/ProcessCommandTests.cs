using System.Diagnostics;
using System.Text.Json;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;

namespace XcsCt.Host.Tests;

/// <summary><c>xcsct process</c> end to end through the real program, on real and on planted data.</summary>
public sealed class ProcessCommandTests
{
    private static readonly string Odin = Path.Combine(AppContext.BaseDirectory, "fixtures", "hexitec", "160_160_vcaled_30_frames.h5");
    private const float Gain = 0.028f, Intercept = 0.5f;

    private static (string M, string C) UniformMaps(TempDir dir, DetectorShape shape)
    {
        var m = new float[shape.Pixels];
        var c = new float[shape.Pixels];
        Array.Fill(m, Gain);
        Array.Fill(c, Intercept);
        PixelMapText.Write(dir.File("m.txt"), shape, m);
        PixelMapText.Write(dir.File("c.txt"), shape, c);
        return (dir.File("m.txt"), dir.File("c.txt"));
    }

    [Fact]
    public void Real_odin_test_pulses_land_in_the_histogram_where_their_ADU_puts_them()
    {
        using var dir = new TempDir();
        var shape = new DetectorShape(160, 160);
        var (m, c) = UniformMaps(dir, shape);
        var r = Cli.Run(dir.Path, "process", "--frames", Odin, "--gradients", m, "--intercepts", c,
            "--charge-sharing", "none", "--no-peak-centring", "--direct", "--out", dir.File("out"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);

        // Independent expectation: every positive reading v of the raw file is one event at E = m v + c.
        using var source = FrameSources.Open(Odin, shape);
        var frames = new ushort[source.FrameCount * shape.Pixels];
        source.ReadRaw(0, (int)source.FrameCount, frames);
        var expected = new long[1000];
        long events = 0;
        foreach (var v in frames)
        {
            if (v == 0) continue;
            events++;
            double e = Gain * (double)v + Intercept;
            int bin = (int)Math.Floor((float)(Gain * (float)v + Intercept) / 0.2);
            if (e >= 0 && bin < expected.Length) expected[bin]++;
        }

        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("out"), "adhoc", "scan", "summary.json"))).RootElement;
        Assert.Equal(30, summary.GetProperty("frames").GetInt64());
        Assert.Equal(events, summary.GetProperty("events").GetProperty("in").GetInt64());
        Assert.Equal(events, summary.GetProperty("events").GetProperty("kept").GetInt64());

        var measured = Nexus.ReadSummedSpectrum(Path.Combine(dir.File("out"), "adhoc", "scan", "result.nxs"));
        // The pulses (4000-4800 ADU) sit at 112.5-134.9 keV; the histogram's mean there matches the raw data's.
        double Mean(IReadOnlyList<double> h) { double s = 0, n = 0; for (int i = 560; i < 680; i++) { s += h[i] * (i + 0.5) * 0.2; n += h[i]; } return s / n; }
        var exp = expected.Select(x => (double)x).ToArray();
        // Above the low-energy charge-sharing tails, the strongest bin is a test pulse, in both.
        int Peak(IReadOnlyList<double> h) { int best = 250; for (int i = 250; i < 1000; i++) if (h[i] > h[best]) best = i; return best; }
        Assert.InRange(Peak(exp) * 0.2, 112.5, 134.9);
        Assert.Equal(Peak(exp), Peak(measured));
        Assert.Equal(Mean(exp), Mean(measured), 3);
        for (int i = 0; i < 1000; i++)
            Assert.True(Math.Abs(exp[i] - measured[i]) <= 0.01 * exp[i] + 1, $"bin {i}: expected {exp[i]}, histogram has {measured[i]}");
    }

    [Fact]
    public void Result_nxs_has_the_NeXus_layout_for_h5dump()
    {
        using var dir = new TempDir();
        var (m, c) = UniformMaps(dir, new DetectorShape(160, 160));
        var r = Cli.Run(dir.Path, "process", "--frames", Odin, "--gradients", m, "--intercepts", c,
            "--no-peak-centring", "--direct", "--experiment", "e1", "--scan", "s1", "--out", dir.File("out"));
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        string nxs = Path.Combine(dir.File("out"), "e1", "s1", "result.nxs");
        string header = H5Dump("-H", nxs);
        foreach (var path in new[] { "GROUP \"entry\"", "GROUP \"emf\"", "DATASET \"emf\"", "DATASET \"emf_sigma\"", "DATASET \"counts\"",
                     "GROUP \"spectrum\"", "DATASET \"energy\"", "GROUP \"profile\"", "DATASET \"J\"", "DATASET \"pz\"",
                     "DATASET \"pixel_spectra\"", "GROUP \"process\"" })
            Assert.Contains(path, header);
        Assert.Contains("DATASPACE  SIMPLE { ( 160, 160, 1000 )", header);
        Assert.Contains("\"emf\"", H5Dump("-a", "/entry/default", nxs));
        foreach (var png in new[] { "spectrum.png", "profile.png", "emf_map.png" })
            Assert.True(new FileInfo(Path.Combine(dir.File("out"), "e1", "s1", png)).Length > 1000, png);
        Assert.True(File.Exists(Path.Combine(dir.File("out"), "e1", "series.csv")));
    }

    [Fact]
    public void Truncated_bin_stops_with_a_message_naming_the_file_and_leaves_no_summary()
    {
        using var dir = new TempDir();
        var (m, c) = UniformMaps(dir, DetectorShape.Hexitec);
        File.WriteAllBytes(dir.File("bad.bin"), new byte[80 * 80 * 2 * 3 + 7]);
        var r = Cli.Run(dir.Path, "process", "--frames", dir.File("bad.bin"), "--gradients", m, "--intercepts", c, "--direct", "--out", dir.File("out"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("bad.bin", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr); // one clear line, no stack trace
        Assert.False(File.Exists(Path.Combine(dir.File("out"), "adhoc", "scan", "summary.json")));
    }

    [Fact]
    public void Map_of_the_wrong_shape_is_refused_naming_the_map()
    {
        using var dir = new TempDir();
        var (m, _) = UniformMaps(dir, DetectorShape.Hexitec);
        File.WriteAllText(dir.File("c79.txt"), string.Join('\n', Enumerable.Repeat(string.Join(' ', Enumerable.Repeat("0.5", 79)), 80)));
        File.WriteAllBytes(dir.File("f.bin"), new byte[80 * 80 * 2 * 4]);
        var r = Cli.Run(dir.Path, "process", "--frames", dir.File("f.bin"), "--gradients", m, "--intercepts", dir.File("c79.txt"), "--direct", "--out", dir.File("out"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("c79.txt", r.Stderr);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void Manifest_with_an_unknown_key_is_refused_before_anything_runs()
    {
        using var dir = new TempDir();
        var (m, c) = UniformMaps(dir, DetectorShape.Hexitec);
        File.WriteAllBytes(dir.File("f.bin"), new byte[80 * 80 * 2 * 4]);
        File.WriteAllText(dir.File("exp.yaml"), """
            experiment: e1
            calibration: { gradients: m.txt, intercepts: c.txt }
            corections: { charge_sharing: none }
            scans:
              - id: s1
                frames: [f.bin]
            """);
        var r = Cli.Run(dir.Path, "process", "--manifest", dir.File("exp.yaml"), "--out", dir.File("out"), "--direct");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("corections", r.Stderr);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void Output_directory_that_cannot_be_created_is_a_clear_error()
    {
        using var dir = new TempDir();
        var (m, c) = UniformMaps(dir, new DetectorShape(160, 160));
        File.WriteAllText(dir.File("occupied"), "a file where the output directory should be");
        var r = Cli.Run(dir.Path, "process", "--frames", Odin, "--gradients", m, "--intercepts", c, "--no-peak-centring", "--direct", "--out", dir.File("occupied"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("occupied", r.Stderr);
    }

    private static string H5Dump(params string[] args)
    {
        var psi = new ProcessStartInfo("h5dump") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail("h5dump is not installed: install Debian's hdf5-tools (apt-get install hdf5-tools), as .ci/run does");
            throw;
        }
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"h5dump {string.Join(' ', args)} failed: {p.StandardError.ReadToEnd()}");
        return output;
    }
}
