using XcsCt.Domain.Detector;
using XcsCt.Messages;
using XcsCt.Messages.Tiles;

namespace XcsCt.Actors.Tiles;

/// <summary>The spectra of one tile's pixels (tile-local layout <c>[(r * tileCols + c) * bins + bin]</c>) with the frame and event bookkeeping of the batches added.</summary>
public sealed class TileAccumulator(int length)
{
    public uint[] Counts { get; private set; } = new uint[length];
    public long Frames { get; private set; }
    public EventCounts Events { get; private set; }

    public void Add(TileCommands.ApplyPartial partial)
    {
        partial.Counts.AddTo(Counts);
        Frames += partial.Frames;
        Events += partial.Events;
    }

    public void Reset()
    {
        Array.Clear(Counts);
        Frames = 0;
        Events = default;
    }

    public void Restore(TileSnapshot snapshot)
    {
        if (snapshot.Counts.Length != Counts.Length)
            throw new InvalidOperationException($"tile snapshot holds {snapshot.Counts.Length} counts, the tile has {Counts.Length}");
        Counts = snapshot.Counts.ToDense();
        Frames = snapshot.Frames;
        Events = snapshot.Events;
    }

    public TileSnapshot ToSnapshot(int generation, BatchSet applied) =>
        new(generation, applied, Frames, Events, SparseCounts.Encode(Counts));
}
