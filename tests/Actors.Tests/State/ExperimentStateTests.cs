using XcsCt.Actors.Experiments;
using XcsCt.Messages.Experiments;
using XcsCt.Messages.Scans;
using static XcsCt.Messages.Experiments.ExperimentCommands;
using static XcsCt.Messages.Experiments.ExperimentEvents;

namespace XcsCt.Actors.Tests.State;

public sealed class ExperimentStateTests
{
    private static readonly JobRef JobA = new("/j/a.job", "aaaa");
    private static readonly JobRef JobB = new("/j/b.job", "bbbb");

    private static ExperimentState Fold(ExperimentState s, IEnumerable<IExperimentEvent> events) => events.Aggregate(s, (x, e) => x.Apply(e));

    private static RegisterExperiment Manifest(params string[] scans) =>
        new("e1", scans.Select(s => new ScanEntry(s, JobA)).ToArray(), [new SeriesEntry("t", scans)]);

    [Fact]
    public void A_new_manifest_registers_and_starts_every_scan()
    {
        var (decision, events) = ExperimentState.Empty.Process(Manifest("s1", "s2"));
        Assert.True(decision.Accepted);
        Assert.Equal(["s1", "s2"], decision.ScansToStart);
        var state = Fold(ExperimentState.Empty, events);
        Assert.Equal(2, state.Scans.Count);
        Assert.All(state.Scans, s => Assert.Equal(ScanOutcome.Submitted, s.Outcome));
    }

    [Theory]
    [InlineData("dup")]
    [InlineData("unknown")]
    [InlineData("empty")]
    [InlineData("badid")]
    [InlineData("dupseries")]
    public void A_bad_manifest_is_rejected_before_anything_is_persisted(string defect)
    {
        var command = defect switch
        {
            "dup" => Manifest("s1", "s1"),
            "unknown" => Manifest("s1") with { Series = [new SeriesEntry("t", ["s1", "s9"])] },
            "empty" => new RegisterExperiment("e1", [], []),
            "badid" => Manifest("s/1"),
            _ => Manifest("s1") with { Series = [new SeriesEntry("t", ["s1"]), new SeriesEntry("t", ["s1"])] },
        };
        var (decision, events) = ExperimentState.Empty.Process(command);
        Assert.False(decision.Accepted);
        Assert.Empty(events);
        Assert.Contains(defect switch { "dup" => "more than once", "unknown" => "unknown scan 's9'", "empty" => "no scans", "badid" => "not valid", _ => "series 't' appears" }, decision.Reason);
    }

    [Fact]
    public void The_same_manifest_again_restarts_only_unfinished_scans_and_a_different_one_is_rejected()
    {
        var state = Fold(ExperimentState.Empty, ExperimentState.Empty.Process(Manifest("s1", "s2")).Item2);
        state = Fold(state, state.Process(new RecordScanOutcome("e1", "s1", 1, ScanOutcome.Completed, null, "/r")));
        var (again, events) = state.Process(Manifest("s1", "s2"));
        Assert.True(again.Accepted);
        Assert.Equal(["s2"], again.ScansToStart);
        Assert.Empty(events);
        var (other, none) = state.Process(Manifest("s1", "s3"));
        Assert.False(other.Accepted);
        Assert.Empty(none);
    }

    [Fact]
    public void Submitting_a_scan_adds_resumes_restarts_or_rejects()
    {
        var (added, e1) = ExperimentState.Empty.Process(new SubmitScan("e1", "s1", JobA));
        Assert.True(added.Accepted);
        Assert.IsType<ScanAdded>(Assert.Single(e1));
        var state = Fold(ExperimentState.Empty, e1);

        var (resumed, e2) = state.Process(new SubmitScan("e1", "s1", JobA));
        Assert.True(resumed.Accepted);
        Assert.Empty(e2);

        var (rejected, e3) = state.Process(new SubmitScan("e1", "s1", JobB));
        Assert.False(rejected.Accepted);
        Assert.Empty(e3);

        state = Fold(state, state.Process(new RecordScanOutcome("e1", "s1", 1, ScanOutcome.Failed, "file missing", null)));
        Assert.Equal("file missing", state.Find("s1")!.Reason);
        var (restarted, e4) = state.Process(new SubmitScan("e1", "s1", JobB));
        Assert.True(restarted.Accepted);
        state = Fold(state, e4);
        Assert.Equal(ScanOutcome.Submitted, state.Find("s1")!.Outcome);
        Assert.Equal(JobB, state.Find("s1")!.Job);

        Assert.False(state.Process(new SubmitScan("e1", "bad/id", JobA)).Item1.Accepted);
    }

    [Fact]
    public void Outcomes_are_recorded_once_and_unknown_scans_change_nothing()
    {
        var state = Fold(ExperimentState.Empty, ExperimentState.Empty.Process(Manifest("s1")).Item2);
        var done = new RecordScanOutcome("e1", "s1", 1, ScanOutcome.Completed, null, "/r");
        state = Fold(state, state.Process(done));
        Assert.Equal("/r", state.Find("s1")!.ResultDirectory);
        Assert.Empty(state.Process(done));
        Assert.Empty(state.Process(done with { ScanId = "nope" }));
        Assert.Empty(state.Process(done with { Outcome = ScanOutcome.Submitted }));
    }

    [Fact]
    public void Unknown_events_throw()
    {
        Assert.Throws<ArgumentException>(() => ExperimentState.Empty.Apply(new UnknownEvent()));
        Assert.Throws<ArgumentException>(() => ExperimentState.Empty.Apply(new ScanFailed("s1", "x")));
    }

    private sealed record UnknownEvent : IExperimentEvent;
}
