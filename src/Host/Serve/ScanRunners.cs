using Akka.Actor;
using Akka.Hosting;
using XcsCt.Actors.Client;
using XcsCt.Actors.Experiments;
using XcsCt.Actors.Hosting;
using XcsCt.Actors.Scans;
using XcsCt.Domain.Pipeline;
using XcsCt.Messages;

namespace XcsCt.Host.Serve;

/// <summary>Frames processed in this process by the plain pipeline.</summary>
public sealed class DirectScanRunners : IScanRunnerSource
{
    public RunnerKind Kind => RunnerKind.Direct;

    public string? Check(string experimentId, int run) => null;

    public SpectraRunner For(string experimentId, int run) =>
        (job, progress, ct) => Task.Run(() => DirectScanRunner.Run(job, progress, ct), ct);
}

/// <summary>
/// Frames processed by the cluster's sharded scans and tiles. Each submission of an experiment id
/// is its own cluster experiment (<c>id</c>, then <c>id.r2</c>, ... after a replace), so a replaced
/// manifest never collides with the jobs of the one before; a retry of the same submission resumes
/// what the cluster already holds durably.
/// </summary>
public sealed class ClusterScanRunners(IServiceProvider services, XcsClusterOptions options) : IScanRunnerSource
{
    private ScanClient? _client;

    public RunnerKind Kind => RunnerKind.Cluster;

    public static string ClusterExperimentId(string experimentId, int run) => run <= 1 ? experimentId : $"{experimentId}.r{run}";

    public string? Check(string experimentId, int run) =>
        EntityIds.IsValid(ClusterExperimentId(experimentId, run))
            ? null
            : $"experiment id '{ClusterExperimentId(experimentId, run)}' is too long for the cluster: at most 64 characters";

    public SpectraRunner For(string experimentId, int run)
    {
        string clusterId = ClusterExperimentId(experimentId, run);
        return async (job, progress, ct) =>
        {
            var result = await Client().RunAsync(job with { Experiment = clusterId }, progress, ct).ConfigureAwait(false);
            return result.Spectra;
        };
    }

    private ScanClient Client()
    {
        if (_client is { } c) return c;
        var system = services.GetRequiredService<ActorSystem>();
        var registry = services.GetRequiredService<ActorRegistry>();
        return _client = new ScanClient(system, registry.Get<ExperimentRegion>(), registry.Get<ScanRegion>(), options);
    }
}
