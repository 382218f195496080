namespace XcsCt.Domain.Xct;

/// <summary>
/// One step of slab-wise processing: read input slices <see cref="InputFirst"/> .. + <see cref="InputCount"/> - 1
/// (the slab plus halos), produce output slices <see cref="OutputFirst"/> .. + <see cref="OutputCount"/> - 1.
/// </summary>
public readonly record struct Slab(int InputFirst, int InputCount, int OutputFirst, int OutputCount)
{
    /// <summary>Index of the first output slice inside the input slab.</summary>
    public int OutputOffset => OutputFirst - InputFirst;
}

/// <summary>
/// Splits a volume of <c>depth</c> slices into z-slabs with halos, so a neighbourhood filter of
/// half-width <c>halo</c> runs in memory proportional to the slab, not the volume (ANALYSIS
/// section 7). Halos stop at the volume's faces, where the filters clamp their neighbourhood.
/// </summary>
public static class SlabPlan
{
    /// <param name="depth">Slices in the volume.</param>
    /// <param name="slabSlices">Output slices per slab (at least 1).</param>
    /// <param name="halo">Extra slices needed on each side (1 for the 3x3x3 median, 2r for an opening of radius r).</param>
    public static IReadOnlyList<Slab> Plan(int depth, int slabSlices, int halo)
    {
        if (depth <= 0 || slabSlices <= 0 || halo < 0)
            throw new ArgumentOutOfRangeException(nameof(slabSlices), $"slab plan of {depth} slices in slabs of {slabSlices} with halo {halo} is not valid");
        var slabs = new List<Slab>();
        for (int z0 = 0; z0 < depth; z0 += slabSlices)
        {
            int z1 = Math.Min(depth, z0 + slabSlices);
            int in0 = Math.Max(0, z0 - halo), in1 = Math.Min(depth, z1 + halo);
            slabs.Add(new Slab(in0, in1 - in0, z0, z1 - z0));
        }
        return slabs;
    }

    /// <summary>Output slices per slab so that one slab of <paramref name="bytesPerSlice"/>-byte slices fits in <paramref name="budgetBytes"/>.</summary>
    public static int SlicesFor(long budgetBytes, long bytesPerSlice, int halo, int depth)
    {
        long slices = Math.Max(1, budgetBytes / Math.Max(1, bytesPerSlice) - 2L * halo);
        return (int)Math.Min(slices, depth);
    }
}
