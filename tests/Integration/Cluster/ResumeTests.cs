using Akka.Actor;
using Akka.Hosting;
using XcsCt.Actors.Client;
using XcsCt.Actors.Hosting;
using XcsCt.Domain.Pipeline;
using static XcsCt.Integration.Cluster.ClusterTesting;

namespace XcsCt.Integration.Cluster;

public sealed class ResumeTests
{
    [Fact]
    public Task A_run_whose_node_is_aborted_resumes_when_the_same_scan_is_submitted_again() =>
        Resume.AfterAbort(TempDirectory("resume"), data => Node(data));

    /// <summary>
    /// Starts a scan on a node, aborts the node once at least 10 batches are durable (no graceful
    /// leave, nothing flushed: as a killed process), submits the same scan to a fresh node on the
    /// same storage, and checks it resumes: bit-identical spectra, durable batches not computed again.
    /// </summary>
    internal static class Resume
    {
        public static async Task AfterAbort(string data, Func<string, XcsClusterOptions> options, string experiment = "e6")
        {
            var job = new ScanJob(experiment, "s1", [FakeFrames.WriteFile(data, "a.frames", 4000)], FakeFrames.Corrections(), 100);
            var first = new FakeFrames();
            first.Hold(fromBatch: 12); // the first node never gets past batch 12: it is caught mid-run
            var node = await EmbeddedCluster.StartAsync(options(data), first, first);
            _ = node.Client.RunAsync(job);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((await node.Client.GetScanStatusAsync(experiment, "s1")).BatchesDurable < 10 && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            ((ExtendedActorSystem)node.System).Abort();
            first.Release();
            await Task.Delay(500);

            var second = new FakeFrames();
            await using var again = await EmbeddedCluster.StartAsync(options(data), second, second, b => b.ConfigureLoggers(l => l.LogLevel = Akka.Event.LogLevel.InfoLevel));
            var result = await Within(again.Client.RunAsync(job), 180);
            AssertIdentical(new FakeFrames().Direct(job), result.Spectra);
            Assert.True(result.BatchesResumed >= 10 && result.BatchesResumed < result.BatchesTotal,
                $"resumed {result.BatchesResumed} of {result.BatchesTotal}, computed again {second.Computed}, recomputed {result.BatchesRecomputed}, first node computed {first.Computed}");
            Assert.True(second.Computed <= result.BatchesTotal - result.BatchesResumed, "batches already durable were computed again");
        }
    }
}

/// <summary>The journal and snapshots in PostgreSQL (a private server), as a cluster deployment has them.</summary>
public sealed class PostgresJournalTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private XcsClusterOptions Node(string data) => ClusterTesting.Node(data) with
    {
        Journal = JournalProvider.PostgreSql,
        JournalConnectionString = postgres.ConnectionString,
    };

    [Fact]
    public Task A_run_whose_node_is_aborted_resumes_from_the_PostgreSQL_journal() =>
        ResumeTests.Resume.AfterAbort(TempDirectory("pg-resume"), Node, "pg-resume");

    [Fact]
    public async Task Sequential_scans_of_one_experiment_complete_on_the_PostgreSQL_journal()
    {
        var data = TempDirectory("pg-sequential");
        var fake = new FakeFrames();
        await using var node = await EmbeddedCluster.StartAsync(Node(data), fake, fake);
        foreach (var scan in new[] { "ref-dark", "s000", "s001" })
        {
            var job = new ScanJob("pg-seq", scan, [FakeFrames.WriteFile(data, scan + ".frames", 700)], FakeFrames.Corrections(), 100);
            AssertIdentical(fake.Direct(job), (await Within(node.Client.RunAsync(job))).Spectra);
        }
    }
}
