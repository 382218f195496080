namespace XcsCt.Domain.Xct;

/// <summary>
/// Size of an XCT volume in voxels, in memory order (z, y, x): <see cref="Depth"/> slices of
/// <see cref="Height"/> rows of <see cref="Width"/> voxels (ANALYSIS section 7). Index of voxel
/// (z, y, x) is <c>(z * Height + y) * Width + x</c>. The slice axis z is the rotation axis of the
/// XCT scan, normal to the XCS sheet beam.
/// </summary>
public readonly record struct VolumeShape
{
    public VolumeShape(int depth, int height, int width)
    {
        if (depth <= 0 || height <= 0 || width <= 0)
            throw new InputException($"volume shape {depth} x {height} x {width} (z, y, x) is not valid: every size must be positive");
        Depth = depth;
        Height = height;
        Width = width;
    }

    /// <summary>Number of slices (z).</summary>
    public int Depth { get; }

    /// <summary>Rows per slice (y).</summary>
    public int Height { get; }

    /// <summary>Voxels per row (x).</summary>
    public int Width { get; }

    /// <summary>Voxels in one slice.</summary>
    public int SliceVoxels => checked(Height * Width);

    /// <summary>Voxels in the whole volume (may exceed what fits in one array).</summary>
    public long Voxels => (long)Depth * Height * Width;

    /// <summary>The same slices, <paramref name="depth"/> of them (a z-slab).</summary>
    public VolumeShape WithDepth(int depth) => new(depth, Height, Width);

    /// <summary>Flat index of voxel (z, y, x) in an array of this shape.</summary>
    public long Index(int z, int y, int x) => ((long)z * Height + y) * Width + x;

    public override string ToString() => $"{Depth} x {Height} x {Width} (z, y, x)";
}
