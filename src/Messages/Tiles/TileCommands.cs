using MessagePack;
using XcsCt.Domain.Detector;
using XcsCt.Messages.Scans;

namespace XcsCt.Messages.Tiles;

public interface ITileCommand : IWithTileId;

/// <summary>Commands to a tile entity (<c>experiment/scan/tile</c>).</summary>
public static class TileCommands
{
    /// <summary>
    /// One batch's counts for this tile (sparse, tile-local layout), with the batch's frame and
    /// event bookkeeping (the same on every tile of the batch). Applied once per batch index and
    /// generation; duplicates are ignored.
    /// </summary>
    [MessagePackObject]
    public sealed record ApplyPartial(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] int Tile,
        [property: Key(3)] int Generation,
        [property: Key(4)] int Batch,
        [property: Key(5)] long Frames,
        [property: Key(6)] EventCounts Events,
        [property: Key(7)] SparseCounts Counts) : ITileCommand;

    /// <summary>Replies <see cref="ScanCommands"/>' <c>TileReport</c> to the sender.</summary>
    [MessagePackObject]
    public sealed record GetTileStatus(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] int Tile,
        [property: Key(3)] int Generation) : ITileCommand;

    /// <summary>Snapshot now if anything applied is not durable yet (the end of a scan).</summary>
    [MessagePackObject]
    public sealed record CheckpointTile(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] int Tile,
        [property: Key(3)] int Generation) : ITileCommand;

    /// <summary>Write the tile's spectra (<c>Length</c> = tile pixels x bins counts) to <c>Directory</c> (temporary name, then rename); replies <c>TileResultWritten</c> to the scan.</summary>
    [MessagePackObject]
    public sealed record WriteTileResult(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] int Tile,
        [property: Key(3)] int Generation,
        [property: Key(4)] string Directory,
        [property: Key(5)] int Length) : ITileCommand;

    /// <summary>The scan is complete: drop stored state and passivate.</summary>
    [MessagePackObject]
    public sealed record ReleaseTile(
        [property: Key(0)] string ExperimentId,
        [property: Key(1)] string ScanId,
        [property: Key(2)] int Tile,
        [property: Key(3)] int Generation) : ITileCommand;
}

/// <summary>Events persisted by a tile: markers only; spectra live in snapshots.</summary>
public static class TileEvents
{
    public interface ITileEvent : IXcsProtocol;

    /// <summary>The tile began accumulating generation <c>Generation</c> (anything older is dropped).</summary>
    [MessagePackObject]
    public sealed record TileStarted([property: Key(0)] int Generation) : ITileEvent;

    /// <summary>A snapshot with these batches follows at this sequence number.</summary>
    [MessagePackObject]
    public sealed record TileCheckpointed([property: Key(0)] int Generation, [property: Key(1)] BatchSet Applied) : ITileEvent;
}

/// <summary>
/// A tile's durable state: the spectra of its pixels (tile-local layout
/// <c>[(r * tileCols + c) * bins + bin]</c>, sparse), the batches they contain, and those
/// batches' frame and event bookkeeping. Also the format of a tile's result file.
/// </summary>
[MessagePackObject]
public sealed record TileSnapshot(
    [property: Key(0)] int Generation,
    [property: Key(1)] BatchSet Applied,
    [property: Key(2)] long Frames,
    [property: Key(3)] EventCounts Events,
    [property: Key(4)] SparseCounts Counts) : IXcsProtocol;
