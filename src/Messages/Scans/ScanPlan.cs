using MessagePack;
using XcsCt.Domain.Pipeline;

namespace XcsCt.Messages.Scans;

/// <summary>
/// A reference to a scan's job (<see cref="ScanJob"/>: files, corrections, batch size) written
/// once to shared storage: messages and events carry the path and its content hash, never the
/// per-pixel maps.
/// </summary>
/// <param name="Path">Job file on shared storage.</param>
/// <param name="Hash">SHA-256 of the file's content, lower-case hex: equal hashes mean the same job.</param>
[MessagePackObject]
public sealed record JobRef([property: Key(0)] string Path, [property: Key(1)] string Hash);

/// <summary>
/// The durable plan of a scan: detector and histogram size, how the detector is cut into tiles,
/// and how the frames are cut into batches (the same rule as <see cref="ScanJob.Plan"/>).
/// </summary>
/// <param name="Rows">Detector rows (pixels).</param>
/// <param name="Cols">Detector columns (pixels).</param>
/// <param name="Bins">Energy bins per pixel.</param>
/// <param name="TileSize">Tile edge in pixels (tiles at the right and bottom edges may be smaller).</param>
/// <param name="BatchFrames">Frames per batch.</param>
/// <param name="FrameCounts">Frames in each input file, in job order.</param>
[MessagePackObject]
public sealed record ScanPlan(
    [property: Key(0)] int Rows,
    [property: Key(1)] int Cols,
    [property: Key(2)] int Bins,
    [property: Key(3)] int TileSize,
    [property: Key(4)] int BatchFrames,
    [property: Key(5)] long[] FrameCounts)
{
    private FrameBatch[]? _batches;

    /// <summary>Copy for <c>with</c>: the cached batch plan is not copied (it depends on the copied values).</summary>
    private ScanPlan(ScanPlan original)
    {
        Rows = original.Rows;
        Cols = original.Cols;
        Bins = original.Bins;
        TileSize = original.TileSize;
        BatchFrames = original.BatchFrames;
        FrameCounts = original.FrameCounts;
    }

    [IgnoreMember]
    public int TilesDown => (Rows + TileSize - 1) / TileSize;

    [IgnoreMember]
    public int TilesAcross => (Cols + TileSize - 1) / TileSize;

    [IgnoreMember]
    public int TileCount => TilesDown * TilesAcross;

    [IgnoreMember]
    public int BatchCount => Batches.Length;

    [IgnoreMember]
    public long TotalFrames => FrameCounts.Sum();

    /// <summary>The batch plan, cut file by file exactly as <see cref="ScanJob.Plan"/> does.</summary>
    [IgnoreMember]
    public FrameBatch[] Batches => _batches ??= Cut();

    /// <summary>Pixel rectangle of tile <paramref name="tile"/> (row-major over the tile grid).</summary>
    public TileRect Tile(int tile)
    {
        if ((uint)tile >= (uint)TileCount)
            throw new ArgumentOutOfRangeException(nameof(tile), $"tile {tile} is outside the {TileCount} tiles of this plan");
        int row = tile / TilesAcross * TileSize;
        int col = tile % TilesAcross * TileSize;
        return new TileRect(row, col, Math.Min(TileSize, Rows - row), Math.Min(TileSize, Cols - col));
    }

    /// <summary>Checks the sizes; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public ScanPlan Validated()
    {
        if (Rows <= 0 || Cols <= 0 || Bins <= 0 || TileSize <= 0 || BatchFrames <= 0)
            throw new ArgumentException($"scan plan {Rows} x {Cols} pixels, {Bins} bins, tile {TileSize}, batch {BatchFrames} frames: all must be positive");
        if (FrameCounts.Any(n => n < 0))
            throw new ArgumentException("scan plan: frame counts must not be negative");
        return this;
    }

    public bool Equals(ScanPlan? other) =>
        other is not null && Rows == other.Rows && Cols == other.Cols && Bins == other.Bins &&
        TileSize == other.TileSize && BatchFrames == other.BatchFrames && FrameCounts.AsSpan().SequenceEqual(other.FrameCounts);

    public override int GetHashCode() => HashCode.Combine(Rows, Cols, Bins, TileSize, BatchFrames, FrameCounts.Length, TotalFrames);

    private FrameBatch[] Cut()
    {
        var plan = new List<FrameBatch>();
        for (int f = 0; f < FrameCounts.Length; f++)
            for (long first = 0; first < FrameCounts[f]; first += BatchFrames)
                plan.Add(new FrameBatch(plan.Count, f, first, (int)Math.Min(BatchFrames, FrameCounts[f] - first)));
        return plan.ToArray();
    }
}
