using PureHDF;
using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Formats;

/// <summary>
/// Pixel spectra as stored by a histogramming front end (odin-data or HexitecGigE): one energy axis
/// for all pixels and counts per pixel and bin.
/// </summary>
/// <param name="Shape">Detector pixel grid.</param>
/// <param name="BinLowerEdgesKeV">Lower edge of each bin, keV, increasing (odin's histogram plugin and
/// HexitecGigE store <c>bin_start + i * bin_width</c>). The last bin is as wide as the one before it.</param>
/// <param name="Counts">Counts, <c>[(row * cols + col) * bins + bin]</c>.</param>
public sealed record SpectraFile(DetectorShape Shape, double[] BinLowerEdgesKeV, double[] Counts)
{
    /// <summary>Number of bins.</summary>
    public int Bins => BinLowerEdgesKeV.Length;

    /// <summary>Checks array lengths; throws <see cref="InputException"/> naming <paramref name="source"/>.</summary>
    public SpectraFile Validated(string source)
    {
        if (BinLowerEdgesKeV.Length == 0)
            throw new InputException($"spectra {source}: no energy bins");
        long expected = (long)Shape.Pixels * BinLowerEdgesKeV.Length;
        if (Counts.LongLength != expected)
            throw new InputException($"spectra {source}: expected {Shape} pixels x {BinLowerEdgesKeV.Length} bins = {expected} counts, found {Counts.LongLength}");
        for (int i = 0; i < BinLowerEdgesKeV.Length; i++)
            if (!double.IsFinite(BinLowerEdgesKeV[i]))
                throw new InputException($"spectra {source}: energy of bin {i} is {BinLowerEdgesKeV[i]}, not a finite number");
        return this;
    }
}

/// <summary>
/// odin-data pixel spectra (FORMATS.md): <c>/pixel_spectra</c> [rows, cols, nbins] (any integer or
/// float type; odin writes float32) and <c>/spectra_bins</c> [nbins], the lower bin edges in keV.
/// </summary>
public static class OdinSpectraFile
{
    /// <summary>Dataset of counts, [rows, cols, nbins].</summary>
    public const string SpectraDataset = "pixel_spectra";

    /// <summary>Dataset of lower bin edges, [nbins] keV.</summary>
    public const string BinsDataset = "spectra_bins";

    /// <summary>Reads <paramref name="path"/>; any problem is an <see cref="InputException"/> naming file and dataset.</summary>
    public static SpectraFile Read(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new InputException($"spectra file {full}: not found");
        using var mapped = new Hdf5.Mapped(full);
        var file = mapped.File;
        foreach (string name in new[] { SpectraDataset, BinsDataset })
            if (!file.LinkExists(name))
                throw new InputException($"spectra file {full}: no dataset /{name}; odin pixel spectra need /{SpectraDataset} [rows, cols, nbins] and /{BinsDataset} [nbins]; found {Hdf5.DescribeRoot(file)}");

        var spectra = Hdf5.Dataset(file, full, SpectraDataset);
        ulong[] dims = Hdf5.RequireRank(spectra, full, SpectraDataset, 3, "[rows, cols, nbins]");
        var bins = Hdf5.Dataset(file, full, BinsDataset);
        ulong[] binDims = Hdf5.RequireRank(bins, full, BinsDataset, 1, "[nbins]");
        if (binDims[0] != dims[2])
            throw new InputException($"spectra file {full}: /{BinsDataset} has {binDims[0]} bins but /{SpectraDataset} has {dims[2]} (shape [{string.Join(", ", dims)}])");
        if (dims[0] > int.MaxValue || dims[1] > int.MaxValue || dims[2] == 0 || dims[0] * dims[1] * dims[2] > (ulong)Array.MaxLength)
            throw new InputException($"spectra file {full}: /{SpectraDataset} shape [{string.Join(", ", dims)}] is empty or too large");
        var shape = Hdf5.Shape(full, SpectraDataset, (int)dims[0], (int)dims[1]);
        return new SpectraFile(shape, Hdf5.ReadAsDouble(bins, full, BinsDataset), Hdf5.ReadAsDouble(spectra, full, SpectraDataset))
            .Validated(full);
    }

    /// <summary>Writes <paramref name="spectra"/> as float64 datasets (counts chunked and compressed), temporary name then rename.</summary>
    public static void Write(string path, SpectraFile spectra)
    {
        spectra.Validated(path);
        var shape = spectra.Shape;
        uint bins = (uint)spectra.Bins;
        // Chunks of whole pixel rows' spectra, about 1 MB each.
        uint chunkRows = (uint)Math.Clamp((1 << 20) / ((long)shape.Cols * bins * sizeof(double)), 1, shape.Rows);
        var file = new H5File
        {
            [SpectraDataset] = Hdf5.Compressed(spectra.Counts, [(ulong)shape.Rows, (ulong)shape.Cols, bins], [chunkRows, (uint)shape.Cols, bins]),
            [BinsDataset] = spectra.BinLowerEdgesKeV,
        };
        AtomicFile.Write(path, (string tmp) => file.Write(tmp));
    }
}
