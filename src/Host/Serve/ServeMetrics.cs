using System.Diagnostics.Metrics;

namespace XcsCt.Host.Serve;

/// <summary>
/// The node's instruments, exported at <c>/metrics</c> in Prometheus format: rates come from the
/// counters (<c>rate(xcsct_frames_processed_total[1m])</c> is frames/s), levels from the gauges.
/// </summary>
public sealed class ServeMetrics : IDisposable
{
    public const string MeterName = "XcsCt.Serve";

    private readonly Meter _meter;
    private readonly Counter<long> _frames;
    private readonly Counter<long> _events;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _workerBatches;
    private readonly Counter<long> _workerFrames;
    private readonly Histogram<double> _journalWrite;
    private long _workerBatchesTotal;
    private long _workerFramesTotal;
    private Func<long> _batchesInFlight = () => 0;
    private Func<int> _queueDepth = () => 0;
    private Func<int> _running = () => 0;

    public ServeMetrics(IMeterFactory factory)
    {
        _meter = factory.Create(MeterName);
        _frames = _meter.CreateCounter<long>("xcsct_frames_processed", description: "Frames counted into spectra by experiments of this node.");
        _events = _meter.CreateCounter<long>("xcsct_events_processed", description: "Detector events above threshold found in those frames (kept, merged or discarded by charge-sharing correction).");
        _batches = _meter.CreateCounter<long>("xcsct_batches_done", description: "Frame batches durably counted for experiments of this node.");
        _workerBatches = _meter.CreateCounter<long>("xcsct_worker_batches_computed",
            description: "Frame batches this node's workers computed, for the experiments of any node (a batch computed again after a loss counts again).");
        _workerFrames = _meter.CreateCounter<long>("xcsct_worker_frames_computed",
            description: "Frames in the batches this node's workers computed.");
        _journalWrite = _meter.CreateHistogram("xcsct_journal_write_seconds", unit: "s",
            description: "Time for one journal write (a probe event persisted and confirmed).", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _meter.CreateObservableGauge("xcsct_batches_in_flight", () => _batchesInFlight(),
            description: "Frame batches planned but not yet counted for the jobs running on this node.");
        _meter.CreateObservableGauge("xcsct_queue_depth", () => _queueDepth(),
            description: "Experiments accepted by this node and waiting to start.");
        _meter.CreateObservableGauge("xcsct_experiments_running", () => _running(),
            description: "Experiments this node is running now.");
    }

    public void Frames(long frames) { if (frames > 0) _frames.Add(frames); }

    public void Events(long events) { if (events > 0) _events.Add(events); }

    public void Batches(long batches) { if (batches > 0) _batches.Add(batches); }

    /// <summary>This node's workers computed a batch of <paramref name="frames"/> frames.</summary>
    public void WorkerBatch(long frames)
    {
        _workerBatches.Add(1);
        _workerFrames.Add(frames);
        Interlocked.Increment(ref _workerBatchesTotal);
        Interlocked.Add(ref _workerFramesTotal, frames);
    }

    /// <summary>Batches this node's workers computed since it started.</summary>
    public long WorkerBatchesTotal => Interlocked.Read(ref _workerBatchesTotal);

    /// <summary>Frames in those batches.</summary>
    public long WorkerFramesTotal => Interlocked.Read(ref _workerFramesTotal);

    public void JournalWrite(TimeSpan elapsed) => _journalWrite.Record(elapsed.TotalSeconds);

    /// <summary>Connects the gauges to the service that knows the levels.</summary>
    public void Observe(Func<long> batchesInFlight, Func<int> queueDepth, Func<int> running)
    {
        (_batchesInFlight, _queueDepth, _running) = (batchesInFlight, queueDepth, running);
    }

    public void Dispose() => _meter.Dispose();
}
