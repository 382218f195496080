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
/// Readiness of the journal from the probe's real writes: healthy after a confirmed write,
/// unhealthy after a failed one, degraded before the first.
/// </summary>
public sealed class JournalHealth : IAkkaHealthCheck
{
    private volatile string _state = "no journal write yet";
    private volatile bool _ok;
    private volatile bool _failed;

    public void Written(TimeSpan elapsed)
    {
        _state = $"last probe write confirmed in {elapsed.TotalMilliseconds:F1} ms";
        (_ok, _failed) = (true, false);
    }

    public void Failed(string reason)
    {
        _state = reason;
        (_ok, _failed) = (false, true);
    }

    public Task<HealthCheckResult> CheckHealthAsync(AkkaHealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_failed ? HealthCheckResult.Unhealthy(_state) : _ok ? HealthCheckResult.Healthy(_state) : HealthCheckResult.Degraded(_state));
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
        });
}
