using XcsCt.Actors.Tiles;
using XcsCt.Domain.Detector;
using XcsCt.Messages;
using XcsCt.Messages.Tiles;
using static XcsCt.Messages.Tiles.TileEvents;

namespace XcsCt.Actors.Tests.State;

public sealed class TileStateTests
{
    [Fact]
    public void The_first_partial_starts_the_generation_then_batches_apply_once()
    {
        var s = TileState.Empty;
        Assert.Equal(PartialDecision.Start, s.Decide(1, 0));
        s = s.Apply(new TileStarted(1));
        Assert.Equal(PartialDecision.Apply, s.Decide(1, 0));
        s = s.WithApplied(0);
        Assert.Equal(PartialDecision.Duplicate, s.Decide(1, 0));
        Assert.Equal(PartialDecision.Stale, s.Decide(0, 5));
        Assert.Equal(PartialDecision.Start, s.Decide(2, 0));
        var next = s.Apply(new TileStarted(2));
        Assert.True(next.Applied.IsEmpty);
    }

    [Fact]
    public void Checkpoints_make_batches_durable_only_when_their_snapshot_is_stored()
    {
        var s = TileState.Empty.Apply(new TileStarted(1)).WithApplied(0).WithApplied(1).WithApplied(2);
        Assert.True(s.CheckpointDue(3));
        Assert.False(s.CheckpointDue(4));
        Assert.True(s.HasUndurable);
        var captured = s.Applied;
        s = s.WithApplied(3); // applied while the snapshot was being saved
        Assert.Same(s, s.Apply(new TileCheckpointed(1, captured)));
        s = s.Checkpointed(captured);
        Assert.Equal(BatchSet.Range(0, 3), s.Durable);
        Assert.Equal(1, s.SinceCheckpoint);
        Assert.True(s.HasUndurable);
        Assert.Throws<InvalidOperationException>(() => s.Apply(new TileCheckpointed(9, captured)));
        Assert.Throws<ArgumentException>(() => s.Apply(new UnknownEvent()));
    }

    [Fact]
    public void A_snapshot_restores_applied_as_durable_and_the_accumulator_its_counts()
    {
        var acc = new TileAccumulator(4);
        var events = new EventCounts(10, 5, 2, 2, 1, 0, 1);
        acc.Add(new TileCommands.ApplyPartial("e", "s", 0, 1, 0, 100, events, SparseCounts.Encode([1, 0, 2, 0])));
        acc.Add(new TileCommands.ApplyPartial("e", "s", 0, 1, 1, 50, events, SparseCounts.Encode([0, 0, 3, 0])));
        var snapshot = acc.ToSnapshot(1, BatchSet.Range(0, 2));
        var restored = new TileAccumulator(4);
        restored.Restore(snapshot);
        Assert.Equal(new uint[] { 1, 0, 5, 0 }, restored.Counts);
        Assert.Equal(150, restored.Frames);
        Assert.Equal(events + events, restored.Events);
        var state = TileState.FromSnapshot(snapshot);
        Assert.Equal(PartialDecision.Duplicate, state.Decide(1, 1));
        Assert.False(state.HasUndurable);
        restored.Reset();
        Assert.All(restored.Counts, c => Assert.Equal(0u, c));
        Assert.Throws<InvalidOperationException>(() => new TileAccumulator(3).Restore(snapshot));
    }

    private sealed record UnknownEvent : ITileEvent;
}
