using System.Text.Json;
using PureHDF;
using PureHDF.Selections;

namespace XcsCt.Domain.Xct.Reconstruction;

/// <summary>Whether to stitch a 360-degree scan into a 180-degree sinogram of twice the width.</summary>
public enum StitchMode
{
    /// <summary>Stitch 360-degree scans whose axis is off-centre (found by the overlap search); leave others.</summary>
    Auto,

    /// <summary>Never stitch (a 360-degree scan is reconstructed with all its angles).</summary>
    Off,

    /// <summary>Always stitch (the scan must cover 360 degrees).</summary>
    On,
}

/// <summary>Settings of <see cref="TomoReconstruction"/>.</summary>
public sealed record ReconstructionSettings
{
    /// <summary>First detector row (slice) to reconstruct, default 0.</summary>
    public int? FirstSlice { get; init; }

    /// <summary>One past the last detector row, default all rows.</summary>
    public int? EndSlice { get; init; }

    public FbpFilterKind Filter { get; init; } = FbpFilterKind.RamLak;

    /// <summary>Window of the sorting-based stripe removal in columns (odd, default 21); 0 turns it off.</summary>
    public int RingWindow { get; init; } = 21;

    /// <summary>Rotation centre in detector pixels; null searches it on the middle slice.</summary>
    public double? Centre { get; init; }

    public StitchMode Stitch { get; init; } = StitchMode.Auto;

    /// <summary>Reconstructed slice size in pixels; default the (stitched) detector width.</summary>
    public int? Size { get; init; }

    /// <summary>Cores to use; 0 for all.</summary>
    public int Threads { get; init; }

    public bool WriteTiff { get; init; } = true;

    public bool WriteHdf5 { get; init; } = true;

    /// <summary>Detector rows read per slab.</summary>
    public int RowsPerSlab { get; init; } = 8;

    /// <summary>Creation time written into the provenance (the caller's clock; Domain reads none).</summary>
    public DateTimeOffset? CreatedUtc { get; init; }
}

/// <summary>What a reconstruction did, for the command line and the output metadata.</summary>
public sealed record ReconstructionSummary(
    string Input, string Layout, int Projections, int FirstSlice, int Slices, int Size, double Centre, bool Stitched,
    OverlapResult? Overlap, IReadOnlyList<string> Warnings, string? TiffPath, string? Hdf5Path);

/// <summary>
/// Reconstruction of slices from projections (ANALYSIS section 7 inputs): for each detector row,
/// flat/dark correction and -log, sorting-based stripe removal, optional 360-to-180-degree
/// stitching, filtered back projection. Writes a float32 TIFF stack and an HDF5/NeXus file
/// (<c>/entry/reconstruction/data</c> [slice, y, x], NXdata with axes; <c>/entry/process</c> with the
/// settings and warnings), each through a temporary name and a rename.
/// </summary>
public static class TomoReconstruction
{
    public const string TiffName = "reconstruction.tif";
    public const string Hdf5Name = "reconstruction.nxs";

    public static ReconstructionSummary Run(string input, string outDir, ReconstructionSettings settings, Action<int, int>? progress = null)
    {
        using var tomo = TomoFile.Open(input);
        int first = settings.FirstSlice ?? 0, end = settings.EndSlice ?? tomo.Rows;
        if (first < 0 || end > tomo.Rows || end <= first)
            throw new InputException($"slices {first}:{end} are not inside the {tomo.Rows} detector rows of {input} (use a:b with 0 <= a < b <= {tomo.Rows})");
        if (settings.RingWindow != 0 && (settings.RingWindow < 3 || settings.RingWindow % 2 == 0))
            throw new InputException($"ring removal window {settings.RingWindow} is not valid: expected an odd number >= 3, or 0 for none");
        var warnings = new List<string>(tomo.Warnings);
        var plan = Plan(tomo, settings, (first + end) / 2, warnings);
        int size = settings.Size ?? plan.Cols;
        if (size is <= 0 or > 16384)
            throw new InputException($"slice size {size} pixels is not valid: expected 1..16384");
        var filter = new FbpFilter(plan.Cols, settings.Filter);
        int slices = end - first;

        Directory.CreateDirectory(outDir);
        string? tiffPath = settings.WriteTiff ? Path.Combine(outDir, TiffName) : null;
        string? hdfPath = settings.WriteHdf5 ? Path.Combine(outDir, Hdf5Name) : null;
        var summary = new ReconstructionSummary(input, tomo.Layout.ToString(), tomo.Projections, first, slices, size, plan.Centre, plan.Overlap is not null,
            plan.Overlap, warnings, tiffPath, hdfPath);

        using var tiff = tiffPath is null ? null : new TiffStackWriter(tiffPath, size, size, slices, VoxelType.Float32);
        string? hdfTemp = hdfPath is null ? null : hdfPath + $".{Guid.NewGuid():N}.partial";
        var dataset = new H5Dataset<float[]>(fileDims: [(ulong)slices, (ulong)size, (ulong)size], chunks: [1, (uint)Math.Min(size, 1024), (uint)Math.Min(size, 1024)]);
        H5NativeWriter? hdf = hdfTemp is null ? null : NeXusFile(summary, settings, dataset, slices, size, first).BeginWrite(hdfTemp);
        try
        {
            int done = 0;
            for (int row = first; row < end; row += settings.RowsPerSlab)
            {
                int count = Math.Min(settings.RowsPerSlab, end - row);
                var rows = tomo.ReadRows(row, count);
                for (int r = 0; r < count; r++)
                {
                    var image = ReconstructRow(rows, r, plan, settings, filter, size);
                    tiff?.WriteSlice<float>(image);
                    hdf?.Write(dataset, image, fileSelection: new HyperslabSelection(3, [(ulong)(row - first + r), 0, 0], [1, (ulong)size, (ulong)size]));
                    progress?.Invoke(++done, slices);
                }
            }
            hdf?.Dispose();
            hdf = null;
            if (hdfTemp is not null)
                File.Move(hdfTemp, hdfPath!, overwrite: true);
            tiff?.Complete();
        }
        finally
        {
            hdf?.Dispose();
            if (hdfTemp is not null && File.Exists(hdfTemp))
                File.Delete(hdfTemp);
        }
        return summary;
    }

    /// <summary>Reconstructs one detector row of a read slab with a prepared plan (used by <see cref="Run"/> and tests).</summary>
    public static float[] ReconstructRow(ProjectionRows rows, int r, SlicePlan plan, ReconstructionSettings settings, FbpFilter filter, int size)
    {
        var sino = Prepare(rows, r, settings);
        if (plan.Overlap is { } overlap)
        {
            var stitched = Stitching360.Stitch(sino, plan.SourceAngles, rows.Cols, overlap.Overlap, overlap.Side);
            return FilteredBackProjection.Reconstruct(stitched.Sinogram, stitched.Angles, stitched.Cols, plan.Centre, size, filter, settings.Threads);
        }
        return FilteredBackProjection.Reconstruct(sino, plan.Angles, rows.Cols, plan.Centre, size, filter, settings.Threads);
    }

    /// <summary>Flat/dark correction, -log and stripe removal of one detector row.</summary>
    public static float[] Prepare(ProjectionRows rows, int r, ReconstructionSettings settings)
    {
        var sino = rows.Sinogram(r).ToArray();
        FlatDarkCorrection.ToAttenuation(sino, rows.Projections, rows.Cols,
            rows.Flat is null ? [] : rows.Flat.AsSpan(r * rows.Cols, rows.Cols),
            rows.Dark is null ? [] : rows.Dark.AsSpan(r * rows.Cols, rows.Cols));
        if (settings.RingWindow > 0)
            RingRemoval.RemoveStripesBySorting(sino, rows.Projections, rows.Cols, settings.RingWindow);
        return sino;
    }

    /// <summary>How every slice is reconstructed: angles, centre, and the stitching overlap if any.</summary>
    /// <param name="SourceAngles">Angles of the projections as read.</param>
    /// <param name="Angles">Angles of the sinogram that is back projected (the first half when stitched).</param>
    /// <param name="Cols">Width of that sinogram.</param>
    public sealed record SlicePlan(double[] SourceAngles, double[] Angles, int Cols, double Centre, OverlapResult? Overlap);

    /// <summary>Decides stitching and finds the centre on detector row <paramref name="probeRow"/>.</summary>
    public static SlicePlan Plan(TomoFile tomo, ReconstructionSettings settings, int probeRow, List<string> warnings)
    {
        var angles = tomo.AnglesRad;
        int n = angles.Length;
        double step = n > 1 ? (angles[^1] - angles[0]) / (n - 1) : 0;
        double span = Math.Abs(step) * n;
        bool full360 = Math.Abs(span - 2 * Math.PI) < 0.02 * Math.PI;
        bool half180 = Math.Abs(span - Math.PI) < 0.02 * Math.PI;
        if (!full360 && !half180)
            warnings.Add($"projections cover {span * 180 / Math.PI:0.#} degrees, neither 180 nor 360: reconstructed as given");
        if (settings.Stitch == StitchMode.On && !full360)
            throw new InputException($"{tomo.Path}: stitching needs a scan over 360 degrees, this one covers {span * 180 / Math.PI:0.#}");

        var rows = tomo.ReadRows(probeRow, 1);
        var sino = Prepare(rows, 0, settings);
        int cols = tomo.Cols;
        if (full360 && settings.Stitch != StitchMode.Off)
        {
            if (n % 2 != 0)
                throw new InputException($"{tomo.Path}: a 360-degree scan needs an even number of projections to pair each with the one 180 degrees later, found {n}");
            var overlap = Stitching360.FindOverlap(sino, n, cols);
            bool offCentre = overlap.Overlap < cols - 9;
            if (settings.Stitch == StitchMode.On || offCentre)
            {
                var stitched = Stitching360.Stitch(sino, angles, cols, overlap.Overlap, overlap.Side);
                double centre = settings.Centre ?? stitched.Centre;
                return new SlicePlan(angles, stitched.Angles, stitched.Cols, centre, overlap);
            }
        }
        if (settings.Centre is { } given)
        {
            if (!(given > 0 && given < cols - 1))
                throw new InputException($"rotation centre {given} is not inside the {cols}-column detector");
            return new SlicePlan(angles, angles, cols, given, null);
        }
        // Search on a 180-degree part: the first half of a 360-degree scan.
        int half = full360 ? n / 2 : n;
        var found = RotationCentre.Find(sino.AsSpan(0, half * cols), half, cols);
        return new SlicePlan(angles, angles, cols, found.Centre, null);
    }

    private static H5File NeXusFile(ReconstructionSummary summary, ReconstructionSettings settings, H5Dataset<float[]> dataset, int slices, int size, int first)
    {
        double c = (size - 1) / 2.0;
        var parameters = JsonSerializer.Serialize(new
        {
            input = summary.Input,
            layout = summary.Layout,
            projections = summary.Projections,
            first_slice = summary.FirstSlice,
            slices = summary.Slices,
            size = summary.Size,
            centre = summary.Centre,
            stitched = summary.Stitched,
            overlap = summary.Overlap?.Overlap,
            axis_side = summary.Overlap?.Side.ToString(),
            filter = settings.Filter.ToString(),
            ring_window = settings.RingWindow,
            warnings = summary.Warnings,
        });
        return new H5File
        {
            Attributes = new() { ["default"] = "entry" },
            ["entry"] = new H5Group
            {
                Attributes = new() { ["NX_class"] = "NXentry", ["default"] = "reconstruction" },
                ["reconstruction"] = new H5Group
                {
                    Attributes = new()
                    {
                        ["NX_class"] = "NXdata",
                        ["signal"] = "data",
                        ["axes"] = new[] { "slice", "y", "x" },
                        ["slice_indices"] = 0,
                        ["y_indices"] = 1,
                        ["x_indices"] = 2,
                    },
                    ["data"] = dataset,
                    ["slice"] = Enumerable.Range(first, slices).ToArray(),
                    ["y"] = Enumerable.Range(0, size).Select(i => i - c).ToArray(),
                    ["x"] = Enumerable.Range(0, size).Select(i => i - c).ToArray(),
                },
                ["process"] = new H5Group
                {
                    Attributes = new() { ["NX_class"] = "NXprocess" },
                    ["program"] = DomainInfo.Program,
                    ["version"] = DomainInfo.Version,
                    ["date"] = settings.CreatedUtc?.ToString("o") ?? "unknown",
                    ["parameters"] = parameters,
                    ["warnings"] = summary.Warnings.Count > 0 ? summary.Warnings.ToArray() : new[] { "none" },
                },
            },
        };
    }
}
