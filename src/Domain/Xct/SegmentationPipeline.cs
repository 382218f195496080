using System.Numerics;

namespace XcsCt.Domain.Xct;

/// <summary>Settings of <see cref="SegmentationPipeline"/> (ANALYSIS section 7, segmentation as in the paper).</summary>
public sealed record SegmentationSettings
{
    /// <summary>Voxel size in um (for volumes and equivalent diameters).</summary>
    public double VoxelUm { get; init; } = 1;

    /// <summary>3D median 3x3x3 first (default on).</summary>
    public bool Median { get; init; } = true;

    /// <summary>Greyscale opening radius in voxels before thresholding; 0 (default) for none.</summary>
    public int GreyOpeningRadius { get; init; }

    /// <summary>Phases: 2 (one Otsu threshold) or 3 (two thresholds).</summary>
    public int Classes { get; init; } = 2;

    /// <summary>Phase whose components are labelled and whose porosity is reported, 0 = darkest; default the brightest.</summary>
    public int? Phase { get; init; }

    /// <summary>Binary opening radius of the labelled phase in voxels (default 3; 0 for none).</summary>
    public int OpeningRadius { get; init; } = 3;

    public Connectivity Connectivity { get; init; } = Connectivity.Full26;

    /// <summary>Grey histogram bins for the thresholds (default 1024).</summary>
    public int Bins { get; init; } = 1024;

    /// <summary>Working memory for slabs, bytes (default 1 GiB): the volume is processed in z-slabs that fit.</summary>
    public long MemoryBudgetBytes { get; init; } = 1L << 30;

    /// <summary>Cores to use; 0 for all.</summary>
    public int Threads { get; init; }

    /// <summary>PNG slices with outlines to write, evenly spaced (default 5).</summary>
    public int PngSlices { get; init; } = 5;

    public SegmentationSettings Validated()
    {
        if (!(VoxelUm > 0 && double.IsFinite(VoxelUm)))
            throw new InputException($"voxel size {VoxelUm} um is not valid: expected a positive number");
        if (Classes is not (2 or 3))
            throw new InputException($"{Classes} classes are not supported: expected 2 (one threshold) or 3 (two thresholds)");
        if (Phase is { } p && (p < 0 || p >= Classes))
            throw new InputException($"phase {p} is not one of the {Classes} classes (0 = darkest .. {Classes - 1} = brightest)");
        if (GreyOpeningRadius is < 0 or > 16 || OpeningRadius is < 0 or > 16)
            throw new InputException($"opening radii {GreyOpeningRadius} and {OpeningRadius} voxels are not valid: expected 0..16");
        if (Bins is < 16 or > 1 << 16)
            throw new InputException($"{Bins} histogram bins are not valid: expected 16..65536");
        if (PngSlices < 0)
            throw new InputException($"{PngSlices} PNG slices is not valid");
        return this;
    }
}

/// <summary>What a segmentation found and wrote.</summary>
public sealed record SegmentationResult(
    VolumeShape Shape, double[] Thresholds, int Phase, IReadOnlyList<ComponentStats> Components, PorosityResult Porosity,
    string PhasesPath, string LabelsPath, string CsvPath, string JsonPath, IReadOnlyList<string> PngPaths, int Slabs);

/// <summary>
/// The paper's segmentation of an XCT volume of any size, in z-slabs with halos and constant memory
/// (ANALYSIS section 7): 3D median 3x3x3, optional greyscale opening, automatic threshold(s) by Otsu's
/// criterion on the histogram of the filtered volume, binary opening (ball, radius 3) of the chosen
/// phase, connected-component labelling (26- or 6-connected) with per-component volume, equivalent
/// diameter and bounding box, porosity and pore-size distribution. Three streaming passes: (A) filter
/// and histogram; (B) filter, classify, write the phase volume, open, label slab by slab with a
/// union-find across slab faces, store the opened mask as bits; (C) relabel the stored mask with the
/// resolved labels and write the label volume. Outputs are written under temporary names and renamed.
/// </summary>
public static class SegmentationPipeline
{
    public const string PhasesName = "phases.tif";
    public const string LabelsName = "labels.tif";
    public const string CsvName = "components.csv";
    public const string JsonName = "components.json";

    public static SegmentationResult Run(IVolumeSource source, string outDir, SegmentationSettings settings, Action<string, int, int>? progress = null)
    {
        settings.Validated();
        var shape = source.Shape;
        int depth = shape.Depth, sliceVoxels = shape.SliceVoxels;
        int hFilter = (settings.Median ? 1 : 0) + 2 * settings.GreyOpeningRadius;
        int hMask = 2 * settings.OpeningRadius;
        // Per voxel of a slab: raw, median and grey-opened floats, class and mask bytes, int labels.
        int slabSlices = SlabPlan.SlicesFor(settings.MemoryBudgetBytes, 22L * sliceVoxels, hFilter + hMask, depth);
        var slabs = SlabPlan.Plan(depth, slabSlices, 0);
        int threads = settings.Threads > 0 ? settings.Threads : Environment.ProcessorCount;
        Directory.CreateDirectory(outDir);
        string work = Path.Combine(outDir, $".segment-{Guid.NewGuid():N}.partial");
        Directory.CreateDirectory(work);
        try
        {
            var filter = new SlabFilter(source, settings, threads);

            // Pass A: range of the input (filters stay inside it), then the histogram of the filtered volume.
            var (min, max) = Range(source, slabs);
            var histogram = GreyHistogram.ForRange(min, max, settings.Bins, source.Type.IsInteger(), source.Name);
            for (int s = 0; s < slabs.Count; s++)
            {
                histogram.Add<float>(filter.Filtered(slabs[s].OutputFirst, slabs[s].OutputFirst + slabs[s].OutputCount));
                progress?.Invoke("histogram", s + 1, slabs.Count);
            }
            double[] thresholds;
            if (settings.Classes == 2)
            {
                thresholds = [Otsu.Find(histogram).Value];
            }
            else
            {
                var two = Otsu.FindTwo(histogram);
                thresholds = [two.Lower, two.Upper];
            }
            int phase = settings.Phase ?? settings.Classes - 1;

            // Pass B: classes, opened phase mask (stored as bits), labels slab by slab joined across faces.
            var pngSlices = PngSliceIndices(depth, settings.PngSlices);
            var pngGrey = new Dictionary<int, float[]>();
            var ball = new Ball(settings.OpeningRadius);
            var joiner = new SlabLabelJoiner(shape, settings.Connectivity);
            string maskPath = Path.Combine(work, "mask.bits");
            int wordsPerRow = (shape.Width + 63) / 64;
            var phasesPath = Path.Combine(outDir, PhasesName);
            using (var phases = new TiffStackWriter(phasesPath, shape.Width, shape.Height, depth, VoxelType.UInt8, deflate: true))
            using (var maskFile = new FileStream(maskPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                var words = new ulong[wordsPerRow];
                foreach (var (slab, index) in slabs.Select((s, i) => (s, i)))
                {
                    int z0 = slab.OutputFirst, z1 = z0 + slab.OutputCount;
                    int m0 = Math.Max(0, z0 - hMask), m1 = Math.Min(depth, z1 + hMask);
                    var grey = filter.Filtered(m0, m1);
                    var classes = Classify(grey, thresholds);
                    for (int z = z0; z < z1; z++)
                    {
                        var cls = classes.AsSpan((z - m0) * sliceVoxels, sliceVoxels);
                        var page = new byte[sliceVoxels];
                        for (int i = 0; i < page.Length; i++)
                            page[i] = (byte)(cls[i] + 1);
                        phases.WriteSlice<byte>(page);
                        if (pngSlices.Contains(z))
                            pngGrey[z] = grey.AsSpan((z - m0) * sliceVoxels, sliceVoxels).ToArray();
                    }
                    var mask = new byte[classes.Length];
                    for (int i = 0; i < mask.Length; i++)
                        mask[i] = classes[i] == phase ? (byte)1 : (byte)0;
                    var opened = new byte[(z1 - z0) * sliceVoxels];
                    OpenParallel(mask, shape.WithDepth(m1 - m0), ball, z0 - m0, opened, settings.OpeningRadius, threads);
                    var slabShape = shape.WithDepth(z1 - z0);
                    joiner.Add(opened, slabShape, z0);
                    for (int r = 0; r < (z1 - z0) * shape.Height; r++)
                    {
                        BitRows.Pack(opened.AsSpan(r * shape.Width, shape.Width), words, 0);
                        maskFile.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(words.AsSpan()));
                    }
                    progress?.Invoke("segment", index + 1, slabs.Count);
                }
                phases.Complete();
            }

            var finalOf = joiner.Resolve(out var accumulators);
            var components = new ComponentStats[accumulators.Count];
            for (int i = 0; i < components.Length; i++)
                components[i] = ComponentStats.From(i + 1, accumulators[i], settings.VoxelUm);
            var porosity = PorosityResult.Measure(components, shape.Voxels, settings.VoxelUm);

            // Pass C: the same slab labelling of the stored mask, mapped to the final labels.
            var labelsPath = Path.Combine(outDir, LabelsName);
            var labelType = components.Length < ushort.MaxValue ? VoxelType.UInt16 : VoxelType.UInt32;
            var pngLabels = new Dictionary<int, int[]>();
            using (var labelsOut = new TiffStackWriter(labelsPath, shape.Width, shape.Height, depth, labelType, deflate: true))
            using (var maskFile = new FileStream(maskPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
            {
                var words = new ulong[wordsPerRow];
                var wordBytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(words.AsSpan());
                var labeller = new Dictionary<int, RunLabeller>();
                foreach (var (slab, index) in slabs.Select((s, i) => (s, i)))
                {
                    int z0 = slab.OutputFirst, n = slab.OutputCount;
                    var mask = new byte[n * sliceVoxels];
                    for (int r = 0; r < n * shape.Height; r++)
                    {
                        maskFile.ReadExactly(wordBytes);
                        BitRows.Unpack(words, mask.AsSpan(r * shape.Width, shape.Width));
                    }
                    var local = new int[mask.Length];
                    if (!labeller.TryGetValue(n, out var runLabeller))
                        labeller[n] = runLabeller = new RunLabeller(shape.WithDepth(n), settings.Connectivity);
                    runLabeller.Label(mask, local);
                    int offset = joiner.SlabOffset(index);
                    for (int z = 0; z < n; z++)
                    {
                        var slice = local.AsSpan(z * sliceVoxels, sliceVoxels);
                        for (int i = 0; i < slice.Length; i++)
                        {
                            if (slice[i] != 0)
                                slice[i] = finalOf[offset + slice[i] - 1];
                        }
                        if (labelType == VoxelType.UInt16)
                        {
                            var page = new ushort[sliceVoxels];
                            for (int i = 0; i < page.Length; i++)
                                page[i] = (ushort)slice[i];
                            labelsOut.WriteSlice<ushort>(page);
                        }
                        else
                        {
                            var page = new uint[sliceVoxels];
                            for (int i = 0; i < page.Length; i++)
                                page[i] = (uint)slice[i];
                            labelsOut.WriteSlice<uint>(page);
                        }
                        if (pngGrey.ContainsKey(z0 + z))
                            pngLabels[z0 + z] = slice.ToArray();
                    }
                    progress?.Invoke("labels", index + 1, slabs.Count);
                }
                labelsOut.Complete();
            }

            var pngPaths = new List<string>();
            foreach (var z in pngSlices)
            {
                string png = Path.Combine(outDir, $"slice_{z:D5}.png");
                SliceImages.WritePng(png, pngGrey[z], shape.Width, shape.Height, labels: pngLabels[z]);
                pngPaths.Add(png);
            }

            string csvPath = Path.Combine(outDir, CsvName), jsonPath = Path.Combine(outDir, JsonName);
            ComponentTables.WriteAtomically(csvPath, ComponentTables.ToCsv(components));
            var extra = new Dictionary<string, object>
            {
                ["input"] = source.Name,
                ["shape_zyx"] = new[] { shape.Depth, shape.Height, shape.Width },
                ["thresholds"] = thresholds,
                ["classes"] = settings.Classes,
                ["phase"] = phase,
                ["median"] = settings.Median,
                ["grey_opening_radius"] = settings.GreyOpeningRadius,
                ["opening_radius"] = settings.OpeningRadius,
                ["connectivity"] = (int)settings.Connectivity,
                ["slabs"] = slabs.Count,
            };
            ComponentTables.WriteAtomically(jsonPath, ComponentTables.ToJson(components, settings.VoxelUm, porosity, extra));
            return new SegmentationResult(shape, thresholds, phase, components, porosity, phasesPath, labelsPath, csvPath, jsonPath, pngPaths, slabs.Count);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static (double Min, double Max) Range(IVolumeSource source, IReadOnlyList<Slab> slabs)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var slab in slabs)
        {
            var buffer = new float[slab.OutputCount * source.Shape.SliceVoxels];
            source.ReadSlices<float>(slab.OutputFirst, buffer);
            foreach (var v in buffer)
            {
                if (float.IsFinite(v))
                {
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
            }
        }
        return (min, max);
    }

    private static byte[] Classify(float[] grey, double[] thresholds)
    {
        var classes = new byte[grey.Length];
        float t0 = (float)thresholds[0], t1 = thresholds.Length > 1 ? (float)thresholds[1] : float.PositiveInfinity;
        for (int i = 0; i < grey.Length; i++)
        {
            float v = grey[i];
            classes[i] = v >= t1 ? (byte)2 : v >= t0 ? (byte)1 : (byte)0;
        }
        return classes;
    }

    private static SortedSet<int> PngSliceIndices(int depth, int count)
    {
        var set = new SortedSet<int>();
        for (int i = 0; i < Math.Min(count, depth); i++)
            set.Add((int)((i + 0.5) * depth / Math.Min(count, depth)));
        return set;
    }

    /// <summary>Binary opening of a slab, output slices split across threads (each chunk recomputes its own halo).</summary>
    private static void OpenParallel(byte[] mask, VolumeShape shape, Ball ball, int firstOutput, byte[] output, int radius, int threads)
    {
        int n = output.Length / shape.SliceVoxels;
        if (radius == 0)
        {
            Array.Copy(mask, firstOutput * shape.SliceVoxels, output, 0, output.Length);
            return;
        }
        int chunk = Math.Max(1, (n + threads - 1) / threads);
        Parallel.For(0, (n + chunk - 1) / chunk, new ParallelOptions { MaxDegreeOfParallelism = threads }, c =>
        {
            int o0 = c * chunk, o1 = Math.Min(n, o0 + chunk);
            int z0 = firstOutput + o0, z1 = firstOutput + o1;
            int i0 = Math.Max(0, z0 - 2 * radius), i1 = Math.Min(shape.Depth, z1 + 2 * radius);
            Morphology.Open(mask.AsSpan(i0 * shape.SliceVoxels, (i1 - i0) * shape.SliceVoxels), shape.WithDepth(i1 - i0), ball, z0 - i0,
                output.AsSpan(o0 * shape.SliceVoxels, (o1 - o0) * shape.SliceVoxels));
        });
    }

    /// <summary>Median and greyscale opening of any slice range, reading the input with the halo they need.</summary>
    private sealed class SlabFilter(IVolumeSource source, SegmentationSettings settings, int threads)
    {
        private readonly int _halo = (settings.Median ? 1 : 0) + 2 * settings.GreyOpeningRadius;

        /// <summary>Filtered values of slices [z0, z1).</summary>
        public float[] Filtered(int z0, int z1)
        {
            var shape = source.Shape;
            int sv = shape.SliceVoxels;
            int i0 = Math.Max(0, z0 - _halo), i1 = Math.Min(shape.Depth, z1 + _halo);
            var raw = new float[(i1 - i0) * sv];
            source.ReadSlices<float>(i0, raw);
            var slabShape = shape.WithDepth(i1 - i0);
            var current = raw;
            if (settings.Median)
            {
                var median = new float[raw.Length];
                ParallelSlices(i1 - i0, (a, b) => MedianFilter.Median3x3x3<float>(raw, slabShape, a, median.AsSpan(a * sv, (b - a) * sv)));
                current = median;
            }
            if (settings.GreyOpeningRadius > 0)
            {
                var ball = new Ball(settings.GreyOpeningRadius);
                var opened = new float[current.Length];
                Morphology.OpenGrey<float>(current, slabShape, ball, 0, opened);
                current = opened;
            }
            return current.AsSpan((z0 - i0) * sv, (z1 - z0) * sv).ToArray();
        }

        private void ParallelSlices(int n, Action<int, int> run)
        {
            int chunk = Math.Max(1, (n + threads - 1) / threads);
            Parallel.For(0, (n + chunk - 1) / chunk, new ParallelOptions { MaxDegreeOfParallelism = threads }, c => run(c * chunk, Math.Min(n, (c + 1) * chunk)));
        }
    }
}

/// <summary>
/// Connected components of a volume labelled slab by slab: each slab's local components get
/// provisional ids (offset + local label), components touching across a slab face are united, and
/// <see cref="Resolve"/> numbers the roots 1..n in raster order of their first voxel, exactly as
/// labelling the whole volume at once would.
/// </summary>
internal sealed class SlabLabelJoiner(VolumeShape shape, Connectivity connectivity)
{
    private readonly List<int> _parent = [];
    private readonly List<ComponentAccumulator> _stats = [];
    private readonly List<int> _offsets = [];
    private int[]? _lastSlice;
    private int _lastOffset;
    private RunLabeller? _labeller;
    private int _labellerDepth = -1;

    /// <summary>Adds the next slab (slices in order) of the opened mask, starting at volume slice <paramref name="z0"/>.</summary>
    public void Add(byte[] mask, VolumeShape slabShape, int z0)
    {
        if (_labeller is null || _labellerDepth != slabShape.Depth)
        {
            _labeller = new RunLabeller(slabShape, connectivity);
            _labellerDepth = slabShape.Depth;
        }
        var local = new int[mask.Length];
        int count = _labeller.Label(mask, local);
        int offset = _parent.Count;
        _offsets.Add(offset);
        for (int i = 0; i < count; i++)
        {
            _parent.Add(offset + i);
            _stats.Add(_labeller.Stats[i].ShiftedZ(z0));
        }
        int sv = shape.SliceVoxels;
        if (_lastSlice is not null)
            JoinFaces(_lastSlice, _lastOffset, local.AsSpan(0, sv), offset);
        _lastSlice = local.AsSpan((slabShape.Depth - 1) * sv, sv).ToArray();
        _lastOffset = offset;
    }

    /// <summary>Provisional id of local label 1 of slab <paramref name="index"/>.</summary>
    public int SlabOffset(int index) => _offsets[index];

    /// <summary>Final label (1..n) of every provisional id, and the measurements of each final label.</summary>
    public int[] Resolve(out List<ComponentAccumulator> components)
    {
        var final = new int[_parent.Count];
        components = [];
        for (int p = 0; p < _parent.Count; p++)
        {
            int root = Find(p);
            if (root == p)
            {
                components.Add(_stats[p]);
                final[p] = components.Count;
            }
            else
            {
                final[p] = final[root];
                var c = components[final[p] - 1];
                c.Add(_stats[p]);
                components[final[p] - 1] = c;
            }
        }
        return final;
    }

    private void JoinFaces(int[] below, int belowOffset, ReadOnlySpan<int> above, int aboveOffset)
    {
        int h = shape.Height, w = shape.Width;
        int reach = connectivity == Connectivity.Full26 ? 1 : 0;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int l = above[y * w + x];
                if (l == 0)
                    continue;
                for (int dy = -reach; dy <= reach; dy++)
                {
                    int yy = y + dy;
                    if ((uint)yy >= (uint)h)
                        continue;
                    for (int dx = -reach; dx <= reach; dx++)
                    {
                        int xx = x + dx;
                        if ((uint)xx >= (uint)w)
                            continue;
                        int m = below[yy * w + xx];
                        if (m != 0)
                            Union(aboveOffset + l - 1, belowOffset + m - 1);
                    }
                }
            }
        }
    }

    private int Find(int i)
    {
        while (_parent[i] != i)
        {
            _parent[i] = _parent[_parent[i]];
            i = _parent[i];
        }
        return i;
    }

    private void Union(int a, int b)
    {
        int ra = Find(a), rb = Find(b);
        if (ra == rb)
            return;
        if (ra < rb)
            _parent[rb] = ra;
        else
            _parent[ra] = rb;
    }
}
