using PureHDF;
using PureHDF.Selections;

namespace XcsCt.Domain.Xct.Reconstruction;

/// <summary>Layout of an HDF5 file of tomography projections (FORMATS.md, XCT projections).</summary>
public enum TomoLayout
{
    /// <summary>DXchange: /exchange/data, data_white, data_dark, theta.</summary>
    DXchange,

    /// <summary>NeXus NXtomo: detector data with image_key (0 projection, 1 flat, 2 dark) and sample/rotation_angle.</summary>
    NXtomo,
}

/// <summary>
/// Detector rows <see cref="FirstRow"/> .. + <see cref="Count"/> - 1 of every projection, as sinograms,
/// with the mean flat and dark field of the same rows (null when the file has none).
/// </summary>
/// <param name="Sinograms">[row][projection][column].</param>
/// <param name="Flat">[row][column] mean open-beam counts, or null.</param>
/// <param name="Dark">[row][column] mean dark counts, or null.</param>
public sealed record ProjectionRows(int FirstRow, int Count, int Projections, int Cols, float[] Sinograms, float[]? Flat, float[]? Dark)
{
    public Span<float> Sinogram(int row) => Sinograms.AsSpan(row * Projections * Cols, Projections * Cols);
}

/// <summary>
/// A tomography scan in HDF5, NXtomo or DXchange (tests/fixtures/tomo/tooth.h5 is DXchange), read by
/// detector rows so any number of projections fits in memory one slab of rows at a time. Angles must
/// match the projection count; missing flats or darks are allowed and recorded in <see cref="Warnings"/>.
/// </summary>
public sealed class TomoFile : IDisposable
{
    private readonly PureHDF.VOL.Native.NativeFile _file;
    private readonly IH5Dataset _data;
    private readonly IH5Dataset? _flats;
    private readonly IH5Dataset? _darks;
    private readonly VoxelType _type;
    private readonly int[] _projectionFrames;
    private readonly int[] _flatFrames;
    private readonly int[] _darkFrames;
    private readonly ulong _frames;
    private readonly List<string> _warnings = [];

    private TomoFile(string path, PureHDF.VOL.Native.NativeFile file, TomoLayout layout, string dataPath, IH5Dataset data, IH5Dataset? flats, IH5Dataset? darks,
        int[] projections, int[] flatFrames, int[] darkFrames, double[] anglesRad)
    {
        Path = path;
        _file = file;
        Layout = layout;
        DataPath = dataPath;
        _data = data;
        _flats = flats;
        _darks = darks;
        var dims = data.Space.Dimensions;
        _frames = dims[0];
        Rows = (int)dims[1];
        Cols = (int)dims[2];
        _type = Hdf5VolumeSource.TypeOf(data.Type, $"{path}:{dataPath}");
        _projectionFrames = projections;
        _flatFrames = flatFrames;
        _darkFrames = darkFrames;
        AnglesRad = anglesRad;
    }

    public string Path { get; }

    public TomoLayout Layout { get; }

    /// <summary>Dataset holding the projections.</summary>
    public string DataPath { get; }

    /// <summary>Number of projections (flats and darks excluded).</summary>
    public int Projections => _projectionFrames.Length;

    /// <summary>Detector rows (slices that can be reconstructed).</summary>
    public int Rows { get; }

    /// <summary>Detector columns.</summary>
    public int Cols { get; }

    /// <summary>Projection angles, radians.</summary>
    public double[] AnglesRad { get; }

    public int FlatCount => _flats is null ? _flatFrames.Length : (int)_flats.Space.Dimensions[0];

    public int DarkCount => _darks is null ? _darkFrames.Length : (int)_darks.Space.Dimensions[0];

    /// <summary>Things the caller should record in the output metadata (missing flats or darks, assumed units).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Opens a DXchange or NXtomo file; throws <see cref="InputException"/> naming the file and dataset on any inconsistency.</summary>
    public static TomoFile Open(string path)
    {
        if (!File.Exists(path))
            throw new InputException($"projections {path}: file not found");
        PureHDF.VOL.Native.NativeFile file;
        try
        {
            file = H5File.OpenRead(path);
        }
        catch (Exception e)
        {
            throw new InputException($"projections {path}: not a readable HDF5 file ({e.Message})", e);
        }
        try
        {
            var tomo = file.LinkExists("/exchange/data") ? OpenDXchange(path, file) : OpenNXtomo(path, file);
            tomo.CheckFlatDarkShapes();
            return tomo;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static TomoFile OpenDXchange(string path, PureHDF.VOL.Native.NativeFile file)
    {
        var data = Dataset3D(file, "/exchange/data", path);
        int n = (int)data.Space.Dimensions[0];
        var warnings = new List<string>();
        double[] angles;
        if (file.LinkExists("/exchange/theta"))
        {
            var theta = file.Dataset("/exchange/theta");
            angles = ReadAngles(theta, path, "/exchange/theta", "degree", warnings);
        }
        else
        {
            angles = Enumerable.Range(0, n).Select(i => i * Math.PI / n).ToArray();
            warnings.Add($"no /exchange/theta: {n} projections assumed evenly over [0, 180) degrees");
        }
        if (angles.Length != n)
            throw new InputException($"projections {path}: /exchange/theta has {angles.Length} angles but /exchange/data has {n} projections");
        IH5Dataset? flats = file.LinkExists("/exchange/data_white") ? Dataset3D(file, "/exchange/data_white", path) : null;
        IH5Dataset? darks = file.LinkExists("/exchange/data_dark") ? Dataset3D(file, "/exchange/data_dark", path) : null;
        var tomo = new TomoFile(path, file, TomoLayout.DXchange, "/exchange/data", data, flats, darks, Enumerable.Range(0, n).ToArray(), [], [], angles);
        tomo._warnings.AddRange(warnings);
        if (flats is null)
            tomo._warnings.Add("no flat fields (/exchange/data_white): projections normalised by their brightest values instead");
        if (darks is null)
            tomo._warnings.Add("no dark fields (/exchange/data_dark): dark level taken as 0");
        return tomo;
    }

    private static TomoFile OpenNXtomo(string path, PureHDF.VOL.Native.NativeFile file)
    {
        foreach (var entry in EntryGroups(file))
        {
            string? dataPath = FirstExisting(file, [$"{entry}/instrument/detector/data", $"{entry}/data/data"]);
            if (dataPath is null)
                continue;
            var data = Dataset3D(file, dataPath, path);
            int frames = (int)data.Space.Dimensions[0];
            string? keyPath = FirstExisting(file, [$"{entry}/instrument/detector/image_key", $"{entry}/data/image_key"]);
            string? anglePath = FirstExisting(file, [$"{entry}/sample/rotation_angle", $"{entry}/data/rotation_angle"]);
            if (anglePath is null)
                throw new InputException($"projections {path}: NXtomo entry {entry} has no sample/rotation_angle");
            var warnings = new List<string>();
            var keys = keyPath is null ? Enumerable.Repeat(0, frames).ToArray() : ReadIntegers(file.Dataset(keyPath), path, keyPath);
            if (keyPath is null)
                warnings.Add($"no image_key in {entry}: every frame taken as a projection");
            if (keys.Length != frames)
                throw new InputException($"projections {path}: {keyPath} has {keys.Length} values but {dataPath} has {frames} frames");
            var allAngles = ReadAngles(file.Dataset(anglePath), path, anglePath, "degree", warnings);
            if (allAngles.Length != frames)
                throw new InputException($"projections {path}: {anglePath} has {allAngles.Length} angles but {dataPath} has {frames} frames");
            var projections = new List<int>();
            var flats = new List<int>();
            var darks = new List<int>();
            for (int i = 0; i < frames; i++)
            {
                switch (keys[i])
                {
                    case 0: projections.Add(i); break;
                    case 1: flats.Add(i); break;
                    case 2: darks.Add(i); break;
                    case 3: break; // invalid frame, skipped as NXtomo defines
                    default: throw new InputException($"projections {path}: {keyPath}[{i}] = {keys[i]} is not an NXtomo image key (0 projection, 1 flat, 2 dark, 3 invalid)");
                }
            }
            if (projections.Count == 0)
                throw new InputException($"projections {path}: {dataPath} has no projections (image_key 0)");
            var tomo = new TomoFile(path, file, TomoLayout.NXtomo, dataPath, data, null, null, projections.ToArray(), flats.ToArray(), darks.ToArray(),
                projections.Select(i => allAngles[i]).ToArray());
            tomo._warnings.AddRange(warnings);
            if (flats.Count == 0)
                tomo._warnings.Add("no flat fields (image_key 1): projections normalised by their brightest values instead");
            if (darks.Count == 0)
                tomo._warnings.Add("no dark fields (image_key 2): dark level taken as 0");
            return tomo;
        }
        throw new InputException($"projections {path}: neither DXchange (/exchange/data) nor NXtomo (<entry>/instrument/detector/data with image_key and sample/rotation_angle) found");
    }

    private static IEnumerable<string> EntryGroups(IH5Group root)
    {
        foreach (var child in root.Children())
        {
            if (child is not IH5Group group)
                continue;
            yield return "/" + child.Name;
            foreach (var inner in group.Children())
            {
                if (inner is IH5Group)
                    yield return "/" + child.Name + "/" + inner.Name;
            }
        }
    }

    private static string? FirstExisting(PureHDF.VOL.Native.NativeFile file, string[] paths) => paths.FirstOrDefault(p => file.LinkExists(p));

    private static IH5Dataset Dataset3D(PureHDF.VOL.Native.NativeFile file, string dataset, string path)
    {
        var d = file.Dataset(dataset);
        var dims = d.Space.Dimensions;
        if (dims.Length != 3 || dims.Any(x => x == 0))
            throw new InputException($"projections {path}: {dataset} must be 3-D [frames, rows, columns], found [{string.Join(", ", dims)}]");
        return d;
    }

    private static double[] ReadAngles(IH5Dataset dataset, string path, string name, string defaultUnits, List<string> warnings)
    {
        if (dataset.Type.Class != H5DataTypeClass.FloatingPoint && dataset.Type.Class != H5DataTypeClass.FixedPoint)
            throw new InputException($"projections {path}: {name} is not numeric");
        var values = dataset.Type.Class == H5DataTypeClass.FloatingPoint && dataset.Type.Size == 8
            ? dataset.Read<double[]>()
            : dataset.Type.Class == H5DataTypeClass.FloatingPoint ? dataset.Read<float[]>().Select(v => (double)v).ToArray()
            : ReadIntegers(dataset, path, name).Select(v => (double)v).ToArray();
        string units = defaultUnits;
        if (dataset.AttributeExists("units"))
            units = dataset.Attribute("units").Read<string>().Trim().ToLowerInvariant();
        else
            warnings.Add($"{name} has no units attribute: {defaultUnits}s assumed");
        double scale = units switch
        {
            "degree" or "degrees" or "deg" => Math.PI / 180,
            "radian" or "radians" or "rad" => 1,
            _ => throw new InputException($"projections {path}: {name} units '{units}' are not degrees or radians"),
        };
        foreach (var v in values)
        {
            if (!double.IsFinite(v))
                throw new InputException($"projections {path}: {name} holds a value that is not a finite number");
        }
        return values.Select(v => v * scale).ToArray();
    }

    private static int[] ReadIntegers(IH5Dataset dataset, string path, string name)
    {
        if (dataset.Type.Class != H5DataTypeClass.FixedPoint)
            throw new InputException($"projections {path}: {name} must hold integers");
        var type = Hdf5VolumeSource.TypeOf(dataset.Type, name);
        int[] result = type switch
        {
            VoxelType.UInt8 => dataset.Read<byte[]>().Select(v => (int)v).ToArray(),
            VoxelType.Int8 => dataset.Read<sbyte[]>().Select(v => (int)v).ToArray(),
            VoxelType.UInt16 => dataset.Read<ushort[]>().Select(v => (int)v).ToArray(),
            VoxelType.Int16 => dataset.Read<short[]>().Select(v => (int)v).ToArray(),
            VoxelType.UInt32 => dataset.Read<uint[]>().Select(v => (int)v).ToArray(),
            VoxelType.Int32 => dataset.Read<int[]>(),
            _ => throw new InputException($"projections {path}: {name} has integers of {dataset.Type.Size} bytes; expected 1, 2 or 4"),
        };
        return result;
    }

    private void CheckFlatDarkShapes()
    {
        foreach (var (d, what) in new[] { (_flats, "flat"), (_darks, "dark") })
        {
            if (d is null)
                continue;
            var dims = d.Space.Dimensions;
            if ((int)dims[1] != Rows || (int)dims[2] != Cols)
                throw new InputException($"projections {Path}: {what} fields are {dims[1]} x {dims[2]}, the projections {Rows} x {Cols}");
        }
    }

    /// <summary>Reads detector rows [<paramref name="firstRow"/>, + <paramref name="count"/>) of all projections, flats and darks.</summary>
    public ProjectionRows ReadRows(int firstRow, int count)
    {
        if (firstRow < 0 || count <= 0 || firstRow + count > Rows)
            throw new InputException($"projections {Path}: rows {firstRow}..{firstRow + count - 1} requested, the detector has rows 0..{Rows - 1}");
        int n = Projections, cols = Cols;
        var sinograms = new float[count * n * cols];
        float[]? flat = null, dark = null;
        if (Layout == TomoLayout.DXchange)
        {
            var block = ReadBlock(_data, firstRow, count);
            for (int p = 0; p < n; p++)
            {
                for (int r = 0; r < count; r++)
                    block.AsSpan((p * count + r) * cols, cols).CopyTo(sinograms.AsSpan((r * n + p) * cols, cols));
            }
            if (_flats is not null)
                flat = MeanFrames(ReadBlock(_flats, firstRow, count), (int)_flats.Space.Dimensions[0], count, cols, null);
            if (_darks is not null)
                dark = MeanFrames(ReadBlock(_darks, firstRow, count), (int)_darks.Space.Dimensions[0], count, cols, null);
        }
        else
        {
            var block = ReadBlock(_data, firstRow, count);
            for (int p = 0; p < n; p++)
            {
                int frame = _projectionFrames[p];
                for (int r = 0; r < count; r++)
                    block.AsSpan((frame * count + r) * cols, cols).CopyTo(sinograms.AsSpan((r * n + p) * cols, cols));
            }
            if (_flatFrames.Length > 0)
                flat = MeanFrames(block, (int)_frames, count, cols, _flatFrames);
            if (_darkFrames.Length > 0)
                dark = MeanFrames(block, (int)_frames, count, cols, _darkFrames);
        }
        return new ProjectionRows(firstRow, count, n, cols, sinograms, flat, dark);
    }

    /// <summary>Frames x rows x cols of one dataset for a slab of rows, as float.</summary>
    private float[] ReadBlock(IH5Dataset dataset, int firstRow, int count)
    {
        var dims = dataset.Space.Dimensions;
        int frames = (int)dims[0];
        var selection = new HyperslabSelection(3, [0, (ulong)firstRow, 0], [(ulong)frames, (ulong)count, (ulong)Cols]);
        int values = frames * count * Cols;
        var type = Hdf5VolumeSource.TypeOf(dataset.Type, $"{Path}:{DataPath}");
        try
        {
            var result = new float[values];
            switch (type)
            {
                case VoxelType.Float32: dataset.Read(result.AsMemory(), fileSelection: selection); break;
                case VoxelType.UInt16: Convert(dataset.Read<ushort[]>(fileSelection: selection), result); break;
                case VoxelType.Int16: Convert(dataset.Read<short[]>(fileSelection: selection), result); break;
                case VoxelType.UInt8: Convert(dataset.Read<byte[]>(fileSelection: selection), result); break;
                case VoxelType.UInt32: Convert(dataset.Read<uint[]>(fileSelection: selection), result); break;
                case VoxelType.Int32: Convert(dataset.Read<int[]>(fileSelection: selection), result); break;
                case VoxelType.Float64: Convert(dataset.Read<double[]>(fileSelection: selection), result); break;
                default: throw new InputException($"projections {Path}: {type.Name()} projections are not supported");
            }
            return result;
        }
        catch (Exception e) when (e is not InputException)
        {
            throw new InputException($"projections {Path}: rows {firstRow}..{firstRow + count - 1} cannot be read ({e.Message})", e);
        }
    }

    private static void Convert<T>(T[] source, float[] destination) where T : unmanaged, System.Numerics.INumber<T> =>
        VoxelTypes.Convert<T, float>(source, destination);

    /// <summary>Mean over the selected frames (all when null) of a frames x rows x cols block: rows x cols.</summary>
    private static float[] MeanFrames(float[] block, int frames, int rows, int cols, int[]? selected)
    {
        var mean = new double[rows * cols];
        int used = 0;
        for (int f = 0; f < frames; f++)
        {
            if (selected is not null && Array.IndexOf(selected, f) < 0)
                continue;
            used++;
            for (int i = 0; i < rows * cols; i++)
                mean[i] += block[f * rows * cols + i];
        }
        var result = new float[rows * cols];
        for (int i = 0; i < result.Length; i++)
            result[i] = (float)(mean[i] / used);
        return result;
    }

    public void Dispose() => _file.Dispose();
}
