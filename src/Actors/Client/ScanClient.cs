using Akka.Actor;
using XcsCt.Actors.Hosting;
using XcsCt.Domain;
using XcsCt.Domain.Pipeline;
using XcsCt.Domain.Spectra;
using XcsCt.Messages.Experiments;
using XcsCt.Messages.Scans;

namespace XcsCt.Actors.Client;

/// <summary>
/// A scan run through the cluster: its spectra, and how much of it was already durable when it
/// was (re)submitted (<c>BatchesResumed</c>) or computed again after a loss (<c>BatchesRecomputed</c>).
/// </summary>
public sealed record ClusterScanResult(PixelSpectra Spectra, int BatchesTotal, int BatchesResumed, int BatchesRecomputed, string ResultDirectory);

/// <summary>
/// What the CLI and the HTTP API call: submit scans and experiments to the cluster and wait for
/// them. Submission is idempotent: the same experiment, scan and job resumes the stored run.
/// </summary>
public sealed class ScanClient(ActorSystem system, IActorRef experiments, IActorRef scans, XcsClusterOptions options)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Submits <paramref name="job"/> (or resumes it) and waits until it completes; throws <see cref="InputException"/> with the scan's reason when it fails or is rejected.</summary>
    public async Task<ClusterScanResult> RunAsync(ScanJob job, IProgress<ScanProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var status = await SubmitAsync(job, cancellationToken);
        var final = await WaitAsync(job.Experiment, job.Scan, status.Generation, progress, cancellationToken);
        if (final.Phase == ScanPhase.Failed)
            throw new InputException($"scan {job.Experiment}/{job.Scan} failed: {final.FailureReason}");
        var spectra = ScanResultReader.Read(final.ResultDirectory!, final.Plan!, job.Corrections.Axis.BinWidthKeV);
        return new ClusterScanResult(spectra, final.BatchesTotal, final.BatchesResumed, final.BatchesRecomputed, final.ResultDirectory!);
    }

    /// <summary>Writes the job file, registers the scan with its experiment, starts it; returns its status (generation to wait for).</summary>
    public async Task<ScanReplies.ScanStatus> SubmitAsync(ScanJob job, CancellationToken cancellationToken = default)
    {
        var jobRef = JobFile.Write(job, options.JobDirectory);
        var reply = await experiments.Ask<object>(new ExperimentCommands.SubmitScan(job.Experiment, job.Scan, jobRef), AskTimeout, cancellationToken);
        if (reply is ExperimentReplies.ExperimentRejected rejected) throw new InputException(rejected.Reason);
        var started = await scans.Ask<object>(new ScanCommands.StartScan(job.Experiment, job.Scan, jobRef), AskTimeout, cancellationToken);
        return started switch
        {
            ScanReplies.ScanStatus s => s,
            ScanReplies.ScanRejected r => throw new InputException($"scan {job.Experiment}/{job.Scan}: {r.Reason}"),
            _ => throw new InvalidOperationException($"unexpected reply {started.GetType().Name}"),
        };
    }

    /// <summary>Registers an experiment's manifest (scans and series) and starts its scans; a bad manifest throws <see cref="InputException"/> and persists nothing.</summary>
    public async Task<string[]> SubmitExperimentAsync(string experimentId, IReadOnlyList<ScanJob> jobs, IReadOnlyList<SeriesEntry> series, CancellationToken cancellationToken = default)
    {
        var entries = jobs.Select(j => new ScanEntry(j.Scan, JobFile.Write(j, options.JobDirectory))).ToArray();
        var reply = await experiments.Ask<object>(new ExperimentCommands.RegisterExperiment(experimentId, entries, series.ToArray()), AskTimeout, cancellationToken);
        return reply switch
        {
            ExperimentReplies.ExperimentAccepted a => a.ScansStarted,
            ExperimentReplies.ExperimentRejected r => throw new InputException(r.Reason),
            _ => throw new InvalidOperationException($"unexpected reply {reply.GetType().Name}"),
        };
    }

    public Task<ExperimentReplies.ExperimentStatus> GetExperimentStatusAsync(string experimentId, CancellationToken cancellationToken = default) =>
        experiments.Ask<ExperimentReplies.ExperimentStatus>(new ExperimentQueries.GetExperimentStatus(experimentId), AskTimeout, cancellationToken);

    public Task<ScanReplies.ScanStatus> GetScanStatusAsync(string experimentId, string scanId, CancellationToken cancellationToken = default) =>
        scans.Ask<ScanReplies.ScanStatus>(new ScanQueries.GetScanStatus(experimentId, scanId), AskTimeout, cancellationToken);

    /// <summary>Waits for generation <paramref name="generation"/> (or later) of the scan to complete or fail, reporting progress.</summary>
    public async Task<ScanReplies.ScanStatus> WaitAsync(string experimentId, string scanId, int generation, IProgress<ScanProgress>? progress, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<ScanReplies.ScanStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = system.ActorOf(Props.Create(() => new ScanWatcher(scans, experimentId, scanId, generation, progress, done)));
        try
        {
            return await done.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            watcher.Tell(PoisonPill.Instance);
        }
    }
}
