using Akka.Actor;
using Akka.Event;
using XcsCt.Domain.Pipeline;
using XcsCt.Messages.Scans;

namespace XcsCt.Actors.Client;

/// <summary>
/// Subscribes to a scan (again every second: the scan may move between nodes) and completes
/// <paramref name="done"/> with its first terminal status of the awaited generation.
/// </summary>
internal sealed class ScanWatcher : ReceiveActor, IWithTimers
{
    public ScanWatcher(IActorRef scans, string experimentId, string scanId, int generation,
        IProgress<ScanProgress>? progress, TaskCompletionSource<ScanReplies.ScanStatus> done)
    {
        var subscribe = new ScanCommands.SubscribeScan(experimentId, scanId);
        Receive<Resubscribe>(_ => scans.Tell(subscribe));
        Receive<ScanReplies.ScanStatus>(status =>
        {
            if (status.Generation < generation) return;
            if (status.Plan is { } plan && progress is not null)
            {
                long frames = plan.BatchCount == 0 ? 0 : plan.TotalFrames * status.BatchesDurable / plan.BatchCount;
                progress.Report(new ScanProgress(status.BatchesDurable, status.BatchesTotal, frames, plan.TotalFrames));
            }
            if (status.Phase is ScanPhase.Completed or ScanPhase.Failed) done.TrySetResult(status);
        });
        scans.Tell(subscribe);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Timers.StartPeriodicTimer(Resubscribe.Instance, Resubscribe.Instance, TimeSpan.FromSeconds(1));

    private sealed class Resubscribe : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly Resubscribe Instance = new();
    }
}
