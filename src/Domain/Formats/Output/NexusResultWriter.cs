using System.Globalization;
using PureHDF;
using PureHDF.Filters;
using PureHDF.VOL.Native;

namespace XcsCt.Domain.Formats.Output;

/// <summary>
/// Writes <c>result.nxs</c> (FORMATS, Outputs): HDF5 with NeXus classes, readable by h5py, silx and
/// NeXpy. Layout:
/// <code>
/// /                      @default="entry"
/// /entry                 NXentry, @default="emf"; title, experiment_identifier, entry_identifier
/// /entry/emf             NXdata, @signal="emf", @axes=["y","x"]: emf, emf_sigma, counts [rows, cols] float64; x [cols], y [rows] mm
/// /entry/spectrum        NXdata, @signal="counts", @axes=["energy"]: counts [bins], energy [bins] keV
/// /entry/profile         NXdata, @signal="J", @axes=["pz"]: J, pz (atomic units)
/// /entry/pixel_spectra   [rows, cols, bins] uint32, chunked, deflate
/// /entry/components      NXcollection; /entry/components/NAME NXdata (@signal="mask"): mask [rows, cols] float32,
///                        x, y, emf, emf_sigma, pixels, li_fraction and li_fraction_sigma when calibrated
/// /entry/process         NXprocess: program, version, date (ISO 8601), configuration (JSON),
///                        inputs (NXcollection): path [n] and sha256 [n], strings in the same order (sorted by path)
/// </code>
/// Pixel centres: x_j = (j + 0.5) * pitch, y_i = (i + 0.5) * pitch in mm from the detector's first
/// column and first row. The file is written under a temporary name and renamed when complete.
/// </summary>
public static class NexusResultWriter
{
    /// <summary>Pixel-spectra chunk edge in pixels (rows and cols): one chunk is at most 8 x 8 pixels x <see cref="ChunkBins"/> bins.</summary>
    public const int ChunkPixels = 8;

    /// <summary>Pixel-spectra chunk length along the energy axis, bins.</summary>
    public const int ChunkBins = 1024;

    /// <summary>Validates <paramref name="result"/> and writes it to <paramref name="path"/> (temporary name, then rename).</summary>
    public static void Write(string path, NexusScanResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        result.Validate();
        var file = Build(result);
        AtomicFile.Write(path, temporary => file.Write(temporary));
    }

    private static H5File Build(NexusScanResult r)
    {
        int rows = r.Shape.Rows, cols = r.Shape.Cols;
        var map = new ulong[] { (ulong)rows, (ulong)cols };

        var entry = new H5Group
        {
            Attributes = new()
            {
                ["NX_class"] = "NXentry",
                ["default"] = "emf",
            },
            ["title"] = $"{r.Experiment}/{r.Scan}",
            ["experiment_identifier"] = r.Experiment,
            ["entry_identifier"] = r.Scan,
            ["emf"] = new H5Group
            {
                Attributes = MapDataAttributes("emf"),
                ["emf"] = Field(r.Emf, map, ("long_name", "EMF = E_L / E_H")),
                ["emf_sigma"] = Field(r.EmfSigma, map, ("long_name", "EMF standard uncertainty")),
                ["counts"] = Field(r.Counts, map, ("long_name", "events in |pz| < 5"), ("units", "counts")),
                ["x"] = Field(PixelCentres(cols, r.PitchMm), null, ("long_name", "x (mm)"), ("units", "mm")),
                ["y"] = Field(PixelCentres(rows, r.PitchMm), null, ("long_name", "y (mm)"), ("units", "mm")),
            },
            ["spectrum"] = new H5Group
            {
                Attributes = new()
                {
                    ["NX_class"] = "NXdata",
                    ["signal"] = "counts",
                    ["axes"] = new[] { "energy" },
                    ["energy_indices"] = 0,
                },
                ["counts"] = Field(r.SpectrumCounts, null, ("long_name", "counts summed over all pixels"), ("units", "counts")),
                ["energy"] = Field(r.EnergyKeV, null, ("long_name", "energy, bin centre (keV)"), ("units", "keV")),
            },
            ["profile"] = new H5Group
            {
                Attributes = new()
                {
                    ["NX_class"] = "NXdata",
                    ["signal"] = "J",
                    ["axes"] = new[] { "pz" },
                    ["pz_indices"] = 0,
                },
                ["J"] = Field(r.J, null, ("long_name", "Compton profile J(pz)"), ("units", "1/a.u.")),
                ["pz"] = Field(r.Pz, null, ("long_name", "electron momentum pz (a.u.)"), ("units", "a.u.")),
            },
            ["pixel_spectra"] = PixelSpectraDataset(r),
            ["components"] = Components(r),
            ["process"] = Process(r.Process),
        };

        return new H5File
        {
            Attributes = new()
            {
                ["NX_class"] = "NXroot",
                ["default"] = "entry",
                ["creator"] = $"{r.Process.Program} {r.Process.Version}",
                ["file_time"] = IsoDate(r.Process.Date),
            },
            ["entry"] = entry,
        };
    }

    private static Dictionary<string, object> MapDataAttributes(string signal) => new()
    {
        ["NX_class"] = "NXdata",
        ["signal"] = signal,
        ["axes"] = new[] { "y", "x" },
        ["y_indices"] = 0,
        ["x_indices"] = 1,
    };

    private static H5Dataset Field<T>(T[] data, ulong[]? dims, params (string Name, string Value)[] attributes)
    {
        var dataset = new H5Dataset(data, fileDims: dims ?? [(ulong)data.LongLength]);
        foreach (var (name, value) in attributes) dataset.Attributes[name] = value;
        return dataset;
    }

    private static H5Dataset PixelSpectraDataset(NexusScanResult r)
    {
        int rows = r.Shape.Rows, cols = r.Shape.Cols;
        var chunks = new uint[]
        {
            (uint)Math.Min(rows, ChunkPixels), (uint)Math.Min(cols, ChunkPixels), (uint)Math.Min(r.Bins, ChunkBins),
        };
        var creation = new H5DatasetCreation(Filters: [ShuffleFilter.Id, DeflateFilter.Id]);
        var dataset = new H5Dataset(r.PixelSpectra, chunks: chunks,
            fileDims: [(ulong)rows, (ulong)cols, (ulong)r.Bins], datasetCreation: creation);
        dataset.Attributes["long_name"] = "counts per pixel and energy bin (energy axis: /entry/spectrum/energy)";
        dataset.Attributes["units"] = "counts";
        return dataset;
    }

    private static H5Group Components(NexusScanResult r)
    {
        int rows = r.Shape.Rows, cols = r.Shape.Cols;
        var map = new ulong[] { (ulong)rows, (ulong)cols };
        var group = new H5Group { Attributes = new() { ["NX_class"] = "NXcollection" } };
        foreach (var c in r.Components)
        {
            var g = new H5Group
            {
                Attributes = MapDataAttributes("mask"),
                ["mask"] = Field(c.Mask, map, ("long_name", $"fraction of {c.Name} per pixel (NaN: unknown)")),
                ["x"] = Field(PixelCentres(cols, r.PitchMm), null, ("units", "mm")),
                ["y"] = Field(PixelCentres(rows, r.PitchMm), null, ("units", "mm")),
                ["emf"] = c.Emf,
                ["emf_sigma"] = c.EmfSigma,
                ["pixels"] = c.Pixels,
            };
            if (c.LiFraction is double x && c.LiFractionSigma is double sx)
            {
                g["li_fraction"] = x;
                g["li_fraction_sigma"] = sx;
            }
            group[c.Name] = g;
        }
        return group;
    }

    private static H5Group Process(NexusProcessInfo p)
    {
        var files = p.InputSha256.Keys.Order(StringComparer.Ordinal).ToArray();
        var sums = files.Select(f => p.InputSha256[f].ToLowerInvariant()).ToArray();
        var configuration = new H5Dataset(p.ConfigurationJson);
        configuration.Attributes["type"] = "application/json";
        var inputs = new H5Group { Attributes = new() { ["NX_class"] = "NXcollection" } };
        if (files.Length > 0)
        {
            inputs["path"] = files;
            inputs["sha256"] = sums;
        }
        return new H5Group
        {
            Attributes = new() { ["NX_class"] = "NXprocess" },
            ["program"] = p.Program,
            ["version"] = p.Version,
            ["date"] = IsoDate(p.Date),
            ["configuration"] = configuration,
            ["inputs"] = inputs,
        };
    }

    /// <summary>Pixel centres along one axis, mm: (i + 0.5) * pitch.</summary>
    public static double[] PixelCentres(int count, double pitchMm)
    {
        var centres = new double[count];
        for (int i = 0; i < count; i++) centres[i] = (i + 0.5) * pitchMm;
        return centres;
    }

    private static string IsoDate(DateTimeOffset date) => date.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);
}
