using XcsCt.Domain.Xct;

namespace XcsCt.Benchmarks.Xct;

/// <summary>Seeded synthetic volumes shaped like segmented battery XCT (grains and pores), for the XCT benchmarks.</summary>
internal static class XctBenchmarkData
{
    /// <summary>A uint16 volume: bright spherical grains on a darker matrix, with noise (seeded).</summary>
    public static Volume<ushort> Greyscale(VolumeShape shape, int seed = 42)
    {
        var rng = new Random(seed);
        var data = new ushort[shape.Voxels];
        for (int i = 0; i < data.Length; i++)
            data[i] = (ushort)(12000 + rng.Next(4000));
        int grains = (int)(shape.Voxels / 4000);
        for (int g = 0; g < grains; g++)
        {
            int cz = rng.Next(shape.Depth), cy = rng.Next(shape.Height), cx = rng.Next(shape.Width), r = 3 + rng.Next(8);
            for (int z = Math.Max(0, cz - r); z < Math.Min(shape.Depth, cz + r + 1); z++)
            for (int y = Math.Max(0, cy - r); y < Math.Min(shape.Height, cy + r + 1); y++)
            for (int x = Math.Max(0, cx - r); x < Math.Min(shape.Width, cx + r + 1); x++)
            {
                if ((z - cz) * (z - cz) + (y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r)
                    data[shape.Index(z, y, x)] = (ushort)(40000 + rng.Next(4000));
            }
        }
        return new Volume<ushort>(shape, data);
    }

    /// <summary>The grains of <see cref="Greyscale"/> as a 0/1 phase mask (about a third of the voxels).</summary>
    public static Volume<byte> Phase(VolumeShape shape, int seed = 42)
    {
        var grey = Greyscale(shape, seed);
        return new Volume<byte>(shape, grey.Data.Select(v => v > 30000 ? (byte)1 : (byte)0).ToArray());
    }
}
