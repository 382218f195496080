using System.Security.Cryptography;
using System.Text;
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
/// Frames processed by the cluster's sharded scans and tiles. Every job (scan or reference run) of
/// a submission is its own cluster experiment, <c>&lt;id&gt;.r&lt;run&gt;.&lt;job&gt;</c> (hashed when longer than
/// an entity id may be): a replaced manifest never collides with the jobs of the one before, a
/// retry of the same submission resumes what the cluster already holds durably, and each cluster
/// experiment holds one scan (the cluster's experiment entity passivates between scans).
/// </summary>
public sealed class ClusterScanRunners(IServiceProvider services, XcsClusterOptions options) : IScanRunnerSource
{
    private ScanClient? _client;

    public RunnerKind Kind => RunnerKind.Cluster;

    /// <summary>The cluster experiment id of one job of submission <paramref name="run"/> of <paramref name="experimentId"/>.</summary>
    public static string ClusterExperimentId(string experimentId, int run, string job)
    {
        string id = $"{experimentId}.r{run}.{job}";
        return EntityIds.IsValid(id) ? id : "x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..40];
    }

    public string? Check(string experimentId, int run) => null;

    public SpectraRunner For(string experimentId, int run) => For(experimentId, run, (_, _) => { });

    public SpectraRunner For(string experimentId, int run, Action<string, JobAccounting> accounted) => async (job, progress, ct) =>
    {
        var result = await Client().RunAsync(job with { Experiment = ClusterExperimentId(experimentId, run, job.Scan) }, progress, ct).ConfigureAwait(false);
        accounted(job.Scan, new JobAccounting(result.BatchesTotal, result.BatchesResumed, result.BatchesRecomputed));
        return result.Spectra;
    };

    private ScanClient Client()
    {
        if (_client is { } c) return c;
        var system = services.GetRequiredService<ActorSystem>();
        var registry = services.GetRequiredService<ActorRegistry>();
        return _client = new ScanClient(system, registry.Get<ExperimentRegion>(), registry.Get<ScanRegion>(), options);
    }
}
