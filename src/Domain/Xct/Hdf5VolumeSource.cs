using System.Numerics;
using System.Runtime.InteropServices;
using PureHDF;
using PureHDF.Selections;

namespace XcsCt.Domain.Xct;

/// <summary>
/// A 3-D HDF5 dataset read as a volume, slab by slab through hyperslab selections, with a
/// configurable axis order (<see cref="AxisOrder"/>; Savu/httomo store (X, slice, Y)).
/// </summary>
public sealed class Hdf5VolumeSource : IVolumeSource
{
    private readonly PureHDF.VOL.Native.NativeFile _file;
    private readonly IH5Dataset _dataset;
    private readonly ulong[] _dims;
    private byte[] _buffer = [];

    private Hdf5VolumeSource(PureHDF.VOL.Native.NativeFile file, IH5Dataset dataset, string name, ulong[] dims, AxisOrder order, VoxelType type)
    {
        _file = file;
        _dataset = dataset;
        _dims = dims;
        Name = name;
        Order = order;
        Type = type;
        Shape = order.ShapeOf(dims, name);
    }

    public string Name { get; }

    public VolumeShape Shape { get; }

    public VoxelType Type { get; }

    /// <summary>Axis order of the dataset in the file.</summary>
    public AxisOrder Order { get; }

    /// <summary>
    /// Opens <paramref name="datasetPath"/> in <paramref name="file"/>, or, when it is null, the only
    /// 3-D numeric dataset in the file. Throws <see cref="InputException"/> naming the file and dataset
    /// when it is missing, not numeric, or its rank does not match the axis order.
    /// </summary>
    public static Hdf5VolumeSource Open(string file, string? datasetPath, AxisOrder order)
    {
        if (!File.Exists(file))
            throw new InputException($"HDF5 volume {file}: file not found");
        PureHDF.VOL.Native.NativeFile h5;
        try
        {
            h5 = H5File.OpenRead(file);
        }
        catch (Exception e)
        {
            throw new InputException($"HDF5 volume {file}: not a readable HDF5 file ({e.Message})", e);
        }

        try
        {
            datasetPath ??= FindOnly3D(h5, file);
            IH5Dataset dataset;
            try
            {
                dataset = h5.Dataset(datasetPath);
            }
            catch (Exception e)
            {
                throw new InputException($"HDF5 volume {file}: dataset {datasetPath} not found ({e.Message})", e);
            }
            string name = $"{file}:{datasetPath}";
            var type = TypeOf(dataset.Type, name);
            return new Hdf5VolumeSource(h5, dataset, name, dataset.Space.Dimensions, order, type);
        }
        catch
        {
            h5.Dispose();
            throw;
        }
    }

    /// <summary>Maps an HDF5 numeric type to a voxel type.</summary>
    internal static VoxelType TypeOf(IH5DataType type, string name) => (type.Class, type.Size) switch
    {
        (H5DataTypeClass.FixedPoint, 1) => type.FixedPoint.IsSigned ? VoxelType.Int8 : VoxelType.UInt8,
        (H5DataTypeClass.FixedPoint, 2) => type.FixedPoint.IsSigned ? VoxelType.Int16 : VoxelType.UInt16,
        (H5DataTypeClass.FixedPoint, 4) => type.FixedPoint.IsSigned ? VoxelType.Int32 : VoxelType.UInt32,
        (H5DataTypeClass.FloatingPoint, 4) => VoxelType.Float32,
        (H5DataTypeClass.FloatingPoint, 8) => VoxelType.Float64,
        _ => throw new InputException($"{name}: {type.Class} data of {type.Size} bytes is not a supported voxel type (expected 8/16/32-bit integers or float32/64)"),
    };

    private static string FindOnly3D(IH5Group root, string file)
    {
        var found = new List<string>();
        Collect(root, "", found);
        return found.Count switch
        {
            1 => found[0],
            0 => throw new InputException($"HDF5 volume {file}: no 3-D numeric dataset found; name the dataset"),
            _ => throw new InputException($"HDF5 volume {file}: several 3-D datasets ({string.Join(", ", found)}); name the one to use"),
        };
    }

    private static void Collect(IH5Group group, string prefix, List<string> found)
    {
        foreach (var child in group.Children())
        {
            string path = prefix + "/" + child.Name;
            if (child is IH5Group g)
                Collect(g, path, found);
            else if (child is IH5Dataset d && d.Space.Rank == 3 && d.Type.Class is H5DataTypeClass.FixedPoint or H5DataTypeClass.FloatingPoint)
                found.Add(path);
        }
    }

    public void ReadSlices<T>(int firstSlice, Span<T> destination) where T : unmanaged, INumber<T>
    {
        int count = VolumeSourceChecks.SliceCount(this, firstSlice, destination.Length);
        if (count == 0)
            return;
        var start = new ulong[3];
        var block = (ulong[])_dims.Clone();
        start[Order.ZDim] = (ulong)firstSlice;
        block[Order.ZDim] = (ulong)count;
        int voxels = destination.Length;
        int bytes = voxels * Type.Size();
        if (_buffer.Length < bytes)
            _buffer = new byte[bytes];
        try
        {
            var selection = new HyperslabSelection(3, start, block);
            var memory = _buffer.AsMemory(0, bytes);
            switch (Type)
            {
                case VoxelType.UInt8: _dataset.Read(memory, fileSelection: selection); break;
                case VoxelType.Int8: _dataset.Read(CastMemory<sbyte>(memory), fileSelection: selection); break;
                case VoxelType.UInt16: _dataset.Read(CastMemory<ushort>(memory), fileSelection: selection); break;
                case VoxelType.Int16: _dataset.Read(CastMemory<short>(memory), fileSelection: selection); break;
                case VoxelType.UInt32: _dataset.Read(CastMemory<uint>(memory), fileSelection: selection); break;
                case VoxelType.Int32: _dataset.Read(CastMemory<int>(memory), fileSelection: selection); break;
                case VoxelType.Float32: _dataset.Read(CastMemory<float>(memory), fileSelection: selection); break;
                case VoxelType.Float64: _dataset.Read(CastMemory<double>(memory), fileSelection: selection); break;
            }
        }
        catch (Exception e) when (e is not InputException)
        {
            throw new InputException($"{Name}: slices {firstSlice}..{firstSlice + count - 1} cannot be read ({e.Message})", e);
        }

        if (Order.Letters == "zyx")
        {
            VoxelTypes.Convert(Type, _buffer.AsSpan(0, bytes), destination);
            return;
        }
        Reorder(_buffer.AsSpan(0, bytes), count, destination);
    }

    /// <summary>Permutes a slab read in file order into (z, y, x) order, converting the type.</summary>
    private void Reorder<T>(ReadOnlySpan<byte> raw, int count, Span<T> destination) where T : unmanaged, INumber<T>
    {
        var fileOrder = new T[destination.Length];
        VoxelTypes.Convert(Type, raw, fileOrder.AsSpan());
        var slabDims = new int[3];
        for (int d = 0; d < 3; d++)
            slabDims[d] = d == Order.ZDim ? count : (int)_dims[d];
        var strides = new int[3];
        strides[2] = 1;
        strides[1] = slabDims[2];
        strides[0] = slabDims[1] * slabDims[2];
        int sz = strides[Order.ZDim], sy = strides[Order.YDim], sx = strides[Order.XDim];
        int height = Shape.Height, width = Shape.Width;
        for (int z = 0; z < count; z++)
        {
            for (int y = 0; y < height; y++)
            {
                int from = z * sz + y * sy;
                var row = destination.Slice((z * height + y) * width, width);
                for (int x = 0; x < width; x++, from += sx)
                    row[x] = fileOrder[from];
            }
        }
    }

    private static Memory<TOut> CastMemory<TOut>(Memory<byte> memory) where TOut : unmanaged =>
        new CastMemoryManager<TOut>(memory).Memory;

    public void Dispose() => _file.Dispose();

    /// <summary>Views a byte buffer as a buffer of <typeparamref name="TOut"/> without copying.</summary>
    private sealed class CastMemoryManager<TOut>(Memory<byte> bytes) : System.Buffers.MemoryManager<TOut> where TOut : unmanaged
    {
        public override Span<TOut> GetSpan() => MemoryMarshal.Cast<byte, TOut>(bytes.Span);

        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
