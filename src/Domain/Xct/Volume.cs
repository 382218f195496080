using System.Numerics;
using System.Runtime.InteropServices;

namespace XcsCt.Domain.Xct;

/// <summary>
/// A whole XCT volume in memory, voxels in (z, y, x) order. For volumes larger than memory read
/// slabs through an <see cref="IVolumeSource"/> instead.
/// </summary>
/// <typeparam name="T">Voxel type (byte, ushort, int, float, ...).</typeparam>
public sealed class Volume<T> : IVolumeSource where T : unmanaged, INumber<T>
{
    /// <summary>A volume of zeros.</summary>
    public Volume(VolumeShape shape) : this(shape, new T[CheckedLength(shape)], "in-memory volume")
    {
    }

    /// <summary>Wraps <paramref name="data"/> (not copied), which must hold exactly <see cref="VolumeShape.Voxels"/> voxels.</summary>
    public Volume(VolumeShape shape, T[] data, string name = "in-memory volume")
    {
        if (data.LongLength != shape.Voxels)
            throw new InputException($"{name}: shape {shape} needs {shape.Voxels} voxels, found {data.LongLength}");
        Shape = shape;
        Data = data;
        Name = name;
    }

    public VolumeShape Shape { get; }

    /// <summary>Voxels, index <c>(z * Height + y) * Width + x</c>.</summary>
    public T[] Data { get; }

    public string Name { get; }

    public VoxelType Type => VoxelTypes.Of<T>();

    public T this[int z, int y, int x]
    {
        get => Data[Shape.Index(z, y, x)];
        set => Data[Shape.Index(z, y, x)] = value;
    }

    /// <summary>The voxels of slice <paramref name="z"/>.</summary>
    public Span<T> Slice(int z) => Data.AsSpan(z * Shape.SliceVoxels, Shape.SliceVoxels);

    /// <summary>Slices <paramref name="firstSlice"/> .. + <paramref name="count"/> - 1.</summary>
    public Span<T> Slab(int firstSlice, int count) => Data.AsSpan(firstSlice * Shape.SliceVoxels, count * Shape.SliceVoxels);

    /// <summary>Reads a whole volume from <paramref name="source"/>, converting to <typeparamref name="T"/>.</summary>
    public static Volume<T> ReadAll(IVolumeSource source)
    {
        var volume = new Volume<T>(source.Shape, new T[CheckedLength(source.Shape, source.Name)], source.Name);
        source.ReadSlices<T>(0, volume.Data);
        return volume;
    }

    public void ReadSlices<TOut>(int firstSlice, Span<TOut> destination) where TOut : unmanaged, INumber<TOut>
    {
        int count = VolumeSourceChecks.SliceCount(this, firstSlice, destination.Length);
        VoxelTypes.Convert<T, TOut>(Slab(firstSlice, count), destination);
    }

    public void Dispose()
    {
    }

    internal static int CheckedLength(VolumeShape shape, string name = "volume")
    {
        if (shape.Voxels > Array.MaxLength)
            throw new InputException($"{name}: {shape} is {shape.Voxels} voxels, more than one in-memory volume can hold ({Array.MaxLength}); process it in z-slabs");
        return (int)shape.Voxels;
    }

    /// <summary>The voxels as bytes (for writers).</summary>
    internal ReadOnlySpan<byte> Bytes => MemoryMarshal.AsBytes(Data.AsSpan());
}

/// <summary>
/// A label volume: 0 is background, 1..n name connected components or phases (ANALYSIS section 7:
/// "label volumes (integers) are masks already").
/// </summary>
public sealed class LabelVolume : IVolumeSource
{
    public LabelVolume(VolumeShape shape, int[] labels, string name = "label volume")
    {
        Voxels = new Volume<int>(shape, labels, name);
    }

    public LabelVolume(Volume<int> voxels) => Voxels = voxels;

    /// <summary>The labels as a volume of int.</summary>
    public Volume<int> Voxels { get; }

    public int[] Labels => Voxels.Data;

    public VolumeShape Shape => Voxels.Shape;

    public string Name => Voxels.Name;

    public VoxelType Type => VoxelType.Int32;

    public int this[int z, int y, int x] => Voxels[z, y, x];

    /// <summary>Reads a label volume; the source must store integers.</summary>
    public static LabelVolume Read(IVolumeSource source)
    {
        if (!source.Type.IsInteger())
            throw new InputException($"{source.Name}: a label volume must hold integers, found {source.Type.Name()}");
        return new LabelVolume(Volume<int>.ReadAll(source));
    }

    public void ReadSlices<T>(int firstSlice, Span<T> destination) where T : unmanaged, INumber<T> =>
        Voxels.ReadSlices(firstSlice, destination);

    public void Dispose()
    {
    }
}
