using System.Numerics;

namespace XcsCt.Domain.Xct;

/// <summary>How to read a volume file (FORMATS.md, XCT volume).</summary>
/// <param name="Dataset">HDF5 dataset path; null picks the only 3-D dataset in the file. Ignored for TIFF.</param>
/// <param name="Axes">HDF5 axis order, slowest dimension first (default zyx; Savu/httomo: xzy). TIFF stacks are always zyx.</param>
public sealed record VolumeReadOptions(string? Dataset = null, AxisOrder? Axes = null)
{
    public static VolumeReadOptions Default { get; } = new();
}

/// <summary>Opens XCT volumes (TIFF stacks, HDF5 datasets) by file name.</summary>
public static class VolumeReader
{
    /// <summary>
    /// Opens <paramref name="path"/> for slab-wise reading: .h5/.hdf5/.nxs/.hdf are HDF5, a directory,
    /// a pattern with * or a .tif/.tiff file is a TIFF stack. A path of the form <c>file.h5:/group/data</c>
    /// names the dataset.
    /// </summary>
    public static IVolumeSource Open(string path, VolumeReadOptions? options = null)
    {
        options ??= VolumeReadOptions.Default;
        var (file, dataset) = SplitDataset(path);
        if (IsHdf5(file))
            return Hdf5VolumeSource.Open(file, dataset ?? options.Dataset, options.Axes ?? AxisOrder.Zyx);
        if (options.Axes is { } axes && axes.Letters != "zyx")
            throw new InputException($"{path}: a TIFF stack is stored slice by slice (zyx); axis order {axes} applies to HDF5 datasets only");
        return TiffStackSource.Open(path);
    }

    /// <summary>Reads a whole volume into memory, converting to <typeparamref name="T"/>.</summary>
    public static Volume<T> Read<T>(string path, VolumeReadOptions? options = null) where T : unmanaged, INumber<T>
    {
        using var source = Open(path, options);
        return Volume<T>.ReadAll(source);
    }

    /// <summary>Reads a label volume (integers; 0 is background) into memory.</summary>
    public static LabelVolume ReadLabels(string path, VolumeReadOptions? options = null)
    {
        using var source = Open(path, options);
        return LabelVolume.Read(source);
    }

    /// <summary>True for the file extensions read as HDF5.</summary>
    public static bool IsHdf5(string file)
    {
        var ext = Path.GetExtension(file).ToLowerInvariant();
        return ext is ".h5" or ".hdf5" or ".hdf" or ".nxs" or ".nx5";
    }

    private static (string File, string? Dataset) SplitDataset(string path)
    {
        // "file.h5:/entry/data" (a drive letter "C:\" is not a dataset separator).
        int colon = path.IndexOf(":/", StringComparison.Ordinal);
        if (colon > 1 && IsHdf5(path[..colon]))
            return (path[..colon], path[(colon + 1)..]);
        return (path, null);
    }
}
