using XcsCt.Actors.Client;
using XcsCt.Domain;
using XcsCt.Domain.Pipeline;
using static XcsCt.Integration.Cluster.ClusterTesting;

namespace XcsCt.Integration.Cluster;

public sealed class SingleNodeTests
{
    [Fact]
    public async Task A_scan_through_the_embedded_cluster_is_bit_identical_to_the_direct_sum()
    {
        var data = TempDirectory("single");
        var fake = new FakeFrames();
        var job = new ScanJob("e1", "s1",
            [FakeFrames.WriteFile(data, "a.frames", 1000), FakeFrames.WriteFile(data, "b.frames", 333)], FakeFrames.Corrections(), 100);
        await using var node = await EmbeddedCluster.StartAsync(Node(data), fake, fake);
        var result = await Within(node.Client.RunAsync(job));
        AssertIdentical(fake.Direct(job), result.Spectra);
        Assert.Equal(14, result.BatchesTotal);
        Assert.Equal(0, result.BatchesResumed);

        // the same command again: already complete, nothing recomputed
        int computed = fake.Computed;
        var again = await Within(node.Client.RunAsync(job));
        AssertIdentical(fake.Direct(job), again.Spectra);
        Assert.Equal(computed, fake.Computed);
    }

    [Fact]
    public async Task A_missing_frame_file_fails_the_scan_with_its_reason_and_a_fixed_one_completes()
    {
        var data = TempDirectory("bad");
        var fake = new FakeFrames();
        var good = new ScanJob("e2", "ok", [FakeFrames.WriteFile(data, "ok.frames", 300)], FakeFrames.Corrections(), 100);
        var missingPath = Path.Combine(data, "missing.frames");
        var bad = new ScanJob("e2", "bad", [missingPath], FakeFrames.Corrections(), 100);
        var corruptPath = FakeFrames.WriteFile(data, "corrupt.frames", 0);
        File.WriteAllText(corruptPath, "corrupt");
        var corrupt = new ScanJob("e2", "corrupt", [corruptPath], FakeFrames.Corrections(), 100);
        await using var node = await EmbeddedCluster.StartAsync(Node(data), fake, fake);

        var failing = node.Client.RunAsync(bad);
        var failingCorrupt = node.Client.RunAsync(corrupt);
        var ok = await Within(node.Client.RunAsync(good));
        AssertIdentical(fake.Direct(good), ok.Spectra);
        var e = await Assert.ThrowsAsync<InputException>(() => Within(failing));
        Assert.Contains("missing.frames: frame file is missing", e.Message);
        var c = await Assert.ThrowsAsync<InputException>(() => Within(failingCorrupt));
        Assert.Contains("corrupt", c.Message);

        var status = await node.Client.GetExperimentStatusAsync("e2");
        Assert.Contains(status.Scans, s => s.ScanId == "bad" && s.Reason!.Contains("missing.frames"));
        Assert.Contains(status.Scans, s => s.ScanId == "ok" && s.Outcome == Messages.Experiments.ScanOutcome.Completed);

        FakeFrames.WriteFile(data, "missing.frames", 250);
        var fixedRun = await Within(node.Client.RunAsync(bad));
        AssertIdentical(fake.Direct(bad), fixedRun.Spectra);
    }
}
