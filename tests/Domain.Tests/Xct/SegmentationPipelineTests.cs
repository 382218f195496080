using XcsCt.Domain.Xct;

namespace XcsCt.Domain.Tests.Xct;

public class SegmentationPipelineTests
{
    private static readonly VolumeShape Shape = new(30, 40, 44);
    private static readonly (int Z, int Y, int X)[] Centres = [(8, 10, 10), (8, 30, 32), (20, 12, 30), (21, 28, 12), (15, 20, 22), (25, 33, 33)];
    private const int Radius = 5;

    [Fact]
    public void Spheres_are_found_with_their_size_and_the_files_are_written()
    {
        using var dir = new TempDir();
        var volume = Spheres(seed: 1);
        var result = SegmentationPipeline.Run(volume, dir.Path, new SegmentationSettings { VoxelUm = 3.24, Threads = 2 });
        Assert.Equal(Centres.Length, result.Components.Count);
        double expectedDiameter = 2 * Radius * 3.24;
        foreach (var c in result.Components)
            Assert.InRange(c.EquivalentDiameterUm, 0.9 * expectedDiameter, 1.1 * expectedDiameter);
        Assert.InRange(result.Thresholds[0], 14000, 40000);
        // Six digital balls of 515 voxels are 5.9 % of the volume; the median and the opening shave
        // their surface stubs (about a quarter of the voxels of so small a ball).
        Assert.InRange(result.Porosity.Porosity, 0.04, 0.059);
        foreach (var path in new[] { result.PhasesPath, result.LabelsPath, result.CsvPath, result.JsonPath })
            Assert.True(File.Exists(path), path);
        Assert.Equal(5, result.PngPaths.Count);
        Assert.All(result.PngPaths, p => Assert.True(new FileInfo(p).Length > 100));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(dir.Path), e => e.Contains("partial"));
        var labels = VolumeReader.ReadLabels(result.LabelsPath);
        foreach (var (z, y, x) in Centres)
            Assert.NotEqual(0, labels[z, y, x]);
        var phases = VolumeReader.Read<byte>(result.PhasesPath);
        Assert.Equal((byte)2, phases[Centres[0].Z, Centres[0].Y, Centres[0].X]);
        Assert.Equal((byte)1, phases[0, 0, 0]);
    }

    [Theory]
    [InlineData(Connectivity.Full26, 3)]
    [InlineData(Connectivity.Full26, 0)]
    [InlineData(Connectivity.Faces6, 0)]
    public void Small_slabs_give_exactly_the_result_of_one_slab(Connectivity connectivity, int opening)
    {
        using var whole = new TempDir();
        using var slabbed = new TempDir();
        var volume = Spheres(seed: 2);
        // Diagonal chains of voxels crossing slab faces: one component with 26-connectivity, many with 6.
        for (int z = 0; z < Shape.Depth; z++)
            volume[z, 2 + z % 2, 2 + z] = 50000;
        var settings = new SegmentationSettings { VoxelUm = 2, Threads = 1, PngSlices = 0, Connectivity = connectivity, OpeningRadius = opening, Median = opening > 0 };
        var one = SegmentationPipeline.Run(volume, whole.Path, settings);
        // About 3 output slices per slab, plus the halo (median 1, opening 2 r) on each side.
        int halo = (settings.Median ? 1 : 0) + 2 * opening;
        long budget = 22L * Shape.SliceVoxels * (3 + 2 * halo);
        var many = SegmentationPipeline.Run(volume, slabbed.Path, settings with { MemoryBudgetBytes = budget });
        Assert.Equal(1, one.Slabs);
        Assert.True(many.Slabs >= 8, $"{many.Slabs} slabs");
        Assert.Equal(one.Thresholds, many.Thresholds);
        Assert.Equal(one.Components, many.Components);
        Assert.Equal(VolumeReader.ReadLabels(one.LabelsPath).Labels, VolumeReader.ReadLabels(many.LabelsPath).Labels);
        Assert.Equal(VolumeReader.Read<byte>(one.PhasesPath).Data, VolumeReader.Read<byte>(many.PhasesPath).Data);
        if (opening == 0)
        {
            // The diagonal chain: one component with 26-connectivity, one per voxel with 6.
            var chain = one.Components.Where(c => c.YMin >= 2 && c.YMax <= 3).ToList();
            Assert.Equal(connectivity == Connectivity.Full26 ? 1 : Shape.Depth, chain.Count);
        }
    }

    [Fact]
    public void Pipeline_equals_the_filters_composed_in_memory()
    {
        using var dir = new TempDir();
        var volume = Spheres(seed: 3);
        var result = SegmentationPipeline.Run(volume, dir.Path, new SegmentationSettings { Threads = 2, PngSlices = 1, Connectivity = Connectivity.Faces6 });

        var median = MedianFilter.Median3x3x3(new Volume<float>(Shape, volume.Data.Select(v => (float)v).ToArray()), threads: 1);
        var histogram = GreyHistogram.ForRange(volume.Data.Min(v => (double)v), volume.Data.Max(v => (double)v), 1024, integers: true);
        histogram.Add<float>(median.Data);
        var threshold = Otsu.Find(histogram).Value;
        Assert.Equal(threshold, result.Thresholds[0]);
        var mask = new Volume<byte>(Shape, median.Data.Select(v => v >= threshold ? (byte)1 : (byte)0).ToArray());
        var labelled = ConnectedComponents.Label(Morphology.Open(mask, 3), Connectivity.Faces6);
        Assert.Equal(labelled.Labels.Labels, VolumeReader.ReadLabels(result.LabelsPath).Labels);
        Assert.Equal(labelled.Components.Count, result.Components.Count);
    }

    [Fact]
    public void Three_classes_and_a_chosen_phase()
    {
        using var dir = new TempDir();
        var volume = Spheres(seed: 4);
        // A mid-grey slab: the third phase.
        for (int z = 0; z < 4; z++)
        for (int y = 0; y < Shape.Height; y++)
        for (int x = 0; x < Shape.Width; x++)
            volume[z, y, x] = (ushort)(25000 + (x + y) % 7);
        var result = SegmentationPipeline.Run(volume, dir.Path, new SegmentationSettings { Classes = 3, Phase = 1, OpeningRadius = 0, Threads = 2, PngSlices = 0 });
        Assert.Equal(2, result.Thresholds.Length);
        Assert.InRange(result.Thresholds[0], 13000, 25000);
        Assert.InRange(result.Thresholds[1], 25000, 45000);
        Assert.Single(result.Components);
        Assert.Equal(4 * Shape.SliceVoxels, result.Components[0].Voxels, 0.02 * 4 * Shape.SliceVoxels);
        Assert.Throws<InputException>(() => SegmentationPipeline.Run(volume, dir.Path, new SegmentationSettings { Classes = 2, Phase = 2 }));
    }

    /// <summary>Bright balls (~40000) on a noisy dark matrix (~12000-16000), seeded.</summary>
    private static Volume<ushort> Spheres(int seed)
    {
        var rng = new Random(seed);
        var volume = new Volume<ushort>(Shape);
        for (int i = 0; i < volume.Data.Length; i++)
            volume.Data[i] = (ushort)(12000 + rng.Next(4000));
        foreach (var (cz, cy, cx) in Centres)
        {
            for (int z = 0; z < Shape.Depth; z++)
            for (int y = 0; y < Shape.Height; y++)
            for (int x = 0; x < Shape.Width; x++)
            {
                if ((z - cz) * (z - cz) + (y - cy) * (y - cy) + (x - cx) * (x - cx) <= Radius * Radius)
                    volume[z, y, x] = (ushort)(40000 + rng.Next(4000));
            }
        }
        return volume;
    }
}
