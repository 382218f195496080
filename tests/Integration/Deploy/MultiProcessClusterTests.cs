using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using XcsCt.Host.Serve;
using XcsCt.Integration.Cluster;
using XcsCt.Integration.Serve;

namespace XcsCt.Integration.Deploy;

/// <summary>The multi-process tests start several processes each and measure throughput: they run alone, one after another.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiProcessCollection
{
    public const string Name = "xcsct serve clusters";
}

/// <summary>
/// What Kubernetes would do, on loopback: PostgreSQL and several <c>xcsct serve</c> processes
/// (seed-node discovery, one shared data directory), experiments submitted with the real CLI, nodes
/// killed with SIGKILL, stopped with SIGTERM, added mid-run, one of another application version.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class MultiProcessClusterTests(MultiProcessData data, ITestOutputHelper output) : IClassFixture<MultiProcessData>
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan Membership = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Lowest accepted ratio of the three-process cluster's throughput to one direct process. The
    /// target is 0.8 (the 2-core machine is the limit, so the ratio measures overhead); on a shared,
    /// loaded CI machine one run's ratio varies too much to assert it, so this is a sanity floor
    /// and the measured figure is printed.
    /// </summary>
    private const double ThroughputFloor = 0.3;

    /// <summary>Batches of a scan listing the file <see cref="MultiProcessData.Repeats"/> times, and of the three 500-frame reference runs.</summary>
    private const int ScanBatches = MultiProcessData.FileFrames / MultiProcessData.BatchFrames * MultiProcessData.Repeats;

    private const int ExperimentBatches = ScanBatches + 3;

    private void Report(string line)
    {
        output.WriteLine(line);
        Console.WriteLine("[multi-process] " + line);
    }

    private void AssertIdenticalToDirect(ServeCluster cluster, string experiment) =>
        KillTests.AssertSameResult(
            Path.Combine(data.DirectOut, MultiProcessData.DirectExperiment, "s000", "result.nxs"),
            Path.Combine(cluster.Data, "output", experiment, "s000", "result.nxs"));

    private static async Task<long> BatchesAsync(ServeCluster cluster, IEnumerable<NodeProcess> nodes)
    {
        long sum = 0;
        foreach (var n in nodes) sum += (await cluster.WorkAsync(n)).Batches;
        return sum;
    }

    /// <summary>The batches a stopped node's workers computed, from the line it prints when it stops.</summary>
    private static long FinalBatches(NodeProcess node)
    {
        var m = Regex.Match(node.Log, @"workers computed (\d+) batches");
        Assert.True(m.Success, $"the stopped node did not say what it computed:\n{node.Log}");
        return long.Parse(m.Groups[1].Value);
    }

    [Fact]
    public async Task Three_nodes_lose_one_to_SIGKILL_and_one_to_SIGTERM_mid_run_with_results_bit_identical_to_direct()
    {
        await using var cluster = new ServeCluster(data.Root, "three", await data.DatabaseAsync("three"));
        var first = await cluster.StartNodeAsync();
        NodeProcess[] more = [cluster.LaunchNode(), cluster.LaunchNode()];
        foreach (var n in more) await n.WaitReadyAsync(TimeSpan.FromMinutes(3));
        await cluster.MembersUntilAsync(first, m => m.Length == 3 && m.All(x => x.Status == "up"), Membership);
        var (second, third) = (more[0], more[1]);

        // 1. A clean run: every node computes, no batch twice, the result equals --direct; the aggregate throughput.
        long[] before = await Task.WhenAll(cluster.Nodes.Select(async n => (await cluster.WorkAsync(n)).Batches));
        await cluster.SubmitAsync(first, data.Manifest("clean", MultiProcessData.Repeats));
        var clean = await ExperimentWatch.FollowAsync(cluster, first, "clean", RunLimit);
        long[] computed = (await Task.WhenAll(cluster.Nodes.Select(async n => (await cluster.WorkAsync(n)).Batches))).Select((b, i) => b - before[i]).ToArray();
        AssertIdenticalToDirect(cluster, "clean");
        double rate = data.ScanFrames / clean.ScanTime.TotalSeconds, ratio = rate / data.DirectFramesPerSecond;
        Report($"throughput: 3 serve processes {rate:F0} frames/s ({data.ScanFrames} frames in {clean.ScanTime.TotalSeconds:F2} s), " +
            $"one process --direct {data.DirectFramesPerSecond:F0} frames/s ({data.DirectScanTime.TotalSeconds:F2} s): ratio {ratio:F2} (target 0.8, floor {ThroughputFloor}); " +
            $"batches per node {string.Join(" + ", computed)} of {ExperimentBatches}");
        Assert.All(computed, c => Assert.True(c > 0, $"a node computed nothing: {string.Join(", ", computed)}"));
        Assert.Equal(ExperimentBatches, computed.Sum());
        Assert.Equal(0, clean.Scan.BatchesRecomputed);
        Assert.True(ratio >= ThroughputFloor, $"cluster/direct throughput {ratio:F2} is below the floor {ThroughputFloor}");

        // 2. SIGKILL a node mid-run (not the one running the experiment): the split-brain resolver
        //    downs it, `cluster members` no longer lists it, the run completes bit-identical.
        Task<(MemberView[] Members, TimeSpan After)>? removal = null;
        int durableAtKill = 0;
        var killed = await ExperimentWatch.FollowAsync(cluster, first, "kill", RunLimit, async view =>
        {
            var scan = view.Scans[0];
            if (removal is not null || scan.State != ScanState.Running || scan.BatchesDone == 0) return;
            Assert.True((await cluster.WorkAsync(third)).Batches > before[2] + computed[2], "the node to kill has computed nothing of this run");
            durableAtKill = scan.BatchesDone;
            third.Kill();
            removal = cluster.MembersUntilAsync(first,
                m => m.Length == 2 && m.All(x => x.Address != third.Address && x.Status == "up" && x.Reachable), Membership);
        }, submit: () => cluster.SubmitAsync(first, data.Manifest("kill", MultiProcessData.Repeats)));
        Assert.True(removal is not null, "the scan finished before a node could be killed mid-run");
        Assert.True(durableAtKill < ScanBatches, $"killed after the scan's end ({durableAtKill} of {ScanBatches} batches durable)");
        var (survivors, removedAfter) = await removal;
        AssertIdenticalToDirect(cluster, "kill");
        Report($"SIGKILL at {durableAtKill} of {ScanBatches} batches durable: gone from `cluster members` after {removedAfter.TotalSeconds:F1} s " +
            $"(stable-after {ServeCluster.StableAfterS} s); {killed.Scan.BatchesRecomputed} batches computed again; result bit-identical to --direct");
        Assert.Equal(new[] { first.Address, second.Address }.Order(StringComparer.Ordinal), survivors.Select(m => m.Address));

        // 3. SIGTERM a node mid-run: it leaves gracefully (shards handed off), nothing is computed twice.
        long firstBefore = (await cluster.WorkAsync(first)).Batches, secondBefore = (await cluster.WorkAsync(second)).Batches;
        bool terminated = false;
        int durableAtTerm = 0;
        var left = await ExperimentWatch.FollowAsync(cluster, first, "leave", RunLimit, async view =>
        {
            var scan = view.Scans[0];
            if (terminated || scan.State != ScanState.Running || scan.BatchesDone == 0) return;
            Assert.True((await cluster.WorkAsync(second)).Batches > secondBefore, "the node to stop has computed nothing of this run");
            durableAtTerm = scan.BatchesDone;
            second.Terminate();
            terminated = true;
        }, submit: () => cluster.SubmitAsync(first, data.Manifest("leave", MultiProcessData.Repeats)));
        Assert.True(terminated, "the scan finished before a node could be stopped mid-run");
        Assert.True(await second.ExitedWithinAsync(TimeSpan.FromMinutes(1)), $"the SIGTERMed node kept running:\n{second.Log}");
        Assert.True(second.ExitCode == 0, $"the SIGTERMed node exited with {second.ExitCode}:\n{second.Log}");
        var (alone, _) = await cluster.MembersUntilAsync(first, m => m.Length == 1, Membership);
        Assert.Equal(first.Address, alone[0].Address);
        AssertIdenticalToDirect(cluster, "leave");
        long total = (await cluster.WorkAsync(first)).Batches - firstBefore + FinalBatches(second) - secondBefore;
        Report($"SIGTERM at {durableAtTerm} of {ScanBatches} batches durable: left gracefully (exit 0); {left.Scan.BatchesRecomputed} batches recomputed; " +
            $"{total} batches computed for {ExperimentBatches}; result bit-identical to --direct");
        Assert.Equal(0, left.Scan.BatchesRecomputed);
        Assert.Equal(ExperimentBatches, total);
    }
}
