using Akka.Actor;
using XcsCt.Actors.Client;
using XcsCt.Domain.Pipeline;
using static XcsCt.Integration.Cluster.ClusterTesting;

namespace XcsCt.Integration.Cluster;

public sealed class MultiNodeTests
{
    private const int SnapshotInterval = 4;
    private const int InFlight = 2;

    private static async Task<EmbeddedCluster[]> StartNodes(string data, params FakeFrames[] fakes)
    {
        int seedPort = FreePort();
        var nodes = new List<EmbeddedCluster>
        {
            await EmbeddedCluster.StartAsync(Node(data, seedPort, [Seed(seedPort)], SnapshotInterval, InFlight), fakes[0], fakes[0]),
        };
        for (int i = 1; i < fakes.Length; i++)
            nodes.Add(await EmbeddedCluster.StartAsync(Node(data, FreePort(), [Seed(seedPort)], SnapshotInterval, InFlight), fakes[i], fakes[i]));
        return nodes.ToArray();
    }

    [Fact]
    public async Task Three_nodes_process_a_scan_bit_identical_and_survive_losing_one_mid_run()
    {
        var data = TempDirectory("three");
        var fakes = new[] { new FakeFrames(), new FakeFrames(), new FakeFrames() };
        foreach (var f in fakes) f.Delay = TimeSpan.FromMilliseconds(40);
        // The run (60 batches) cannot end before the third node is lost, and the third node computes
        // something whenever it first gets work, however late its subscription reaches the others.
        fakes[0].HoldAfter(12);
        fakes[1].HoldAfter(12);
        fakes[2].HoldAfter(3);
        var job = new ScanJob("e3", "s1", [FakeFrames.WriteFile(data, "a.frames", 6000)], FakeFrames.Corrections(), 100);
        var nodes = await StartNodes(data, fakes);
        try
        {
            var run = nodes[0].Client.RunAsync(job);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (((await nodes[0].Client.GetScanStatusAsync("e3", "s1")).BatchesDurable < 6 || fakes[2].Computed < 3) && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            Assert.True(fakes[2].Computed > 0, "the third node computed nothing before it was lost");
            var lost = nodes[2].Address;
            ((ExtendedActorSystem)nodes[2].System).Abort();
            var abortedAt = DateTime.UtcNow;
            Akka.Cluster.Cluster.Get(nodes[0].System).Down(lost);
            foreach (var f in fakes) f.Release();

            var result = await Within(run, 180);
            AssertIdentical(new FakeFrames().Direct(job), result.Spectra);
            int computedTwice = fakes.Sum(f => f.Computed) - result.BatchesTotal;
            // Rework is capped by the batches a scan lets be assigned or delivered but not yet durable,
            // once per loss the scan learns of: the lost node's batches and tiles, then partials that
            // were on their way to its shards while they moved (found missing when every batch is in).
            int bound = 2 * Node(data, snapshotInterval: SnapshotInterval).MaxUndurableBatches;
            Assert.InRange(computedTwice, 0, bound + result.BatchesRecomputed);
            Assert.InRange(result.BatchesRecomputed, 0, bound);
            Console.WriteLine($"node loss: {result.BatchesRecomputed} batches recomputed (bound {bound})");
            Assert.True(DateTime.UtcNow - abortedAt < TimeSpan.FromSeconds(120));
        }
        finally
        {
            await nodes[0].DisposeAsync();
            await nodes[1].DisposeAsync();
        }
    }

    [Fact]
    public async Task A_node_that_joins_mid_run_receives_work()
    {
        var data = TempDirectory("join");
        var first = new FakeFrames { Delay = TimeSpan.FromMilliseconds(20) };
        first.Hold(fromBatch: 10); // the first node stalls at batch 10 until the joiner has taken work
        var joiner = new FakeFrames { Delay = TimeSpan.FromMilliseconds(20) };
        var job = new ScanJob("e4", "s1", [FakeFrames.WriteFile(data, "a.frames", 4000)], FakeFrames.Corrections(), 100);
        var nodes = await StartNodes(data, first);
        var run = nodes[0].Client.RunAsync(job);
        await Task.Delay(1000);
        int port = FreePort();
        var seed = Akka.Cluster.Cluster.Get(nodes[0].System).SelfAddress;
        await using var second = await EmbeddedCluster.StartAsync(Node(data, port, [seed.ToString()], SnapshotInterval, InFlight), joiner, joiner);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (joiner.Computed == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
            first.Release();
            var result = await Within(run, 180);
            AssertIdentical(new FakeFrames().Direct(job), result.Spectra);
            Assert.True(joiner.Computed > 0, "the node that joined mid-run received no work");
        }
        finally
        {
            await nodes[0].DisposeAsync();
        }
    }
}
