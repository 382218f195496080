using System.Collections.Concurrent;
using System.IO.MemoryMappedFiles;
using PureHDF;
using PureHDF.Filters;
using PureHDF.Selections;
using PureHDF.VOL.Native;
using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Formats;

/// <summary>
/// odin-data frames (FORMATS.md): HDF5 dataset <c>/raw_frames</c> [N, rows, cols] uint16 (ADU) or
/// <c>/processed_frames</c> [N, rows, cols] float32 (keV). When a file holds both, the raw frames are
/// read. The file is memory-mapped once: PureHDF reads a contiguous dataset (the layout of the real
/// odin fixture) about 20 times faster through a mapped view than through a stream. PureHDF file
/// objects are not thread-safe, so each concurrent read takes its own view and file object from a
/// small pool (opened on demand, kept for reuse until the source is disposed). Files must not shrink
/// while open (reading a mapped page past the end of a truncated file faults).
/// </summary>
internal sealed class OdinFrameSource : IFrameSource
{
    private readonly ConcurrentBag<Lease> _pool = new();
    private readonly MemoryMappedFile _map;
    private readonly string _dataset;
    private bool _disposed;

    private sealed record Lease(MemoryMappedViewAccessor View, NativeFile File, IH5Dataset Dataset) : IDisposable
    {
        public void Dispose()
        {
            File.Dispose();
            View.Dispose();
        }
    }

    private OdinFrameSource(string path, MemoryMappedFile map, string dataset, FrameKind kind, DetectorShape shape, long frames)
    {
        Path = path;
        _map = map;
        _dataset = dataset;
        Kind = kind;
        Shape = shape;
        FrameCount = frames;
    }

    public string Path { get; }
    public DetectorShape Shape { get; }
    public long FrameCount { get; }
    public FrameKind Kind { get; }

    public static OdinFrameSource Open(string path)
    {
        string name;
        FrameKind kind;
        DetectorShape shape;
        long frames;
        using (var file = Hdf5.OpenRead(path))
        {
            if (file.LinkExists(OdinFrameFile.RawDataset)) (name, kind) = (OdinFrameFile.RawDataset, FrameKind.RawAdu);
            else if (file.LinkExists(OdinFrameFile.ProcessedDataset)) (name, kind) = (OdinFrameFile.ProcessedDataset, FrameKind.ProcessedKeV);
            else
                throw new InputException($"frame file {path}: no dataset /{OdinFrameFile.RawDataset} (uint16 ADU) or /{OdinFrameFile.ProcessedDataset} (float32 keV); found {Hdf5.DescribeRoot(file)}");

            var dataset = Hdf5.Dataset(file, path, name);
            if (kind == FrameKind.RawAdu) Hdf5.RequireUnsigned(dataset, path, name, bytes: 2);
            else Hdf5.RequireFloat(dataset, path, name, bytes: 4);
            ulong[] dims = Hdf5.RequireRank(dataset, path, name, 3, "[frames, rows, cols]");
            if (dims[0] == 0)
                throw new InputException($"frame file {path}: dataset /{name} holds no frames (shape [0, {dims[1]}, {dims[2]}])");
            if (dims[1] > int.MaxValue || dims[2] > int.MaxValue)
                throw new InputException($"frame file {path}: dataset /{name} has frames of {dims[1]} x {dims[2]} pixels, too large");
            shape = Hdf5.Shape(path, name, (int)dims[1], (int)dims[2]);
            frames = checked((long)dims[0]);
        }
        MemoryMappedFile map;
        try
        {
            map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InputException($"frame file {path}: cannot be mapped for reading: {e.Message}", e);
        }
        return new OdinFrameSource(path, map, name, kind, shape, frames);
    }

    public void ReadRaw(long firstFrame, int frameCount, Span<ushort> destination)
    {
        FrameSources.CheckRange(this, FrameKind.RawAdu, firstFrame, frameCount, destination.Length);
        Read(firstFrame, frameCount, destination);
    }

    public void ReadProcessed(long firstFrame, int frameCount, Span<float> destination)
    {
        FrameSources.CheckRange(this, FrameKind.ProcessedKeV, firstFrame, frameCount, destination.Length);
        Read(firstFrame, frameCount, destination);
    }

    private void Read<T>(long firstFrame, int frameCount, Span<T> destination) where T : unmanaged
    {
        if (frameCount == 0) return;
        ObjectDisposedException.ThrowIf(_disposed, this);
        var lease = Rent();
        try
        {
            var fileSelection = new HyperslabSelection(3, [(ulong)firstFrame, 0, 0], [(ulong)frameCount, (ulong)Shape.Rows, (ulong)Shape.Cols]);
            // No memory dimensions: the destination is one flat run, which PureHDF copies fastest.
            ((NativeDataset)lease.Dataset).Read(destination, fileSelection);
        }
        catch (Exception e) when (e is not InputException and not ObjectDisposedException)
        {
            throw new InputException($"frame file {Path}: reading /{_dataset} frames {firstFrame}..{firstFrame + frameCount - 1} failed: {e.Message}", e);
        }
        finally
        {
            Return(lease);
        }
    }

    private Lease Rent()
    {
        if (_pool.TryTake(out var lease)) return lease;
        var view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        try
        {
            var file = H5File.Open(view);
            return new Lease(view, file, file.Dataset(_dataset));
        }
        catch
        {
            view.Dispose();
            throw;
        }
    }

    private void Return(Lease lease)
    {
        if (_disposed) lease.Dispose();
        else _pool.Add(lease);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_pool.TryTake(out var lease)) lease.Dispose();
        _map.Dispose();
    }
}

/// <summary>Writes odin-data frame files (chunked, deflate-compressed); used by the simulator and tests.</summary>
public static class OdinFrameFile
{
    /// <summary>Dataset of raw frames, [N, rows, cols] uint16 ADU.</summary>
    public const string RawDataset = "raw_frames";

    /// <summary>Dataset of processed frames, [N, rows, cols] float32 keV.</summary>
    public const string ProcessedDataset = "processed_frames";

    /// <summary>Writes <c>/raw_frames</c> [N, rows, cols] uint16 to <paramref name="path"/> (temporary name, then rename).</summary>
    /// <param name="path">Target <c>.h5</c> file, replaced if present.</param>
    /// <param name="shape">Detector pixel grid.</param>
    /// <param name="frames">N whole frames back to back, ADU.</param>
    public static void WriteRaw(string path, DetectorShape shape, ReadOnlySpan<ushort> frames) =>
        WriteFrames(path, RawDataset, shape, frames.ToArray(), sizeof(ushort));

    /// <summary>Writes <c>/processed_frames</c> [N, rows, cols] float32 keV to <paramref name="path"/>.</summary>
    public static void WriteProcessed(string path, DetectorShape shape, ReadOnlySpan<float> frames) =>
        WriteFrames(path, ProcessedDataset, shape, frames.ToArray(), sizeof(float));

    private static void WriteFrames(string path, string name, DetectorShape shape, Array data, int elementBytes)
    {
        if (data.Length % shape.Pixels != 0)
            throw new ArgumentException($"{data.Length} values are not whole frames of {shape} pixels");
        ulong frames = (ulong)(data.Length / shape.Pixels);
        if (frames == 0)
            throw new ArgumentException("no frames to write");
        // Chunks of whole frames, about 1 MB each: range reads decompress little beyond what they need.
        uint chunkFrames = (uint)Math.Clamp((1 << 20) / ((long)shape.Pixels * elementBytes), 1, (long)frames);
        var file = new H5File
        {
            [name] = Hdf5.Compressed(data, [frames, (ulong)shape.Rows, (ulong)shape.Cols], [chunkFrames, (uint)shape.Rows, (uint)shape.Cols]),
        };
        AtomicFile.Write(path, (string tmp) => file.Write(tmp));
    }
}

/// <summary>PureHDF helpers shared by the HDF5 readers: opening, type and shape checks with clear messages.</summary>
internal static class Hdf5
{
    public static NativeFile OpenRead(string path)
    {
        try
        {
            return H5File.OpenRead(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputException($"HDF5 file {path}: not found", e);
        }
        catch (Exception e)
        {
            throw new InputException($"HDF5 file {path}: cannot be read as HDF5 ({e.GetType().Name}: {e.Message})", e);
        }
    }

    /// <summary>An HDF5 file read through a memory-mapped view (much faster in PureHDF for large datasets).</summary>
    public sealed class Mapped : IDisposable
    {
        private readonly MemoryMappedFile _map;
        private readonly MemoryMappedViewAccessor _view;

        public Mapped(string path)
        {
            var probe = OpenRead(path); // a clear message for a missing or non-HDF5 file
            probe.Dispose();
            try
            {
                _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
                _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                File = H5File.Open(_view);
            }
            catch (Exception e)
            {
                _view?.Dispose();
                _map?.Dispose();
                throw new InputException($"HDF5 file {path}: cannot be mapped for reading: {e.Message}", e);
            }
        }

        public NativeFile File { get; }

        public void Dispose()
        {
            File.Dispose();
            _view.Dispose();
            _map.Dispose();
        }
    }

    public static IH5Dataset Dataset(NativeFile file, string path, string name)
    {
        try
        {
            return file.Dataset(name);
        }
        catch (Exception e)
        {
            throw new InputException($"HDF5 file {path}: /{name} is not a readable dataset ({e.Message})", e);
        }
    }

    public static string DescribeRoot(NativeFile file)
    {
        var names = new List<string>();
        foreach (var child in file.Children()) names.Add("/" + child.Name);
        return names.Count == 0 ? "an empty root group" : string.Join(", ", names);
    }

    public static ulong[] RequireRank(IH5Dataset dataset, string path, string name, int rank, string layout)
    {
        ulong[] dims = dataset.Space.Dimensions;
        if (dims.Length != rank)
            throw new InputException($"HDF5 file {path}: dataset /{name} has shape [{string.Join(", ", dims)}], expected rank {rank} {layout}");
        return dims;
    }

    public static void RequireUnsigned(IH5Dataset dataset, string path, string name, int bytes)
    {
        var type = dataset.Type;
        if (type.Class != H5DataTypeClass.FixedPoint || type.Size != bytes || type.FixedPoint.IsSigned)
            throw new InputException($"HDF5 file {path}: dataset /{name} has type {Describe(type)}, expected uint{bytes * 8}");
    }

    public static void RequireFloat(IH5Dataset dataset, string path, string name, int bytes)
    {
        var type = dataset.Type;
        if (type.Class != H5DataTypeClass.FloatingPoint || type.Size != bytes)
            throw new InputException($"HDF5 file {path}: dataset /{name} has type {Describe(type)}, expected float{bytes * 8}");
    }

    public static string Describe(IH5DataType type) => type.Class switch
    {
        H5DataTypeClass.FixedPoint => $"{(type.FixedPoint.IsSigned ? "int" : "uint")}{type.Size * 8}",
        H5DataTypeClass.FloatingPoint => $"float{type.Size * 8}",
        _ => $"{type.Class} ({type.Size} bytes)",
    };

    public static DetectorShape Shape(string path, string name, int rows, int cols)
    {
        try
        {
            return new DetectorShape(rows, cols);
        }
        catch (InputException e)
        {
            throw new InputException($"HDF5 file {path}: dataset /{name}: {e.Message}", e);
        }
    }

    /// <summary>Reads a whole numeric dataset of any integer or float type as float64.</summary>
    public static double[] ReadAsDouble(IH5Dataset dataset, string path, string name)
    {
        var type = dataset.Type;
        try
        {
            return (type.Class, type.Size, type.Class == H5DataTypeClass.FixedPoint && type.FixedPoint.IsSigned) switch
            {
                (H5DataTypeClass.FloatingPoint, 8, _) => dataset.Read<double[]>(),
                (H5DataTypeClass.FloatingPoint, 4, _) => Widen(dataset.Read<float[]>()),
                (H5DataTypeClass.FixedPoint, 1, false) => Widen(dataset.Read<byte[]>()),
                (H5DataTypeClass.FixedPoint, 2, false) => Widen(dataset.Read<ushort[]>()),
                (H5DataTypeClass.FixedPoint, 4, false) => Widen(dataset.Read<uint[]>()),
                (H5DataTypeClass.FixedPoint, 8, false) => Widen(dataset.Read<ulong[]>()),
                (H5DataTypeClass.FixedPoint, 1, true) => Widen(dataset.Read<sbyte[]>()),
                (H5DataTypeClass.FixedPoint, 2, true) => Widen(dataset.Read<short[]>()),
                (H5DataTypeClass.FixedPoint, 4, true) => Widen(dataset.Read<int[]>()),
                (H5DataTypeClass.FixedPoint, 8, true) => Widen(dataset.Read<long[]>()),
                _ => throw new InputException($"HDF5 file {path}: dataset /{name} has type {Describe(type)}, expected a number type (integer or float)"),
            };
        }
        catch (Exception e) when (e is not InputException)
        {
            throw new InputException($"HDF5 file {path}: dataset /{name} cannot be read: {e.Message}", e);
        }
    }

    private static double[] Widen<T>(T[] values) where T : System.Numerics.INumberBase<T>
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = double.CreateTruncating(values[i]);
        return result;
    }

    /// <summary>A chunked, deflate-compressed dataset of a flat array laid out as <paramref name="dims"/>.</summary>
    public static H5Dataset Compressed(Array data, ulong[] dims, uint[] chunks) =>
        new(data, chunks: chunks, fileDims: dims,
            datasetCreation: new H5DatasetCreation(Filters: [DeflateFilter.Id]));
}
