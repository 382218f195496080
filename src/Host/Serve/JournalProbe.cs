using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Persistence;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace XcsCt.Host.Serve;

/// <summary>
/// Measures journal write latency: persists an 8-byte event every interval, records how long the
/// journal took to confirm it, then deletes what it wrote (the journal stays small).
/// </summary>
public sealed class JournalProbe : ReceivePersistentActor, IWithTimers
{
    private readonly ServeMetrics _metrics;
    private readonly TimeSpan _interval;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private readonly JournalHealth _health;

    public JournalProbe(string nodeId, ServeMetrics metrics, JournalHealth health, TimeSpan interval)
    {
        (_metrics, _health, _interval) = (metrics, health, interval);
        PersistenceId = "xcsct-journal-probe-" + nodeId;
        Recover<byte[]>(_ => { });
        Command<Probe>(_ =>
        {
            var clock = Stopwatch.StartNew();
            Persist(BitConverter.GetBytes(DateTime.UtcNow.Ticks), _ =>
            {
                _metrics.JournalWrite(clock.Elapsed);
                _health.Written(clock.Elapsed);
                DeleteMessages(LastSequenceNr);
            });
        });
        Command<DeleteMessagesSuccess>(_ => _log.Debug("journal probe: deleted up to {0}", LastSequenceNr));
        Command<DeleteMessagesFailure>(f => _log.Warning("journal probe: delete failed: {0}", f.Cause.Message));
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void OnReplaySuccess() => Timers.StartPeriodicTimer(Probe.Instance, Probe.Instance, TimeSpan.FromSeconds(1), _interval);

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _health.Failed($"recovery failed: {reason.Message}");
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Warning("journal probe: write failed: {0}", cause.Message);
        _health.Failed($"write failed: {cause.Message}");
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    private sealed class Probe : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly Probe Instance = new();
    }
}

/// <summary>
/// Readiness of the journal from the probe's real writes and the persistence plugins' errors:
/// healthy after a confirmed write, unhealthy after a failed one or while the plugins report
/// that they cannot reach the journal (the reason is the description), degraded before the
/// first write. The ready endpoint answers 503 unless healthy.
/// </summary>
public sealed class JournalHealth : IAkkaHealthCheck
{
    private readonly object _gate = new();
    private string _state = "no journal write confirmed yet";
    private bool _ok;
    private string? _failure;
    private DateTime _failingSince;
    private int _failures;

    public void Written(TimeSpan elapsed)
    {
        lock (_gate)
        {
            _state = $"last probe write confirmed in {elapsed.TotalMilliseconds:F1} ms";
            (_ok, _failure, _failures) = (true, null, 0);
        }
    }

    /// <summary>A journal or snapshot operation failed (the probe's, or a persistence plugin's); both retry by themselves.</summary>
    public void Failed(string reason)
    {
        lock (_gate)
        {
            if (_failure is null) _failingSince = DateTime.UtcNow;
            (_ok, _failure) = (false, reason);
            _failures++;
        }
    }

    /// <summary>What the ready endpoint shows: status and reason.</summary>
    public HealthCheckResult Result()
    {
        lock (_gate)
        {
            if (_failure is not null)
                return HealthCheckResult.Unhealthy(
                    $"journal unavailable since {_failingSince:HH:mm:ss} UTC ({_failures} journal errors so far; the plugins retry, the probe backs off up to 30 s): {_failure}");
            return _ok ? HealthCheckResult.Healthy(_state) : HealthCheckResult.Degraded(_state);
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(AkkaHealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Result());
}

/// <summary>
/// Listens to the node's error log events for those of the journal and snapshot-store plugins
/// (e.g. "Failure during SQL Journal initialization" caused by a refused connection) and hands
/// their cause to <see cref="JournalHealth"/>, so readiness says why the journal is not usable.
/// </summary>
public sealed class JournalErrorListener : ReceiveActor
{
    public JournalErrorListener(JournalHealth health)
    {
        Receive<Error>(e =>
        {
            if (!IsPersistencePlugin(e.LogSource)) return;
            string message = e.Message?.ToString() ?? "";
            health.Failed(e.Cause is { } cause ? $"{message} {AkkaLineLogger.Causes(cause)}" : message);
        });
    }

    /// <summary>True for a log source under the journal or snapshot-store plugins.</summary>
    public static bool IsPersistencePlugin(string? source) =>
        source is not null && (source.Contains("/system/akka.persistence.journal.", StringComparison.Ordinal)
            || source.Contains("/system/akka.persistence.snapshot-store.", StringComparison.Ordinal));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(Error));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}

/// <summary>Registry key of this node's journal probe.</summary>
public sealed class JournalProbeKey;

public static class JournalProbeHosting
{
    /// <summary>Starts the journal probe under a backoff supervisor (a failed write stops the actor; it comes back).</summary>
    public static AkkaConfigurationBuilder AddJournalProbe(this AkkaConfigurationBuilder builder, ServeMetrics metrics, JournalHealth health, TimeSpan interval) =>
        builder.WithHealthCheck("akka-journal", health, tags: [ServeHost.ReadyTag]).WithActors((system, registry) =>
        {
            var self = Akka.Cluster.Cluster.Get(system).SelfAddress;
            string nodeId = $"{self.Host}-{self.Port}";
            var props = Akka.Pattern.BackoffSupervisor.Props(Akka.Pattern.Backoff.OnStop(
                Props.Create(() => new JournalProbe(nodeId, metrics, health, interval)), "probe",
                TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, -1));
            registry.Register<JournalProbeKey>(system.ActorOf(props, "journal-probe"));
            system.ActorOf(Props.Create(() => new JournalErrorListener(health)), "journal-errors");
        });
}
