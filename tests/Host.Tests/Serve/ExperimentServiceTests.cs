using XcsCt.Domain;
using XcsCt.Domain.Pipeline;
using XcsCt.Host.Serve;

namespace XcsCt.Host.Tests.Serve;

/// <summary>A runner that computes for real, but can hold a scan at a gate or fail it on purpose.</summary>
internal sealed class GatedRunners : IScanRunnerSource
{
    public const string PlantedFailure = "planted failure for the test";

    public string? FailScan { get; set; }
    public string? GateScan { get; set; }
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RunnerKind Kind => RunnerKind.Direct;

    public string? Check(string experimentId, int run) => null;

    public SpectraRunner For(string experimentId, int run) => async (job, progress, ct) =>
    {
        if (job.Scan == GateScan) await Gate.Task.WaitAsync(ct);
        if (job.Scan == FailScan) throw new InputException($"{job.Scan}: {PlantedFailure}");
        return await Task.Run(() => DirectScanRunner.Run(job, progress, ct), ct);
    };
}

public sealed class ExperimentServiceTests(SimulatedRoot sim) : IClassFixture<SimulatedRoot>
{
    private async Task<(ExperimentService Service, ServeOptions Options)> StartAsync(GatedRunners runners, string? data = null)
    {
        var options = ServeTesting.Options(sim.Root, data ?? Path.Combine(sim.Root, "data-" + Guid.NewGuid().ToString("N")[..8]));
        var service = ServeTesting.Service(options, runners);
        await service.StartAsync(CancellationToken.None);
        return (service, options);
    }

    private static Task<ExperimentView> Until(ExperimentService s, string id, Func<ExperimentView, bool> done) =>
        ServeTesting.Until(() => Task.FromResult(s.Get(id)), done);

    [Fact]
    public async Task A_failing_scan_carries_its_reason_and_a_retry_completes_the_experiment()
    {
        var runners = new GatedRunners { FailScan = "s001" };
        var (service, options) = await StartAsync(runners);
        string id = "fail-then-retry";
        await service.SubmitAsync(sim.WithId(id), sim.SimDirectory, replace: false, CancellationToken.None);

        var failed = await Until(service, id, v => v.IsFinished);
        Assert.Equal(ExperimentState.Failed, failed.State);
        Assert.Equal(ScanState.Done, failed.Scans.Single(s => s.Id == "s000").State);
        var s001 = failed.Scans.Single(s => s.Id == "s001");
        Assert.Equal(ScanState.Failed, s001.State);
        Assert.Contains(GatedRunners.PlantedFailure, s001.Error);
        Assert.StartsWith("s001: ", failed.Error);
        Assert.True(File.Exists(Path.Combine(options.FullOutputDirectory, id, "s000", ScanOutputs.SummaryName)));

        var done = Assert.Throws<ApiException>(() => service.RetryScan(id, "s000"));
        Assert.Equal(409, done.Status);
        runners.FailScan = null;
        Assert.Equal(ExperimentState.Queued, service.RetryScan(id, "s001").State);
        var completed = await Until(service, id, v => v.IsFinished);
        Assert.Equal(ExperimentState.Completed, completed.State);
        Assert.All(completed.Scans, s => Assert.Equal(ScanState.Done, s.State));
        Assert.True(completed.SeriesWritten);
        Assert.True(File.Exists(Path.Combine(options.FullOutputDirectory, id, ExperimentRunner.SeriesFigureName)));
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Cancel_stops_the_running_scan_and_keeps_the_scans_already_written()
    {
        var runners = new GatedRunners { GateScan = "s001" };
        var (service, options) = await StartAsync(runners);
        string id = "cancel-me";
        await service.SubmitAsync(sim.WithId(id), sim.SimDirectory, false, CancellationToken.None);
        await Until(service, id, v => v.CurrentJob == "s001");

        var cancelled = await service.CancelAsync(id);
        Assert.Equal(ExperimentState.Cancelled, cancelled.State);
        Assert.Equal(ScanState.Done, cancelled.Scans.Single(s => s.Id == "s000").State);
        Assert.Equal(ScanState.Cancelled, cancelled.Scans.Single(s => s.Id == "s001").State);
        Assert.True(File.Exists(Path.Combine(options.FullOutputDirectory, id, "s000", ScanOutputs.SummaryName)));
        Assert.False(File.Exists(Path.Combine(options.FullOutputDirectory, id, "s001", ScanOutputs.SummaryName)));
        Assert.Equal(ExperimentState.Cancelled, (await service.CancelAsync(id)).State);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_restarted_node_shows_its_records_and_runs_again_what_it_was_running()
    {
        string data = Path.Combine(sim.Root, "data-restart");
        var held = new GatedRunners { GateScan = "s000" };
        var (first, _) = await StartAsync(held, data);
        string id = "interrupted";
        await first.SubmitAsync(sim.WithId(id), sim.SimDirectory, false, CancellationToken.None);
        await Until(first, id, v => v.CurrentJob == "s000");
        await first.StopAsync(CancellationToken.None);
        first.Dispose();

        var (second, _) = await StartAsync(new GatedRunners(), data);
        var completed = await Until(second, id, v => v.IsFinished);
        Assert.Equal(ExperimentState.Completed, completed.State);
        Assert.Equal(1, completed.Run);
        await second.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_second_submission_of_an_id_is_a_conflict_unless_it_replaces()
    {
        var (service, _) = await StartAsync(new GatedRunners { GateScan = "s000" });
        string id = "twice";
        await service.SubmitAsync(sim.WithId(id), sim.SimDirectory, false, CancellationToken.None);
        var conflict = await Assert.ThrowsAsync<ApiException>(() => service.SubmitAsync(sim.WithId(id), sim.SimDirectory, false, CancellationToken.None));
        Assert.Equal(409, conflict.Status);
        Assert.Contains("already exists", conflict.Message);

        var replaced = await service.SubmitAsync(sim.WithId(id), sim.SimDirectory, true, CancellationToken.None);
        Assert.Equal(2, replaced.Run);
        Assert.Single(service.List(), v => v.Id == id);
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Manifests_naming_files_outside_the_data_roots_are_refused_and_nothing_is_queued()
    {
        var (service, _) = await StartAsync(new GatedRunners());
        string outside = Directory.CreateTempSubdirectory("xcsct-outside-").FullName;
        try
        {
            File.Copy(Path.Combine(sim.SimDirectory, "run", "s000.bin"), Path.Combine(outside, "s000.bin"));
            var attempts = new[]
            {
                sim.WithId("dotdot").Replace("frames: [run/s000.bin]", "frames: [../../../../../../etc/passwd]"),
                sim.WithId("absolute").Replace("frames: [run/s000.bin]", $"frames: [{Path.Combine(outside, "s000.bin")}]"),
            };
            File.CreateSymbolicLink(Path.Combine(sim.SimDirectory, "escape.bin"), Path.Combine(outside, "s000.bin"));
            attempts = [.. attempts, sim.WithId("symlink").Replace("frames: [run/s000.bin]", "frames: [escape.bin]")];
            foreach (var manifest in attempts)
            {
                var e = await Assert.ThrowsAsync<ApiException>(() => service.SubmitAsync(manifest, sim.SimDirectory, false, CancellationToken.None));
                Assert.Equal(400, e.Status);
                Assert.Contains(e.Problems, p => p.Contains("outside the data roots"));
            }
            var baseOutside = await Assert.ThrowsAsync<ApiException>(() => service.SubmitAsync(sim.ManifestText, outside, false, CancellationToken.None));
            Assert.Equal(400, baseOutside.Status);
            Assert.Contains("outside the data roots", baseOutside.Message);
            var relativeBase = await Assert.ThrowsAsync<ApiException>(() => service.SubmitAsync(sim.ManifestText, "sim/../..", false, CancellationToken.None));
            Assert.Equal(400, relativeBase.Status);
            Assert.Empty(service.List());
        }
        finally
        {
            File.Delete(Path.Combine(sim.SimDirectory, "escape.bin"));
            Directory.Delete(outside, recursive: true);
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task An_invalid_manifest_lists_every_problem()
    {
        var (service, _) = await StartAsync(new GatedRunners());
        string bad = sim.WithId("bad").Replace("charge_sharing: cluster", "charge_sharing: cluster\n  colour: blue")
            .Replace("min_counts: 100", "min_counts: lots");
        var e = await Assert.ThrowsAsync<ApiException>(() => service.SubmitAsync(bad, sim.SimDirectory, false, CancellationToken.None));
        Assert.Equal(400, e.Status);
        Assert.Equal(2, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.Contains("colour"));
        Assert.Contains(e.Problems, p => p.Contains("min_counts"));
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Unknown_experiments_and_scans_are_not_found()
    {
        var (service, _) = await StartAsync(new GatedRunners { GateScan = "s000" });
        Assert.Equal(404, Assert.Throws<ApiException>(() => service.Get("nope")).Status);
        Assert.Equal(404, Assert.Throws<ApiException>(() => service.Get("../etc")).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<ApiException>(() => service.CancelAsync("nope"))).Status);
        Assert.Equal(404, Assert.Throws<ApiException>(() => service.RetryScan("nope", "s000")).Status);
        await service.SubmitAsync(sim.WithId("known"), sim.SimDirectory, false, CancellationToken.None);
        Assert.Equal(404, Assert.Throws<ApiException>(() => service.RetryScan("known", "s999")).Status);
        Assert.Equal(409, Assert.Throws<ApiException>(() => service.RetryScan("known", "s000")).Status);
        await service.StopAsync(CancellationToken.None);
    }
}
