using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using XcsCt.Domain;
using XcsCt.Domain.Formats;
using XcsCt.Domain.Pipeline;

namespace XcsCt.Host.Serve;

/// <summary>
/// Runs the experiments submitted to this node: a queue served by
/// <see cref="ServeOptions.ConcurrentExperiments"/> workers, each running
/// <see cref="ExperimentRunner"/> on the configured <see cref="IScanRunnerSource"/>. Every state change
/// (and progress, at most every <see cref="ProgressSaveInterval"/>) is written to
/// <c>DATA/experiments/&lt;id&gt;/record.json</c>; a restarted node shows what it ran and queues again
/// what it was running.
/// </summary>
public sealed class ExperimentService : IExperimentService, IHostedService, IDisposable
{
    public static readonly TimeSpan ProgressSaveInterval = TimeSpan.FromSeconds(2);
    private const string RecordName = "record.json";
    private const string ManifestName = "manifest.txt";

    private readonly ServeOptions _options;
    private readonly IScanRunnerSource _runners;
    private readonly ServeMetrics _metrics;
    private readonly ILogger<ExperimentService> _log;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>();
    private readonly SemaphoreSlim _submitGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly DataRoots _roots;
    private Task[] _workers = [];
    private int _queued;

    public ExperimentService(ServeOptions options, IScanRunnerSource runners, ServeMetrics metrics, ILogger<ExperimentService> log)
    {
        (_options, _runners, _metrics, _log) = (options, runners, metrics, log);
        _roots = new DataRoots(options.ResolvedDataRoots);
        NodeName = $"{Environment.MachineName}:{options.HttpUri.Port}";
        metrics.Observe(BatchesInFlight, () => Volatile.Read(ref _queued),
            () => _entries.Values.Count(e => e.View.State == ExperimentState.Running));
    }

    /// <summary>Host name and HTTP port: the owner written into records.</summary>
    public string NodeName { get; }

    public int QueueDepth => Volatile.Read(ref _queued);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_options.RecordDirectory);
        foreach (var dir in Directory.EnumerateDirectories(_options.RecordDirectory))
        {
            var entry = Load(dir);
            if (entry is null) continue;
            _entries[entry.View.Id] = entry;
            if (entry.View.Node == NodeName && entry.View.State is ExperimentState.Queued or ExperimentState.Running)
            {
                entry.View = Requeued(entry.View);
                Save(entry);
                Enqueue(entry);
                _log.LogInformation("experiment {Id}: interrupted by a restart, queued again", entry.View.Id);
            }
        }
        _workers = Enumerable.Range(0, _options.ConcurrentExperiments).Select(_ => Task.Run(WorkAsync)).ToArray();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        try { await Task.WhenAll(_workers).WaitAsync(cancellationToken); }
        catch (OperationCanceledException) { _log.LogWarning("experiments still stopping when the host gave up waiting"); }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _submitGate.Dispose();
    }

    public async Task<ExperimentView> SubmitAsync(string manifest, string? baseDirectory, bool replace, CancellationToken cancellationToken)
    {
        string baseDir = BaseDirectory(baseDirectory);
        ExperimentPlan plan;
        try
        {
            plan = Plan(manifest, baseDir);
        }
        catch (InputException e)
        {
            throw ApiException.BadRequest(e);
        }

        await _submitGate.WaitAsync(cancellationToken);
        try
        {
            string id = plan.Experiment;
            _entries.TryGetValue(id, out var old);
            if (old is not null && !replace)
                throw ApiException.Conflict($"experiment {id} already exists ({old.View.State.ToString().ToLowerInvariant()}); submit with replace to run the new manifest instead");
            int run = (old?.View.Run ?? 0) + 1;
            if (_runners.Check(id, run) is { } problem) throw new ApiException(400, problem);
            if (old is not null) await StopForReplaceAsync(old);

            var entry = new Entry(manifest, new ExperimentView(id, run, ExperimentState.Queued, NodeName, baseDir,
                DateTimeOffset.UtcNow, null, null, null, null, false,
                plan.Scans.Select(s => new ScanStatusView(s.Id, s.TimeS, s.ZUm, ScanState.Pending, 0, 0, 0, 0, null)).ToArray()));
            _entries[id] = entry;
            Directory.CreateDirectory(RecordDir(id));
            WriteText(Path.Combine(RecordDir(id), ManifestName), manifest);
            Save(entry);
            Enqueue(entry);
            _log.LogInformation("experiment {Id} (run {Run}): {Scans} scans queued", id, run, plan.Scans.Count);
            return entry.View;
        }
        finally
        {
            _submitGate.Release();
        }
    }

    public IReadOnlyList<ExperimentView> List() =>
        _entries.Values.Select(e => e.View).OrderByDescending(v => v.SubmittedAt).ThenBy(v => v.Id, StringComparer.Ordinal).ToArray();

    public ExperimentView Get(string id) => Find(id).View;

    public string OutputDirectory(string id) => Path.Combine(_options.FullOutputDirectory, Find(id).View.Id);

    public async Task<ExperimentView> CancelAsync(string id)
    {
        var entry = Find(id);
        Task idle;
        lock (entry.Gate)
        {
            switch (entry.View.State)
            {
                case ExperimentState.Completed:
                    throw ApiException.Conflict($"experiment {id} has completed: nothing to cancel");
                case ExperimentState.Failed or ExperimentState.Cancelled:
                    return entry.View;
                case ExperimentState.Queued:
                    entry.View = Stopped(entry.View, ExperimentState.Cancelled, null);
                    entry.Cancelled = true;
                    Save(entry);
                    return entry.View;
            }
            entry.Cancelled = true;
            entry.Cts?.Cancel();
            idle = entry.Idle.Task;
        }
        // Wait briefly so the answer usually shows the final state; the cancellation goes on regardless.
        await Task.WhenAny(idle, Task.Delay(TimeSpan.FromSeconds(10)));
        return entry.View;
    }

    public ExperimentView RetryScan(string id, string scan)
    {
        var entry = Find(id);
        lock (entry.Gate)
        {
            var view = entry.View;
            var target = view.Scans.FirstOrDefault(s => s.Id == scan)
                ?? throw ApiException.NotFound($"experiment {id} has no scan '{scan}'");
            if (!view.IsFinished)
                throw ApiException.Conflict($"experiment {id} is {view.State.ToString().ToLowerInvariant()}: retry a scan once it has stopped");
            if (target.State is not (ScanState.Failed or ScanState.Cancelled))
                throw ApiException.Conflict($"scan {id}/{scan} is {target.State.ToString().ToLowerInvariant()}: only a failed or cancelled scan can be retried");
            entry.View = Requeued(view);
            entry.Cancelled = false;
            Save(entry);
            Enqueue(entry);
            return entry.View;
        }
    }

    private Entry Find(string id) =>
        ManifestReader.IsValidId(id) && _entries.TryGetValue(id, out var e) ? e : throw ApiException.NotFound($"no experiment '{id}'");

    private string BaseDirectory(string? requested)
    {
        if (string.IsNullOrEmpty(requested)) return _roots.Roots[0];
        if (!Path.IsPathFullyQualified(requested))
            throw new ApiException(400, $"base directory '{requested}' must be an absolute path");
        if (!_roots.Contains(requested, out string real))
            throw new ApiException(400, $"base directory {requested} resolves to {real}, outside the data roots");
        if (!Directory.Exists(real)) throw new ApiException(400, $"base directory {requested}: not a directory");
        return real;
    }

    private ExperimentPlan Plan(string manifest, string baseDir)
    {
        try
        {
            var plan = ManifestPlan.From(ManifestReader.Parse(manifest, baseDir, "request body", _roots.Roots));
            return _options.BatchFrames is { } frames ? plan with { BatchFrames = frames } : plan;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"manifest: a file it names cannot be read: {e.Message}", e);
        }
    }

    private async Task StopForReplaceAsync(Entry old)
    {
        Task idle;
        lock (old.Gate)
        {
            old.Cancelled = true;
            old.Cts?.Cancel();
            idle = old.Idle.Task;
        }
        if (await Task.WhenAny(idle, Task.Delay(TimeSpan.FromSeconds(60))) != idle)
            throw ApiException.Conflict($"experiment {old.View.Id} is still stopping; try the replace again shortly");
    }

    private void Enqueue(Entry entry)
    {
        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(entry)) Interlocked.Decrement(ref _queued);
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var entry in _queue.Reader.ReadAllAsync(_stopping.Token))
            {
                Interlocked.Decrement(ref _queued);
                await RunAsync(entry);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested) { }
    }

    private async Task RunAsync(Entry entry)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        lock (entry.Gate)
        {
            if (entry.View.State != ExperimentState.Queued || entry.Cancelled || !IsCurrent(entry)) return;
            entry.View = entry.View with { State = ExperimentState.Running, StartedAt = DateTimeOffset.UtcNow, FinishedAt = null, Error = null };
            entry.Cts = cts;
            entry.Idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Save(entry);
        }
        var id = entry.View.Id;
        try
        {
            var plan = Plan(entry.Manifest, entry.View.BaseDirectory);
            var inner = _runners.For(id, entry.View.Run, (job, a) =>
            {
                if (a.BatchesResumed > 0 || a.BatchesRecomputed > 0)
                    _log.LogInformation("experiment {Id} {Job}: {Resumed} of {Total} batches already durable, {Recomputed} computed again after a loss",
                        id, job, a.BatchesResumed, a.BatchesTotal, a.BatchesRecomputed);
                Update(entry, v => v with
                {
                    Scans = v.Scans.Select(s => s.Id == job ? s with { BatchesResumed = a.BatchesResumed, BatchesRecomputed = a.BatchesRecomputed } : s).ToArray(),
                }, force: false);
            });
            SpectraRunner runner = async (job, progress, ct) =>
            {
                var spectra = await inner(job, progress, ct).ConfigureAwait(false);
                _metrics.Events(spectra.Events.In - spectra.Events.BelowThreshold);
                return spectra;
            };
            await ExperimentRunner.RunAsync(plan, _options.FullOutputDirectory, runner, new Observer(this, entry), cts.Token);
            Update(entry, v => v with
            {
                State = ExperimentState.Completed, FinishedAt = DateTimeOffset.UtcNow, CurrentJob = null, SeriesWritten = true,
            }, force: true);
            _log.LogInformation("experiment {Id}: completed", id);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            if (entry.Cancelled)
            {
                Update(entry, v => Stopped(v, ExperimentState.Cancelled, null), force: true);
                _log.LogInformation("experiment {Id}: cancelled", id);
            }
            else
            {
                // The node is stopping: the record stays queued, and the next start runs it again.
                Update(entry, Requeued, force: true);
            }
        }
        catch (Exception e)
        {
            string reason = e is InputException or AnalysisException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            Update(entry, v => Stopped(v, ExperimentState.Failed, reason), force: true);
            _log.LogWarning("experiment {Id}: failed at {Job}: {Reason}", id, entry.View.CurrentJob, reason);
        }
        finally
        {
            lock (entry.Gate)
            {
                entry.Cts = null;
                entry.Progress = default;
                entry.Idle.TrySetResult();
            }
        }
    }

    /// <summary>The experiment stopped (failed or cancelled): the running scan takes the reason, pending ones are cancelled.</summary>
    private static ExperimentView Stopped(ExperimentView v, ExperimentState state, string? reason)
    {
        var scans = v.Scans.Select(s => s.State switch
        {
            ScanState.Running when state == ExperimentState.Failed => s with { State = ScanState.Failed, Error = reason },
            ScanState.Running or ScanState.Pending => s with { State = ScanState.Cancelled },
            _ => s,
        }).ToArray();
        string? error = reason is null ? null : v.CurrentJob is { } job ? $"{job}: {reason}" : reason;
        return v with { State = state, FinishedAt = DateTimeOffset.UtcNow, Error = error, Scans = scans };
    }

    /// <summary>Queued again: scans not written go back to pending.</summary>
    private static ExperimentView Requeued(ExperimentView v) => v with
    {
        State = ExperimentState.Queued, Error = null, FinishedAt = null, CurrentJob = null,
        Scans = v.Scans.Select(s => s.State == ScanState.Done ? s : s with { State = ScanState.Pending, Error = null, FramesDone = 0, BatchesDone = 0 }).ToArray(),
    };

    private long BatchesInFlight()
    {
        long n = 0;
        foreach (var e in _entries.Values)
        {
            var p = e.Progress;
            if (e.View.State == ExperimentState.Running) n += Math.Max(0, p.BatchesTotal - p.BatchesDone);
        }
        return n;
    }

    private void Update(Entry entry, Func<ExperimentView, ExperimentView> change, bool force)
    {
        lock (entry.Gate)
        {
            entry.View = change(entry.View);
            if (force || DateTime.UtcNow - entry.LastSaved >= ProgressSaveInterval) Save(entry);
        }
    }

    private bool IsCurrent(Entry entry) => _entries.TryGetValue(entry.View.Id, out var e) && ReferenceEquals(e, entry);

    private string RecordDir(string id) => Path.Combine(_options.RecordDirectory, id);

    /// <summary>Writes the record (temporary name, then rename); a replaced submission no longer writes.</summary>
    private void Save(Entry entry)
    {
        if (!IsCurrent(entry)) return;
        entry.LastSaved = DateTime.UtcNow;
        try
        {
            Directory.CreateDirectory(RecordDir(entry.View.Id));
            WriteText(Path.Combine(RecordDir(entry.View.Id), RecordName), JsonSerializer.Serialize(entry.View, ApiJson.Options));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogError("experiment {Id}: record not written: {Reason}", entry.View.Id, e.Message);
        }
    }

    private static void WriteText(string path, string text) => AtomicFile.Write(path, temporary => File.WriteAllText(temporary, text));

    private Entry? Load(string dir)
    {
        string record = Path.Combine(dir, RecordName), manifest = Path.Combine(dir, ManifestName);
        try
        {
            var view = JsonSerializer.Deserialize<ExperimentView>(File.ReadAllText(record), ApiJson.Options);
            if (view is null || !ManifestReader.IsValidId(view.Id) || view.Id != Path.GetFileName(dir))
                throw new JsonException("the record does not name this experiment");
            return new Entry(File.ReadAllText(manifest), view);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            _log.LogWarning("experiment record {Dir} skipped: {Reason}", dir, e.Message);
            return null;
        }
    }

    /// <summary>Follows <see cref="ExperimentRunner"/>: which job runs, its frames, which scans are written.</summary>
    private sealed class Observer(ExperimentService service, Entry entry) : IExperimentObserver
    {
        public IProgress<ScanProgress> Starting(string job, string description)
        {
            lock (entry.Gate) entry.Progress = default;
            service.Update(entry, v => v with
            {
                CurrentJob = job,
                Scans = v.Scans.Select(s => s.Id == job ? s with { State = ScanState.Running, Error = null, FramesDone = 0, BatchesDone = 0, BatchesResumed = 0, BatchesRecomputed = 0 } : s).ToArray(),
            }, force: true);
            return new JobProgress(service, entry, job);
        }

        public void Written(ScanOutcome outcome) =>
            service.Update(entry, v => v with
            {
                Scans = v.Scans.Select(s => s.Id == outcome.Scan.Id
                    ? s with { State = ScanState.Done, FramesDone = outcome.Summary.Frames, FramesTotal = Math.Max(s.FramesTotal, outcome.Summary.Frames), Error = null }
                    : s).ToArray(),
            }, force: true);
    }

    /// <summary>Progress of one job: updates the scan's counters and the node's frame and batch counters.</summary>
    private sealed class JobProgress(ExperimentService service, Entry entry, string job) : IProgress<ScanProgress>
    {
        public void Report(ScanProgress p)
        {
            ScanProgress last;
            lock (entry.Gate)
            {
                last = entry.Progress;
                entry.Progress = p;
            }
            service._metrics.Frames(p.FramesDone - last.FramesDone);
            service._metrics.Batches(p.BatchesDone - last.BatchesDone);
            service.Update(entry, v => v with
            {
                Scans = v.Scans.Select(s => s.Id == job && s.State == ScanState.Running
                    ? s with { FramesDone = p.FramesDone, FramesTotal = p.FramesTotal, BatchesDone = p.BatchesDone, BatchesTotal = p.BatchesTotal }
                    : s).ToArray(),
            }, force: false);
        }
    }

    private sealed class Entry(string manifest, ExperimentView view)
    {
        public readonly object Gate = new();
        public string Manifest { get; } = manifest;
        public ExperimentView View { get; set; } = view;
        public CancellationTokenSource? Cts { get; set; }
        public TaskCompletionSource Idle { get; set; } = Completed();
        public bool Cancelled { get; set; }
        public ScanProgress Progress { get; set; }
        public DateTime LastSaved { get; set; }

        private static TaskCompletionSource Completed()
        {
            var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            t.SetResult();
            return t;
        }
    }
}
