namespace XcsCt.Host.Tests;

/// <summary><c>xcsct demo</c> and <c>xcsct simulate</c> through the real program.</summary>
public class DemoCommandTests
{
    [Fact]
    public void Demo_table_has_one_line_per_row_in_a_log_and_lithium_where_the_cell_has_active_material()
    {
        using var dir = new TempDir();
        var r = Cli.Run(dir.Path, "demo", "--out", dir.File("demo"), "--frames", "1500", "--direct");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = r.Stdout.Split('\n');

        // Output redirected (a log): the table is not wrapped at 80 columns, so the header is one line.
        var header = lines.Single(l => l.Contains("region"));
        foreach (var column in new[] { "scan", "t (h)", "z (mm)", "EMF ± sigma", "truth", "pull", "Li x ± sigma", "true x" })
            Assert.Contains(column, header);

        // The default series: 3 time points x 2 heights, 6 scans.
        for (int s = 0; s < 6; s++) Assert.Contains(lines, l => l.Contains($"s00{s}") && l.Contains("global"));
        Assert.DoesNotContain(lines, l => l.Contains("s006"));

        // Two rested scans at one height are the lithium references: cathode rows carry x +/- sigma and
        // the true x; casing rows (no lithium) carry neither.
        var rows = lines.Where(l => l.Contains('│')).ToList();
        var cathode = rows.Where(l => l.Contains(" cathode ")).ToList();
        Assert.Equal(6, cathode.Count);
        Assert.All(cathode, l => Assert.Equal(2, l.Split('±').Length - 1));
        Assert.All(rows.Where(l => l.Contains(" casing ")), l => Assert.Equal(1, l.Split('±').Length - 1));

        Assert.True(File.Exists(Path.Combine(dir.File("demo"), "results", "sim-lib-nmc811-1", "series.csv")));
        Assert.True(File.Exists(Path.Combine(dir.File("demo"), "sim", "truth.json")));
        // Reference runs of 1,500 frames (at most 4,096) next to scans of 1,500.
        Assert.Equal(1500L * 80 * 80 * 2, new FileInfo(Path.Combine(dir.File("demo"), "sim", "ref", "empty.bin")).Length);
    }

    [Fact]
    public void Simulate_refuses_an_unknown_frame_format_naming_it()
    {
        using var dir = new TempDir();
        var r = Cli.Run(dir.Path, "simulate", "--out", dir.File("sim"), "--scans", "1", "--frames", "10", "--format", "tiff");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--format 'tiff'", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.False(Directory.Exists(dir.File("sim")));
    }
}
