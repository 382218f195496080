using System.Numerics;

namespace XcsCt.Domain.Xct;

/// <summary>
/// A volume read slice by slice (z-slabs), so volumes larger than memory are processed in constant
/// memory (ANALYSIS section 7; a 2560 x 2560 x 2160 uint16 volume is 28 GB). Implemented by TIFF
/// stacks, HDF5 datasets and in-memory volumes.
/// </summary>
public interface IVolumeSource : IDisposable
{
    /// <summary>What the volume is (file, and dataset path for HDF5), for messages and provenance.</summary>
    string Name { get; }

    /// <summary>Shape in (z, y, x) order after any axis reordering.</summary>
    VolumeShape Shape { get; }

    /// <summary>Storage type of the voxels.</summary>
    VoxelType Type { get; }

    /// <summary>
    /// Reads slices <paramref name="firstSlice"/> .. <paramref name="firstSlice"/> + n - 1 into
    /// <paramref name="destination"/>, whose length n * <see cref="VolumeShape.SliceVoxels"/> sets n,
    /// converting to <typeparamref name="T"/> (saturating).
    /// </summary>
    void ReadSlices<T>(int firstSlice, Span<T> destination) where T : unmanaged, INumber<T>;
}

/// <summary>Argument checks shared by the volume sources.</summary>
internal static class VolumeSourceChecks
{
    /// <summary>Number of whole slices in <paramref name="length"/>; throws when the request does not fit the volume.</summary>
    public static int SliceCount(IVolumeSource source, int firstSlice, int length)
    {
        int sliceVoxels = source.Shape.SliceVoxels;
        if (length % sliceVoxels != 0)
            throw new ArgumentException($"{source.Name}: a buffer of {length} voxels is not a whole number of {source.Shape.Height} x {source.Shape.Width} slices");
        int count = length / sliceVoxels;
        if (firstSlice < 0 || firstSlice + count > source.Shape.Depth)
            throw new ArgumentOutOfRangeException(nameof(firstSlice), $"{source.Name}: slices {firstSlice}..{firstSlice + count - 1} requested, the volume has {source.Shape.Depth}");
        return count;
    }
}
