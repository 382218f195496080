using XcsCt.Actors.Scans;
using XcsCt.Messages;
using XcsCt.Messages.Scans;
using static XcsCt.Messages.Scans.ScanEvents;

namespace XcsCt.Actors.Tests.State;

public sealed class ScanStateTests
{
    private static readonly JobRef JobA = new("/j/a.job", "aaaa");
    private static readonly JobRef JobB = new("/j/b.job", "bbbb");
    private static readonly ScanPlan Plan = new(32, 32, 10, 16, 10, [35]); // 4 batches, 4 tiles

    private static ScanState Fold(ScanState s, IEnumerable<IScanEvent> events) => events.Aggregate(s, (x, e) => x.Apply(e));

    private static ScanState Running()
    {
        var (_, _, accepted) = ScanState.Empty.Start(JobA);
        var s = Fold(ScanState.Empty, accepted);
        return Fold(s, s.Planned(1, Plan));
    }

    [Fact]
    public void A_new_scan_is_accepted_then_planned()
    {
        var (decision, _, events) = ScanState.Empty.Start(JobA);
        Assert.Equal(StartDecision.Fresh, decision);
        var s = Fold(ScanState.Empty, events);
        Assert.Equal((ScanPhase.Planning, 1, JobA), (s.Phase, s.Generation, s.Job));
        Assert.Empty(s.Planned(2, Plan)); // another generation's plan is ignored
        s = Fold(s, s.Planned(1, Plan));
        Assert.Equal(ScanPhase.Running, s.Phase);
        Assert.Equal(4, s.Plan!.BatchCount);
    }

    [Fact]
    public void Starting_again_is_idempotent_for_the_same_job_and_rejected_for_another()
    {
        var s = Running();
        Assert.Equal(StartDecision.AlreadyRunning, s.Start(JobA).Item1);
        var (decision, reason, events) = s.Start(JobB);
        Assert.Equal(StartDecision.Rejected, decision);
        Assert.Contains("different job", reason);
        Assert.Empty(events);
    }

    [Fact]
    public void Durable_batches_complete_once_and_all_of_them_finish_the_scan()
    {
        var s = Running();
        s = Fold(s, s.Durable(BatchSet.Of([0, 1])));
        Assert.Equal(BatchSet.Of([0, 1]), s.Completed);
        var events = s.Durable(BatchSet.Of([0, 1, 2]));
        Assert.Equal(BatchSet.Of([2]), Assert.IsType<BatchesCompleted>(Assert.Single(events)).Batches);
        Assert.Empty(s.Durable(BatchSet.Of([1])));
        s = Fold(s, s.Durable(BatchSet.Range(0, 4)));
        Assert.Equal(ScanPhase.Finishing, s.Phase);
        Assert.Empty(s.Durable(BatchSet.Range(0, 4)));
        Assert.Equal(StartDecision.AlreadyRunning, s.Start(JobA).Item1);
        s = Fold(s, s.ResultsWritten("/r"));
        Assert.Equal((ScanPhase.Completed, "/r"), (s.Phase, s.ResultDirectory));
        Assert.Equal(StartDecision.AlreadyCompleted, s.Start(JobA).Item1);
        Assert.Equal(StartDecision.Rejected, s.Start(JobB).Item1);
        Assert.Empty(s.Fail(1, "late"));
    }

    [Fact]
    public void Results_are_only_written_when_finishing()
    {
        Assert.Empty(Running().ResultsWritten("/r"));
    }

    [Fact]
    public void A_plan_without_frames_goes_straight_to_finishing()
    {
        var s = Fold(ScanState.Empty, ScanState.Empty.Start(JobA).Item3);
        s = Fold(s, s.Planned(1, Plan with { FrameCounts = [0] }));
        Assert.Equal(ScanPhase.Finishing, s.Phase);
    }

    [Fact]
    public void A_failed_scan_keeps_its_reason_and_restarts_as_a_new_generation()
    {
        var s = Running();
        Assert.Empty(s.Fail(7, "other generation"));
        s = Fold(s, s.Fail(1, "frame file /x.h5 is missing"));
        Assert.Equal((ScanPhase.Failed, "frame file /x.h5 is missing"), (s.Phase, s.FailureReason));
        var (decision, _, events) = s.Start(JobB);
        Assert.Equal(StartDecision.Restarted, decision);
        s = Fold(s, events);
        Assert.Equal((ScanPhase.Planning, 2, JobB, (string?)null), (s.Phase, s.Generation, s.Job, s.FailureReason));
        Assert.True(s.Completed.IsEmpty);
    }

    [Fact]
    public void Requeues_are_counted_while_running_only()
    {
        var s = Running();
        s = Fold(s, s.Requeue(3, "node lost"));
        s = Fold(s, s.Requeue(0, "nothing"));
        Assert.Equal(3, s.Requeued);
        Assert.Empty(ScanState.Empty.Requeue(2, "x"));
        Assert.Empty(ScanState.Empty.Durable(BatchSet.Of([1])));
        Assert.Empty(ScanState.Empty.Fail(0, "never started"));
    }

    [Fact]
    public void A_resume_records_how_many_batches_were_already_durable_once()
    {
        var s = Running();
        s = Fold(s, s.Resume(3));
        Assert.Equal(3, s.Resumed);
        Assert.Empty(s.Resume(3));
        Assert.Empty(ScanState.Empty.Resume(2));
    }

    [Fact]
    public void Unknown_events_throw()
    {
        Assert.Throws<ArgumentException>(() => ScanState.Empty.Apply(new UnknownEvent()));
    }

    private sealed record UnknownEvent : IScanEvent;
}
