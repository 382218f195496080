using Akka.Actor;
using Akka.Hosting;
using XcsCt.Actors.Client;
using XcsCt.Domain.Pipeline;
using static XcsCt.Integration.Cluster.ClusterTesting;

namespace XcsCt.Integration.Cluster;

public sealed class ResumeTests
{
    [Fact]
    public async Task A_run_whose_node_is_aborted_resumes_when_the_same_scan_is_submitted_again()
    {
        var data = TempDirectory("resume");
        var job = new ScanJob("e6", "s1", [FakeFrames.WriteFile(data, "a.frames", 4000)], FakeFrames.Corrections(), 100);
        var first = new FakeFrames { Delay = TimeSpan.FromMilliseconds(120) };
        var node = await EmbeddedCluster.StartAsync(Node(data), first, first);
        _ = node.Client.RunAsync(job);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await node.Client.GetScanStatusAsync("e6", "s1")).BatchesDurable < 10 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        ((ExtendedActorSystem)node.System).Abort(); // no graceful leave, nothing flushed: as a killed process
        await Task.Delay(500);

        var second = new FakeFrames();
        await using var again = await EmbeddedCluster.StartAsync(Node(data), second, second, b => b.ConfigureLoggers(l => l.LogLevel = Akka.Event.LogLevel.InfoLevel));
        var result = await Within(again.Client.RunAsync(job), 180);
        AssertIdentical(new FakeFrames().Direct(job), result.Spectra);
        Assert.True(result.BatchesResumed >= 10 && result.BatchesResumed < result.BatchesTotal,
            $"resumed {result.BatchesResumed} of {result.BatchesTotal}, computed again {second.Computed}, recomputed {result.BatchesRecomputed}, first node computed {first.Computed}");
        Assert.True(second.Computed <= result.BatchesTotal - result.BatchesResumed, "batches already durable were computed again");
    }
}
