using System.Numerics;
using XcsCt.Domain.Xct;

namespace XcsCt.Domain.Tests.Xct;

public class MedianFilterTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 1, 5 }, { 3, 4, 5 }, { 5, 7, 31 }, { 4, 9, 33 }, { 6, 5, 64 }, { 3, 3, 67 }, { 7, 6, 100 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Fast_median_equals_sorting_all_27_neighbours_uint16(int depth, int height, int width)
    {
        var volume = XctTestData.Random<ushort>(new VolumeShape(depth, height, width), seed: depth * 1000 + width, maxValue: 65536);
        AssertFastEqualsPlain(volume);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Fast_median_equals_sorting_all_27_neighbours_with_many_ties(int depth, int height, int width)
    {
        var volume = XctTestData.Random<byte>(new VolumeShape(depth, height, width), seed: 7 + width, maxValue: 4);
        AssertFastEqualsPlain(volume);
    }

    [Fact]
    public void Fast_median_equals_plain_for_float32()
    {
        var volume = XctTestData.RandomFloat(new VolumeShape(5, 11, 45), seed: 3);
        AssertFastEqualsPlain(volume);
    }

    [Fact]
    public void Slab_output_equals_the_same_slices_of_the_whole_volume()
    {
        var shape = new VolumeShape(12, 9, 40);
        var volume = XctTestData.Random<ushort>(shape, seed: 11, maxValue: 1000);
        var whole = MedianFilter.Median3x3x3(volume, threads: 1);
        // Slab of input slices 3..8 (halo of one on each side) gives output slices 4..7.
        var slabShape = shape.WithDepth(6);
        var output = new ushort[4 * shape.SliceVoxels];
        MedianFilter.Median3x3x3<ushort>(volume.Slab(3, 6), slabShape, 1, output);
        Assert.Equal(whole.Slab(4, 4).ToArray(), output);
    }

    [Fact]
    public void Median_removes_an_isolated_spike_and_keeps_a_flat_region()
    {
        var shape = new VolumeShape(5, 5, 5);
        var volume = new Volume<ushort>(shape);
        Array.Fill(volume.Data, (ushort)100);
        volume[2, 2, 2] = 60000;
        var result = MedianFilter.Median3x3x3(volume, threads: 1);
        Assert.All(result.Data, v => Assert.Equal((ushort)100, v));
    }

    [Fact]
    public void Three_triple_merge_network_sorts_every_zero_one_input()
    {
        // 0-1 principle: a comparator network sorts all inputs iff it sorts all 0-1 inputs; sorted
        // 0-1 triples are 000, 001, 011, 111.
        int[][] triples = [[0, 0, 0], [0, 0, 1], [0, 1, 1], [1, 1, 1]];
        foreach (var x in triples)
        foreach (var y in triples)
        foreach (var z in triples)
        {
            MedianNetworks.MergeThreeTriples(V(x[0]), V(x[1]), V(x[2]), V(y[0]), V(y[1]), V(y[2]), V(z[0]), V(z[1]), V(z[2]),
                out var s0, out var s1, out var s2, out var s3, out var s4, out var s5, out var s6, out var s7, out var s8);
            int ones = x.Sum() + y.Sum() + z.Sum();
            int[] got = [s0[0], s1[0], s2[0], s3[0], s4[0], s5[0], s6[0], s7[0], s8[0]];
            Assert.Equal(Enumerable.Repeat(0, 9 - ones).Concat(Enumerable.Repeat(1, ones)), got);
        }
    }

    [Fact]
    public void Nine_nine_merge_network_gives_ranks_4_to_13_for_every_zero_one_input()
    {
        for (int onesA = 0; onesA <= 9; onesA++)
        for (int onesB = 0; onesB <= 9; onesB++)
        {
            var a = Enumerable.Range(0, 9).Select(i => V(i >= 9 - onesA ? 1 : 0)).ToArray();
            var b = Enumerable.Range(0, 9).Select(i => V(i >= 9 - onesB ? 1 : 0)).ToArray();
            MedianNetworks.MergeNinesRanks4To13(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8],
                out var m4, out var m5, out var m6, out var m7, out var m8, out var m9, out var m10, out var m11, out var m12, out var m13);
            int[] got = [m4[0], m5[0], m6[0], m7[0], m8[0], m9[0], m10[0], m11[0], m12[0], m13[0]];
            int ones = onesA + onesB;
            var expected = Enumerable.Range(4, 10).Select(rank => rank >= 18 - ones ? 1 : 0);
            Assert.Equal(expected, got);
        }
    }

    private static Vector<int> V(int value) => new(value);

    private static void AssertFastEqualsPlain<T>(Volume<T> volume) where T : unmanaged, INumber<T>
    {
        var fast = MedianFilter.Median3x3x3(volume, threads: 1);
        var plain = new T[volume.Data.Length];
        MedianFilterReference.Median3x3x3<T>(volume.Data, volume.Shape, 0, plain);
        Assert.Equal(plain, fast.Data);
    }
}
