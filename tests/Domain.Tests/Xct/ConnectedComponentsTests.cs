using XcsCt.Domain.Xct;

namespace XcsCt.Domain.Tests.Xct;

public class ConnectedComponentsTests
{
    [Fact]
    public void Cubes_touching_only_by_a_corner_are_one_component_with_26_and_two_with_6()
    {
        var mask = new Volume<byte>(new VolumeShape(6, 6, 6));
        Box(mask, 0, 0, 0, 2);
        Box(mask, 2, 2, 2, 2);
        Assert.Single(ConnectedComponents.Label(mask, Connectivity.Full26).Components);
        Assert.Equal(2, ConnectedComponents.Label(mask, Connectivity.Faces6).Components.Count);
    }

    [Fact]
    public void Voxels_touching_only_by_an_edge_are_one_component_with_26_and_two_with_6()
    {
        var mask = new Volume<byte>(new VolumeShape(3, 3, 3));
        mask[0, 0, 0] = 1;
        mask[0, 1, 1] = 1; // shares the edge along z=0 plane diagonal
        mask[2, 0, 2] = 1; // isolated
        mask[2, 1, 2] = 1; // face neighbour of the previous
        var r26 = ConnectedComponents.Label(mask, Connectivity.Full26);
        var r6 = ConnectedComponents.Label(mask, Connectivity.Faces6);
        Assert.Equal(2, r26.Components.Count);
        Assert.Equal(3, r6.Components.Count);
        Assert.Equal([2, 2], r26.Components.Select(c => (int)c.Voxels));
        Assert.Equal([1, 1, 2], r6.Components.Select(c => (int)c.Voxels));
    }

    [Fact]
    public void Known_components_have_their_volume_box_and_equivalent_diameter()
    {
        var shape = new VolumeShape(10, 12, 14);
        var mask = new Volume<byte>(shape);
        Box(mask, 1, 1, 1, 3);          // 27 voxels
        Box(mask, 5, 6, 8, 4);          // 64 voxels
        mask[9, 11, 13] = 1;            // 1 voxel
        var result = ConnectedComponents.Label(mask, Connectivity.Full26, voxelUm: 3.24);
        Assert.Equal(3, result.Components.Count);
        var big = result.Components[1];
        Assert.Equal(2, big.Label);
        Assert.Equal(64, big.Voxels);
        Assert.Equal((5, 8, 6, 9, 8, 11), (big.ZMin, big.ZMax, big.YMin, big.YMax, big.XMin, big.XMax));
        Assert.Equal(6.5, big.CentroidZ, 12);
        Assert.Equal(9.5, big.CentroidX, 12);
        double volume = 64 * Math.Pow(3.24, 3);
        Assert.Equal(volume, big.VolumeUm3, 9);
        Assert.Equal(Math.Cbrt(6 * volume / Math.PI), big.EquivalentDiameterUm, 9);
        Assert.Equal(2, result.Labels[6, 7, 9]);
        Assert.Equal(0, result.Labels[0, 0, 0]);
        Assert.Equal(3, result.Labels[9, 11, 13]);
    }

    [Fact]
    public void A_hollow_shell_and_its_inner_core_are_separate_components()
    {
        var mask = new Volume<byte>(new VolumeShape(9, 9, 9));
        Box(mask, 0, 0, 0, 9);
        for (int z = 1; z < 8; z++)
        for (int y = 1; y < 8; y++)
        for (int x = 1; x < 8; x++)
            mask[z, y, x] = 0;
        mask[4, 4, 4] = 1;
        var result = ConnectedComponents.Label(mask, Connectivity.Full26);
        Assert.Equal(2, result.Components.Count);
        Assert.Equal(1, result.Components[1].Voxels);
    }

    [Theory]
    [InlineData(Connectivity.Full26, 0.2)]
    [InlineData(Connectivity.Full26, 0.5)]
    [InlineData(Connectivity.Faces6, 0.3)]
    [InlineData(Connectivity.Faces6, 0.6)]
    public void Run_labelling_equals_flood_fill_on_random_volumes(Connectivity connectivity, double fraction)
    {
        foreach (var shape in new[] { new VolumeShape(1, 1, 1), new VolumeShape(7, 9, 11), new VolumeShape(12, 10, 70), new VolumeShape(3, 40, 5) })
        {
            var mask = XctTestData.RandomMask(shape, seed: shape.Width + (int)(fraction * 100), fraction);
            var fast = new int[mask.Data.Length];
            var plain = new int[mask.Data.Length];
            int nFast = ConnectedComponents.Label(mask.Data, shape, connectivity, fast);
            int nPlain = ConnectedComponentsReference.Label(mask.Data, shape, connectivity, plain);
            Assert.Equal(nPlain, nFast);
            Assert.Equal(plain, fast);
        }
    }

    [Fact]
    public void Porosity_and_pore_size_distribution_of_known_pores()
    {
        var shape = new VolumeShape(20, 20, 20);
        var mask = new Volume<byte>(shape);
        Box(mask, 1, 1, 1, 2);   // 8 voxels
        Box(mask, 5, 5, 5, 2);   // 8 voxels
        Box(mask, 10, 10, 10, 6); // 216 voxels
        var result = ConnectedComponents.Label(mask, Connectivity.Full26, voxelUm: 2);
        var porosity = PorosityResult.Measure(result.Components, shape.Voxels, voxelUm: 2);
        Assert.Equal(232.0 / 8000, porosity.Porosity, 12);
        Assert.Equal(3, porosity.Components);
        Assert.Equal(1.0, porosity.Distribution.Sum(b => b.NumberFraction), 12);
        Assert.Equal(1.0, porosity.Distribution.Sum(b => b.VolumeFraction), 12);
        var bigBin = porosity.Distribution.Single(b => b.Count == 1);
        double dBig = Math.Cbrt(6 * 216 * 8 / Math.PI);
        Assert.InRange(dBig, bigBin.LowerUm, bigBin.UpperUm);
        Assert.Equal(216.0 / 232, bigBin.VolumeFraction, 12);
        string csv = ComponentTables.ToCsv(result.Components);
        Assert.Equal(4, csv.Trim().Split('\n').Length);
        Assert.Contains("\"porosity\"", ComponentTables.ToJson(result.Components, 2, porosity));
    }

    private static void Box(Volume<byte> mask, int z0, int y0, int x0, int size)
    {
        for (int z = z0; z < z0 + size; z++)
        for (int y = y0; y < y0 + size; y++)
        for (int x = x0; x < x0 + size; x++)
            mask[z, y, x] = 1;
    }
}
