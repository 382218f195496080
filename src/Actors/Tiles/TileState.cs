using XcsCt.Messages;
using XcsCt.Messages.Tiles;
using static XcsCt.Messages.Tiles.TileEvents;

namespace XcsCt.Actors.Tiles;

/// <summary>What a tile does with a batch's partial.</summary>
public enum PartialDecision
{
    /// <summary>Add it.</summary>
    Apply,
    /// <summary>Already applied in this generation: ignore (a duplicate counts once).</summary>
    Duplicate,
    /// <summary>From an older generation of the scan: ignore.</summary>
    Stale,
    /// <summary>First partial of a newer (or the first) generation: persist <see cref="TileStarted"/>, drop older counts, then add it.</summary>
    Start,
}

/// <summary>
/// A tile's bookkeeping (the counts themselves live in <see cref="TileAccumulator"/>):
/// generation, batches applied in memory, batches durable in the latest snapshot, and how many
/// were applied since. Pure; the journal holds only <see cref="TileStarted"/> (and, written by
/// earlier versions, <see cref="TileCheckpointed"/> markers), and the applied set is restored
/// from snapshots.
/// </summary>
public sealed record TileState(int Generation, bool Started, BatchSet Applied, BatchSet Durable, int SinceCheckpoint)
{
    public static TileState Empty { get; } = new(0, false, BatchSet.Empty, BatchSet.Empty, 0);

    /// <summary>The state a snapshot restores: everything in it is durable.</summary>
    public static TileState FromSnapshot(TileSnapshot snapshot) => new(snapshot.Generation, true, snapshot.Applied, snapshot.Applied, 0);

    public PartialDecision Decide(int generation, int batch) =>
        generation < Generation ? PartialDecision.Stale
        : generation > Generation || !Started ? PartialDecision.Start
        : Applied.Contains(batch) ? PartialDecision.Duplicate
        : PartialDecision.Apply;

    public TileState WithApplied(int batch) => this with { Applied = Applied.Add(batch), SinceCheckpoint = SinceCheckpoint + 1 };

    /// <summary>Applied batches that are not durable yet.</summary>
    public bool HasUndurable => !Applied.Except(Durable).IsEmpty;

    /// <summary>Checkpoint when <paramref name="interval"/> batches were applied since the last one.</summary>
    public bool CheckpointDue(int interval) => SinceCheckpoint >= interval;

    /// <summary>The snapshot holding <paramref name="applied"/> was stored.</summary>
    public TileState Checkpointed(BatchSet applied) => this with
    {
        Durable = Durable.Union(applied),
        SinceCheckpoint = Applied.Except(applied).Count,
    };

    /// <summary>
    /// Replays a journal marker. <see cref="TileCheckpointed"/> changes nothing: only the snapshot
    /// saved after it makes batches durable, and a marker found in replay is one whose snapshot
    /// was not stored.
    /// </summary>
    public TileState Apply(ITileEvent e) => e switch
    {
        TileStarted s => new TileState(s.Generation, true, BatchSet.Empty, BatchSet.Empty, 0),
        TileCheckpointed c when c.Generation == Generation => this,
        TileCheckpointed c => throw new InvalidOperationException($"tile: checkpoint of generation {c.Generation} replayed in generation {Generation}"),
        _ => throw new ArgumentException($"tile: unknown event {e.GetType().Name}"),
    };
}
