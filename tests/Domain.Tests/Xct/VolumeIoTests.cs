using PureHDF;
using XcsCt.Domain.Xct;

namespace XcsCt.Domain.Tests.Xct;

public class VolumeIoTests
{
    [Fact]
    public void Multi_page_uint16_tiff_round_trips()
    {
        using var dir = new TempDir();
        var volume = XctTestData.Random<ushort>(new VolumeShape(4, 13, 17), seed: 1, maxValue: 65536);
        TiffStackWriter.Write(dir.File("v.tif"), volume);
        var read = VolumeReader.Read<ushort>(dir.File("v.tif"));
        Assert.Equal(volume.Shape, read.Shape);
        Assert.Equal(volume.Data, read.Data);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Float32_and_uint8_tiffs_round_trip_and_convert()
    {
        using var dir = new TempDir();
        var floats = XctTestData.RandomFloat(new VolumeShape(3, 5, 7), seed: 2);
        TiffStackWriter.Write(dir.File("f.tif"), floats, deflate: true);
        using (var source = VolumeReader.Open(dir.File("f.tif")))
        {
            Assert.Equal(VoxelType.Float32, source.Type);
            Assert.Equal(floats.Data, Volume<float>.ReadAll(source).Data);
        }

        var bytes = XctTestData.Random<byte>(new VolumeShape(2, 5, 7), seed: 3, maxValue: 256);
        TiffStackWriter.Write(dir.File("b.tif"), bytes);
        var asUShort = VolumeReader.Read<ushort>(dir.File("b.tif"));
        Assert.Equal(bytes.Data.Select(b => (ushort)b), asUShort.Data);
    }

    [Fact]
    public void Numbered_files_are_read_in_numeric_order()
    {
        using var dir = new TempDir();
        var volume = XctTestData.Random<ushort>(new VolumeShape(12, 6, 5), seed: 4, maxValue: 4000);
        for (int z = 0; z < 12; z++)
            TiffStackWriter.Write(dir.File($"recon_{z + 1}.tif"), new Volume<ushort>(volume.Shape.WithDepth(1), volume.Slice(z).ToArray()));
        var fromDirectory = VolumeReader.Read<ushort>(dir.Path);
        var fromPattern = VolumeReader.Read<ushort>(Path.Combine(dir.Path, "recon_*.tif"));
        Assert.Equal(volume.Data, fromDirectory.Data);
        Assert.Equal(volume.Data, fromPattern.Data);
    }

    [Fact]
    public void Slabs_read_in_any_order_match_the_whole_volume()
    {
        using var dir = new TempDir();
        var volume = XctTestData.Random<ushort>(new VolumeShape(9, 4, 6), seed: 5, maxValue: 4000);
        TiffStackWriter.Write(dir.File("v.tif"), volume);
        using var source = VolumeReader.Open(dir.File("v.tif"));
        var slab = new float[3 * volume.Shape.SliceVoxels];
        foreach (int z0 in new[] { 6, 0, 3, 4 })
        {
            source.ReadSlices<float>(z0, slab);
            Assert.Equal(volume.Slab(z0, 3).ToArray().Select(v => (float)v), slab);
        }
    }

    [Fact]
    public void Numbered_files_of_different_sizes_are_rejected_naming_the_file()
    {
        using var dir = new TempDir();
        TiffStackWriter.Write(dir.File("s_0.tif"), new Volume<ushort>(new VolumeShape(1, 4, 4)));
        TiffStackWriter.Write(dir.File("s_1.tif"), new Volume<ushort>(new VolumeShape(1, 4, 5)));
        var e = Assert.Throws<InputException>(() => VolumeReader.Open(dir.Path));
        Assert.Contains("s_1.tif", e.Message);
        Assert.Contains("5 x 4 uint16", e.Message);
        Assert.Contains("expected 4 x 4 uint16", e.Message);
    }

    [Fact]
    public void Numbered_files_of_different_types_are_rejected()
    {
        using var dir = new TempDir();
        TiffStackWriter.Write(dir.File("s_0.tif"), new Volume<ushort>(new VolumeShape(1, 4, 4)));
        TiffStackWriter.Write(dir.File("s_1.tif"), new Volume<float>(new VolumeShape(1, 4, 4)));
        var e = Assert.Throws<InputException>(() => VolumeReader.Open(dir.Path));
        Assert.Contains("float32", e.Message);
    }

    [Fact]
    public void A_missing_or_corrupt_file_is_an_input_error()
    {
        using var dir = new TempDir();
        Assert.Throws<InputException>(() => VolumeReader.Open(dir.File("none.tif")));
        File.WriteAllText(dir.File("bad.tif"), "not a tiff");
        var e = Assert.Throws<InputException>(() => VolumeReader.Open(dir.File("bad.tif")));
        Assert.Contains("bad.tif", e.Message);
    }

    [Fact]
    public void An_abandoned_writer_leaves_no_file()
    {
        using var dir = new TempDir();
        using (var writer = new TiffStackWriter(dir.File("out.tif"), 4, 4, 3, VoxelType.UInt16))
            writer.WriteSlice<ushort>(new ushort[16]);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Hdf5_in_savu_axis_order_reads_as_zyx()
    {
        using var dir = new TempDir();
        var volume = XctTestData.Random<ushort>(new VolumeShape(4, 3, 5), seed: 6, maxValue: 60000);
        // Savu/httomo store (X, slice, Y).
        var savu = new ushort[5, 4, 3];
        for (int z = 0; z < 4; z++)
        for (int y = 0; y < 3; y++)
        for (int x = 0; x < 5; x++)
            savu[x, z, y] = volume[z, y, x];
        new H5File { ["entry"] = new H5Group { ["data"] = savu } }.Write(dir.File("v.h5"));

        var read = VolumeReader.Read<ushort>(dir.File("v.h5"), new VolumeReadOptions("/entry/data", AxisOrder.Parse("(X, slice, Y)")));
        Assert.Equal(volume.Shape, read.Shape);
        Assert.Equal(volume.Data, read.Data);

        using var source = VolumeReader.Open(dir.File("v.h5") + ":/entry/data", new VolumeReadOptions(Axes: AxisOrder.Savu));
        var slab = new ushort[2 * volume.Shape.SliceVoxels];
        source.ReadSlices<ushort>(2, slab);
        Assert.Equal(volume.Slab(2, 2).ToArray(), slab);
    }

    [Fact]
    public void Hdf5_dataset_of_wrong_rank_for_the_axis_order_is_rejected()
    {
        using var dir = new TempDir();
        new H5File { ["data"] = new float[4, 5] }.Write(dir.File("v.h5"));
        var e = Assert.Throws<InputException>(() => VolumeReader.Open(dir.File("v.h5"), new VolumeReadOptions("/data", AxisOrder.Savu)));
        Assert.Contains("xzy", e.Message);
        Assert.Contains("2 dimensions", e.Message);
        Assert.Throws<InputException>(() => AxisOrder.Parse("zyy"));
        Assert.Throws<InputException>(() => VolumeReader.Open(dir.File("v.h5"), new VolumeReadOptions("/missing")));
    }
}
