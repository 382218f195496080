using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using PureHDF;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;

namespace XcsCt.Integration.Cluster;

/// <summary>
/// Guarantees 1 and 2 with a real crash: <c>xcsct process</c> (synthetic HEXITEC frames, real
/// calibration maps) killed with SIGKILL in the middle of a scan, then the same command again
/// resumes from the journal and gives the same result file contents as <c>--direct</c>.
/// </summary>
public sealed class KillTests
{
    /// <summary>Frames in the generated file; the scan lists it <see cref="Repeats"/> times.</summary>
    private const int FileFrames = 4096;

    private const int Repeats = 10;

    /// <summary>80 batches: the first ones durable (after a snapshot interval) leave most of the scan to do when the process is killed.</summary>
    private const int BatchFrames = 512;

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task Process_killed_mid_scan_resumes_from_its_journal_and_matches_direct()
    {
        var root = ClusterTesting.TempDirectory("kill");
        try
        {
            await KillAndResume(root);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task KillAndResume(string root)
    {
        var synthetic = new SyntheticFrames(DetectorShape.Hexitec, 0.02, seed: 5);
        var frames = new ushort[FileFrames * DetectorShape.Hexitec.Pixels];
        synthetic.Fill(frames);
        string file = Path.Combine(root, "frames.bin");
        BinFrameFile.Write(file, frames);
        var c = synthetic.Corrections;
        string gradients = Path.Combine(root, "m.txt"), intercepts = Path.Combine(root, "c.txt"), offsets = Path.Combine(root, "offsets.txt");
        PixelMapText.Write(gradients, c.Shape, c.GradientsKeVPerAdu);
        PixelMapText.Write(intercepts, c.Shape, c.InterceptsKeV);
        PixelMapText.Write(offsets, c.Shape, c.OffsetsAdu!);
        var input = new List<string>();
        for (int i = 0; i < Repeats; i++) input.AddRange(["--frames", file]);
        input.AddRange(["--gradients", gradients, "--intercepts", intercepts, "--offsets", offsets, "--threshold-adu", "100",
            "--batch-frames", BatchFrames.ToString(), "--experiment", "kill", "--scan", "s1"]);
        string data = Path.Combine(root, "data"), outCluster = Path.Combine(root, "out-cluster"), outDirect = Path.Combine(root, "out-direct");
        string[] command = ["process", .. input, "--out", outCluster, "--data", data];

        using (var first = XcsctProcess.Start(command))
        {
            await WaitForDurableBatches(first, Path.Combine(data, "xcsct.db"), "scan-kill/s1", TimeSpan.FromMinutes(4));
            first.Kill();
            Assert.DoesNotContain("wrote", first.Err);
        }

        var (code, _, err) = await XcsctProcess.RunAsync(RunTimeout, command);
        Assert.True(code == 0, $"the second run failed ({code}):\n{err}");
        var resumed = Regex.Match(err, @"kill/s1: resumed: (\d+) of (\d+) batches already durable");
        Assert.True(resumed.Success, $"the second run did not say it resumed:\n{err}");
        int durable = int.Parse(resumed.Groups[1].Value), total = int.Parse(resumed.Groups[2].Value);
        Assert.Equal(FileFrames * Repeats / BatchFrames, total);
        Assert.InRange(durable, 1, total - 1);

        var direct = await XcsctProcess.RunAsync(RunTimeout, ["process", .. input, "--out", outDirect, "--direct"]);
        Assert.True(direct.Code == 0, $"--direct failed ({direct.Code}):\n{direct.Err}");
        AssertSameResult(Path.Combine(outDirect, "kill", "s1", "result.nxs"), Path.Combine(outCluster, "kill", "s1", "result.nxs"));
    }
    /// <summary>Waits until the scan's journal holds a <c>BatchesCompleted</c> event (manifest <c>sv3</c>): some batches are durable on every tile.</summary>
    private static async Task WaitForDurableBatches(XcsctProcess process, string database, string persistenceId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"xcsct ended before it could be killed mid-scan:\n{process.Err}");
            if (File.Exists(database) && CountEvents(database, persistenceId, "sv3") > 0) return;
            await Task.Delay(20);
        }
        throw new TimeoutException($"no batch of {persistenceId} became durable within {timeout}:\n{process.Err}");
    }

    private static long CountEvents(string database, string persistenceId, string manifest)
    {
        try
        {
            using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var query = connection.CreateCommand();
            query.CommandText = "SELECT COUNT(*) FROM journal WHERE persistence_id = $id AND manifest = $manifest";
            query.Parameters.AddWithValue("$id", persistenceId);
            query.Parameters.AddWithValue("$manifest", manifest);
            return (long)query.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0; // the journal tables are not created yet, or the writer holds a lock
        }
    }

    /// <summary>Every number the analysis wrote from the spectra is the same bit for bit (provenance dates differ).</summary>
    private static void AssertSameResult(string expectedPath, string actualPath)
    {
        using var expected = H5File.OpenRead(expectedPath);
        using var actual = H5File.OpenRead(actualPath);
        Assert.Equal(expected.Dataset("/entry/pixel_spectra").Read<uint[]>(), actual.Dataset("/entry/pixel_spectra").Read<uint[]>());
        foreach (var name in new[] { "/entry/spectrum/counts", "/entry/emf/emf", "/entry/emf/emf_sigma", "/entry/profile/J" })
        {
            var e = expected.Dataset(name).Read<double[]>();
            var a = actual.Dataset(name).Read<double[]>();
            Assert.True(e.AsSpan().SequenceEqual(a), $"{name} differs between --direct and the resumed cluster run");
        }
    }
}
