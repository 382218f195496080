using XcsCt.Domain.Pipeline;

namespace XcsCt.Host.Serve;

/// <summary>
/// What the HTTP API asks of a node: accept manifests, run them, report where they stand, cancel
/// and retry. Refusals are <see cref="ApiException"/>s carrying the HTTP status.
/// </summary>
public interface IExperimentService
{
    /// <summary>
    /// Validates a manifest (strict, paths inside the data roots) and queues the experiment it
    /// describes. 400 for an invalid manifest, 409 when the id exists and <paramref name="replace"/> is false.
    /// </summary>
    /// <param name="manifest">Manifest text, YAML or JSON.</param>
    /// <param name="baseDirectory">Absolute directory the manifest's relative paths resolve against; null: the first data root.</param>
    /// <param name="replace">Replace an existing experiment of the same id (cancelling it first when it runs).</param>
    Task<ExperimentView> SubmitAsync(string manifest, string? baseDirectory, bool replace, CancellationToken cancellationToken);

    /// <summary>Every experiment this node knows, newest first.</summary>
    IReadOnlyList<ExperimentView> List();

    /// <summary>One experiment; 404 when unknown.</summary>
    ExperimentView Get(string id);

    /// <summary>Cancels a queued or running experiment, keeping the scans already written; 404 when unknown, 409 when it completed.</summary>
    Task<ExperimentView> CancelAsync(string id);

    /// <summary>Runs a stopped experiment again from its failed or cancelled scan; 404 when unknown, 409 when it is not stopped there.</summary>
    ExperimentView RetryScan(string id, string scan);

    /// <summary>The experiment's output directory (<c>OUT/&lt;id&gt;</c>); 404 when the experiment is unknown.</summary>
    string OutputDirectory(string id);

    /// <summary>Experiments waiting in this node's queue.</summary>
    int QueueDepth { get; }
}

/// <summary>Gives the <see cref="SpectraRunner"/> an experiment's jobs run on.</summary>
public interface IScanRunnerSource
{
    RunnerKind Kind { get; }

    /// <summary>Why <paramref name="experimentId"/> cannot run here at submission <paramref name="run"/>, or null.</summary>
    string? Check(string experimentId, int run);

    SpectraRunner For(string experimentId, int run);

    /// <summary>As <see cref="For(string, int)"/>; a runner that keeps accounts reports, after each job, how its batches were counted.</summary>
    SpectraRunner For(string experimentId, int run, Action<string, JobAccounting> accounted) => For(experimentId, run);
}

/// <summary>
/// How a job's batches were counted by the cluster: already durable when it was (re)submitted,
/// and computed again after a loss (a node killed, a tile restarted from its snapshot).
/// </summary>
public sealed record JobAccounting(int BatchesTotal, int BatchesResumed, int BatchesRecomputed);
