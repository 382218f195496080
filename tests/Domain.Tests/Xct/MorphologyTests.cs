using System.Numerics;
using XcsCt.Domain.Xct;

namespace XcsCt.Domain.Tests.Xct;

public class MorphologyTests
{
    public static TheoryData<int, int, int, int> Cases => new()
    {
        // depth, height, width, radius
        { 1, 1, 1, 1 }, { 4, 5, 1, 1 }, { 5, 6, 63, 2 }, { 7, 7, 64, 3 }, { 8, 9, 65, 3 }, { 3, 4, 130, 3 }, { 9, 8, 20, 0 }, { 6, 5, 17, 4 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Binary_erosion_and_dilation_equal_the_plain_ball_loops(int depth, int height, int width, int radius)
    {
        var shape = new VolumeShape(depth, height, width);
        var ball = new Ball(radius);
        foreach (var fraction in new[] { 0.1, 0.5, 0.97 })
        {
            var mask = XctTestData.RandomMask(shape, seed: width * 31 + radius, fraction);
            var fast = new byte[mask.Data.Length];
            var plain = new byte[mask.Data.Length];
            Morphology.Erode(mask.Data, shape, ball, 0, fast);
            MorphologyReference.Erode(mask.Data, shape, ball, 0, plain);
            Assert.Equal(plain, fast);
            Morphology.Dilate(mask.Data, shape, ball, 0, fast);
            MorphologyReference.Dilate(mask.Data, shape, ball, 0, plain);
            Assert.Equal(plain, fast);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Greyscale_erosion_and_dilation_equal_the_plain_ball_loops(int depth, int height, int width, int radius)
    {
        var shape = new VolumeShape(depth, height, width);
        var ball = new Ball(radius);
        AssertGrey(XctTestData.Random<ushort>(shape, seed: 5 + width, maxValue: 65536), ball);
        AssertGrey(XctTestData.RandomFloat(shape, seed: 9 + width), ball);
    }

    [Fact]
    public void Ball_of_radius_3_has_123_voxels()
    {
        Assert.Equal(123, new Ball(3).Voxels);
        Assert.Equal(1, new Ball(0).Voxels);
        Assert.Equal(7, new Ball(1).Voxels);
    }

    [Fact]
    public void Opening_with_radius_3_removes_a_radius_2_sphere_and_keeps_a_radius_8_sphere()
    {
        var shape = new VolumeShape(24, 24, 40);
        var mask = new Volume<byte>(shape);
        Sphere(mask, 12, 12, 10, 8);
        Sphere(mask, 12, 12, 32, 2);
        int bigBefore = Count(mask, x => x < 21);
        var opened = Morphology.Open(mask, radius: 3);
        Assert.Equal(0, Count(opened, x => x > 24));
        // The opening of a digital ball by a smaller one keeps all but single surface voxels (95.5 % here).
        Assert.InRange(Count(opened, x => x < 21), 0.94 * bigBefore, bigBefore);
    }

    [Fact]
    public void Slab_opening_with_halo_2r_equals_the_whole_volume_opening()
    {
        var shape = new VolumeShape(20, 10, 30);
        var mask = XctTestData.RandomMask(shape, seed: 17, 0.8);
        var whole = Morphology.Open(mask, 2);
        foreach (var slab in SlabPlan.Plan(shape.Depth, 5, 4))
        {
            var output = new byte[slab.OutputCount * shape.SliceVoxels];
            Morphology.Open(mask.Slab(slab.InputFirst, slab.InputCount), shape.WithDepth(slab.InputCount), new Ball(2), slab.OutputOffset, output);
            Assert.Equal(whole.Slab(slab.OutputFirst, slab.OutputCount).ToArray(), output);
        }
    }

    private static void AssertGrey<T>(Volume<T> volume, Ball ball) where T : unmanaged, INumber<T>
    {
        var fast = new T[volume.Data.Length];
        var plain = new T[volume.Data.Length];
        Morphology.ErodeGrey<T>(volume.Data, volume.Shape, ball, 0, fast);
        MorphologyReference.ErodeGrey<T>(volume.Data, volume.Shape, ball, 0, plain);
        Assert.Equal(plain, fast);
        Morphology.DilateGrey<T>(volume.Data, volume.Shape, ball, 0, fast);
        MorphologyReference.DilateGrey<T>(volume.Data, volume.Shape, ball, 0, plain);
        Assert.Equal(plain, fast);
    }

    private static void Sphere(Volume<byte> mask, int cz, int cy, int cx, int r)
    {
        for (int z = 0; z < mask.Shape.Depth; z++)
        for (int y = 0; y < mask.Shape.Height; y++)
        for (int x = 0; x < mask.Shape.Width; x++)
        {
            if ((z - cz) * (z - cz) + (y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r)
                mask[z, y, x] = 1;
        }
    }

    private static int Count(Volume<byte> mask, Func<int, bool> xFilter)
    {
        int n = 0;
        for (int z = 0; z < mask.Shape.Depth; z++)
        for (int y = 0; y < mask.Shape.Height; y++)
        for (int x = 0; x < mask.Shape.Width; x++)
        {
            if (mask[z, y, x] != 0 && xFilter(x))
                n++;
        }
        return n;
    }
}
