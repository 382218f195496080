using Akka.Hosting;
using Akka.Persistence.TestKit;
using XcsCt.Actors.Client;
using XcsCt.Domain.Pipeline;
using static XcsCt.Integration.Cluster.ClusterTesting;

namespace XcsCt.Integration.Cluster;

public sealed class LoadAndFaultTests
{
    [Fact]
    public async Task Twenty_small_experiments_all_complete_while_a_large_one_runs()
    {
        var data = TempDirectory("many");
        var fake = new FakeFrames { Delay = TimeSpan.FromMilliseconds(5) };
        await using var node = await EmbeddedCluster.StartAsync(Node(data, inFlight: 2), fake, fake);
        var large = new ScanJob("big", "s1", [FakeFrames.WriteFile(data, "big.frames", 30_000)], FakeFrames.Corrections(), 100);
        var largeRun = node.Client.RunAsync(large);
        var small = Enumerable.Range(0, 20)
            .Select(i => new ScanJob($"small{i}", "s1", [FakeFrames.WriteFile(data, $"small{i}.frames", 300 + i)], FakeFrames.Corrections(), 100))
            .ToList();
        var smallRuns = small.Select(j => node.Client.RunAsync(j)).ToList();
        var results = await Within(Task.WhenAll(smallRuns), 240);
        Assert.False(largeRun.IsCompleted, "the large scan finished before the small ones: no evidence of fair sharing");
        for (int i = 0; i < small.Count; i++) AssertIdentical(fake.Direct(small[i]), results[i].Spectra);
        AssertIdentical(fake.Direct(large), (await Within(largeRun, 240)).Spectra);
    }

    [Fact]
    public async Task Journal_write_failures_are_retried_and_nothing_is_lost()
    {
        var data = TempDirectory("faults");
        var fake = new FakeFrames { Delay = TimeSpan.FromMilliseconds(10) };
        int writes = 0;
        await using var node = await EmbeddedCluster.StartAsync(Node(data), fake, fake, b => b.AddHocon("""
            akka.persistence.journal.plugin = "akka.persistence.journal.test"
            akka.persistence.journal.test {
              class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit"
              plugin-dispatcher = "akka.actor.default-dispatcher"
            }
            """, HoconAddMode.Prepend));
        var journal = TestJournal.FromRef(Akka.Persistence.Persistence.Instance.Apply(node.System).JournalFor("akka.persistence.journal.test"));
        // writes 4 to 9 fail: the scan's plan and the first tiles' start markers and checkpoints
        await journal.OnWrite.FailIf(_ => { int n = Interlocked.Increment(ref writes); return n is >= 4 and <= 9; });
        var job = new ScanJob("e5", "s1", [FakeFrames.WriteFile(data, "a.frames", 2000)], FakeFrames.Corrections(), 100);
        var result = await Within(node.Client.RunAsync(job), 180);
        Assert.True(writes > 9, "the injected failures were never reached");
        AssertIdentical(fake.Direct(job), result.Spectra);
    }
}
