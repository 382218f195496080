using Akka.Actor;
using Akka.Hosting;
using XcsCt.Actors.Client;
using XcsCt.Actors.Experiments;
using XcsCt.Domain.Pipeline;
using XcsCt.Domain.Simulation;
using XcsCt.Messages.Experiments;
using XcsCt.Messages.Scans;
using ScanOutcome = XcsCt.Messages.Experiments.ScanOutcome;
using static XcsCt.Integration.Cluster.ClusterTesting;

namespace XcsCt.Integration.Cluster;

/// <summary>
/// An experiment's jobs run one after another (references, then scans), as <c>xcsct process</c>
/// runs them: each next job is submitted while the experiment entity may be passivating after the
/// previous one completed.
/// </summary>
public sealed class SequentialJobsTests
{
    /// <summary>Frames per simulated scan and reference run: a few batches each, seconds to simulate.</summary>
    private const long SimulatedFrames = 700;

    /// <summary>Frames per batch: five or six batches per job.</summary>
    private const int BatchFrames = 128;

    [Fact]
    public async Task Sequential_jobs_of_one_experiment_on_simulated_frames_are_bit_identical_to_the_direct_run()
    {
        var root = TempDirectory("sequential");
        var sim = ExperimentSimulator.Write(Path.Combine(root, "sim"),
            new SimulationOptions("lib-nmc811", 2, SimulatedFrames, 7) { Xct = false, Threads = 2 }, force: true);
        var plan = ManifestPlan.Load(sim.Manifest) with { BatchFrames = BatchFrames };
        var jobs = new List<ScanJob>
        {
            plan.Job("ref-dark", plan.References.Dark!),
            plan.Job("ref-empty", plan.References.Empty!),
            plan.Job("ref-ptfe", plan.References.Ptfe!),
        };
        jobs.AddRange(plan.Scans.Select(s => plan.Job(s.Id, s.Frames)));

        await using var node = await EmbeddedCluster.StartAsync(Node(Path.Combine(root, "data")));
        foreach (var job in jobs)
        {
            var result = await Within(node.Client.RunAsync(job), 180);
            var direct = DirectScanRunner.Run(job, threads: 1);
            Assert.True(direct.Events.Kept > 0, $"{job.Scan}: the simulated frames hold no events");
            AssertIdentical(direct, result.Spectra);
            Assert.Equal((int)Math.Ceiling(SimulatedFrames / (double)BatchFrames), result.BatchesTotal);
        }

        var status = await node.Client.GetExperimentStatusAsync(plan.Experiment);
        Assert.Equal(jobs.Select(j => j.Scan), status.Scans.Select(s => s.ScanId));
        Assert.All(status.Scans, s => Assert.Equal(ScanOutcome.Completed, s.Outcome));
    }

    /// <summary>
    /// The race behind the second job's submit timing out: the experiment records the last open
    /// scan's outcome (and asks to be passivated) while the next scan's submit is already in its
    /// mailbox. The submit must be answered, not lost to the entity stopping mid-persist.
    /// </summary>
    [Fact]
    public async Task A_scan_submitted_while_the_experiment_passivates_is_answered()
    {
        var data = TempDirectory("passivate");
        var fake = new FakeFrames();
        var options = Node(data);
        await using var node = await EmbeddedCluster.StartAsync(options, fake, fake);
        var experiments = ActorRegistry.For(node.System).Get<ExperimentRegion>();
        var job = JobFile.Write(new ScanJob("race", "s0", [FakeFrames.WriteFile(data, "a.frames", 100)], FakeFrames.Corrections(), 100),
            options.JobDirectory);

        Assert.IsType<ExperimentReplies.ExperimentAccepted>(
            await experiments.Ask<object>(new ExperimentCommands.SubmitScan("race", "s0", job), TimeSpan.FromSeconds(30)));
        for (int i = 1; i <= 10; i++)
        {
            experiments.Tell(new ExperimentCommands.RecordScanOutcome("race", $"s{i - 1}", 1, ScanOutcome.Completed, null, data));
            var reply = await experiments.Ask<object>(new ExperimentCommands.SubmitScan("race", $"s{i}", job), TimeSpan.FromSeconds(10));
            Assert.IsType<ExperimentReplies.ExperimentAccepted>(reply);
        }
        var status = await node.Client.GetExperimentStatusAsync("race");
        Assert.Equal(11, status.Scans.Length);
    }
}
