using XcsCt.Domain.Detector;
using XcsCt.Domain.Masks;
using XcsCt.Domain.Xct;

namespace XcsCt.Domain.Tests.Masks;

public class RegistrationTests
{
    private const double AreaTolerance = 0.005; // 0.5 % of the disc's area (the acceptance)

    [Theory]
    [InlineData(0, 0, 0, false, false)]
    [InlineData(30, 110, -70, false, false)]
    [InlineData(-17, -40, 33, true, true)]
    [InlineData(90, 0, 0, true, false)]
    public void Disc_of_known_radius_sums_to_its_area_in_pixels(double rotation, double tx, double ty, bool flipX, bool flipY)
    {
        // 3.24 um voxels on 250 um pixels (scale 77.16: no voxel edge lines up with a pixel edge).
        const double voxel = 3.24, radiusUm = 500;
        int n = 463; // 1500 um: a 6 x 6 pixel field of view
        var shape = new VolumeShape(12, n, n);
        var labels = new int[shape.Voxels];
        double c = n / 2.0, r = radiusUm / voxel;
        for (int z = 0; z < shape.Depth; z++)
        for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
        {
            double dx = x + 0.5 - c - 40, dy = y + 0.5 - c + 25;
            if (dx * dx + dy * dy <= r * r)
                labels[shape.Index(z, y, x)] = 2;
        }
        var settings = Settings(voxel, 250, zUm: 6 * voxel, sheetUm: 8 * voxel) with
        {
            RotationDeg = rotation, TranslationXUm = tx, TranslationYUm = ty, FlipX = flipX, FlipY = flipY,
            Components = new Dictionary<string, int[]> { ["disc"] = [2] },
        };
        var masks = Registration.Register(new LabelVolume(shape, labels), settings, new DetectorShape(10, 10));
        double expected = Math.PI * radiusUm * radiusUm / (250.0 * 250.0);
        Assert.Equal(expected, masks.AreaInPixels("disc"), expected * AreaTolerance);
        Assert.All(masks["disc"], m => Assert.True(float.IsNaN(m) || m is >= 0 and <= 1));
    }

    [Theory]
    [InlineData(0, false, false, 2, 5)]
    [InlineData(0, true, false, 2, 2)]
    [InlineData(0, false, true, 5, 5)]
    [InlineData(0, true, true, 5, 2)]
    [InlineData(90, false, false, 5, 5)]
    [InlineData(-90, false, false, 2, 2)]
    [InlineData(180, false, false, 5, 2)]
    public void Rotations_and_flips_land_where_expected(double rotation, bool flipX, bool flipY, int row, int col)
    {
        // 25 um voxels, 250 um pixels: a 10 x 10 voxel block at x 50..59, y 20..29 of an 80 x 80
        // slice is exactly pixel (row 2, col 5) of an 8 x 8 grid without rotation or flips.
        var shape = new VolumeShape(4, 80, 80);
        var labels = new int[shape.Voxels];
        for (int z = 0; z < 4; z++)
        for (int y = 20; y < 30; y++)
        for (int x = 50; x < 60; x++)
            labels[shape.Index(z, y, x)] = 1;
        var settings = Settings(25, 250, zUm: 50, sheetUm: 100) with { RotationDeg = rotation, FlipX = flipX, FlipY = flipY };
        var mask = Registration.Register(new LabelVolume(shape, labels), settings, new DetectorShape(8, 8))["block"];
        Assert.Equal(1.0, mask[row * 8 + col], 9);
        Assert.Equal(1.0, mask.Sum(), 9);
    }

    [Fact]
    public void Translation_moves_the_mask_by_whole_and_fractional_pixels()
    {
        var shape = new VolumeShape(4, 80, 80);
        var labels = new int[shape.Voxels];
        for (int z = 0; z < 4; z++)
        for (int y = 20; y < 30; y++)
        for (int x = 50; x < 60; x++)
            labels[shape.Index(z, y, x)] = 1;
        var settings = Settings(25, 250, zUm: 50, sheetUm: 100) with { TranslationXUm = 250 + 62.5, TranslationYUm = -250 };
        var mask = Registration.Register(new LabelVolume(shape, labels), settings, new DetectorShape(8, 8))["block"];
        Assert.Equal(0.75, mask[1 * 8 + 6], 9);
        Assert.Equal(0.25, mask[1 * 8 + 7], 9);
    }

    [Fact]
    public void Pixels_outside_the_xct_field_of_view_are_unknown_not_zero()
    {
        // A 1 mm (4 pixel) field of view centred on an 8 x 8 grid covers pixels 2..5 in both directions.
        var shape = new VolumeShape(4, 40, 40);
        var labels = new int[shape.Voxels];
        var settings = Settings(25, 250, zUm: 50, sheetUm: 100);
        var masks = Registration.Register(new LabelVolume(shape, labels), settings, new DetectorShape(8, 8));
        var mask = masks["block"];
        for (int r = 0; r < 8; r++)
        for (int c = 0; c < 8; c++)
        {
            bool inside = r is >= 2 and <= 5 && c is >= 2 and <= 5;
            Assert.Equal(inside, !float.IsNaN(mask[r * 8 + c]));
            Assert.Equal(inside ? 1f : 0f, masks.Coverage[r * 8 + c], 6);
            if (inside)
                Assert.Equal(0f, mask[r * 8 + c]);
        }
    }

    [Fact]
    public void The_sheet_selects_its_slab_and_partial_slices_count_by_their_fraction()
    {
        // Component in slices 0..4 of 10 (10 um slices); the sheet covers 35..75 um: 15 um of the
        // component (half of slice 3 and all of slice 4) in 40 um.
        var shape = new VolumeShape(10, 10, 10);
        var labels = new int[shape.Voxels];
        for (int z = 0; z < 5; z++)
            Array.Fill(labels, 1, z * 100, 100);
        var settings = Settings(10, 100, zUm: 55, sheetUm: 40);
        var mask = Registration.Register(new LabelVolume(shape, labels), settings, new DetectorShape(1, 1))["block"];
        Assert.Equal(15.0 / 40, mask[0], 6);
        var missing = settings with { ZUm = 500 };
        var e = Assert.Throws<InputException>(() => Registration.Register(new LabelVolume(shape, labels), missing, new DetectorShape(1, 1)));
        Assert.Contains("misses the XCT volume", e.Message);
    }

    [Fact]
    public void A_component_made_of_several_labels_adds_them()
    {
        var shape = new VolumeShape(1, 10, 10);
        var labels = new int[100];
        for (int i = 0; i < 100; i++)
            labels[i] = i % 4;
        var settings = Settings(10, 100, zUm: 5, sheetUm: 10) with
        {
            Components = new Dictionary<string, int[]> { ["a"] = [1], ["bc"] = [2, 3] },
        };
        var masks = Registration.Register(new LabelVolume(shape, labels), settings, new DetectorShape(1, 1));
        Assert.Equal(0.25, masks["a"][0], 6);
        Assert.Equal(0.5, masks["bc"][0], 6);
        Assert.Throws<InputException>(() => masks["nope"]);
    }

    [Fact]
    public void Label_files_register_like_in_memory_volumes_tiff_and_savu_hdf5()
    {
        using var dir = new XcsCt.Domain.Tests.Xct.TempDir();
        var shape = new VolumeShape(4, 80, 80);
        var labels = new int[shape.Voxels];
        for (int z = 0; z < 4; z++)
        for (int y = 20; y < 30; y++)
        for (int x = 50; x < 60; x++)
            labels[shape.Index(z, y, x)] = 1;
        var settings = Settings(25, 250, zUm: 50, sheetUm: 100);
        var expected = Registration.Register(new LabelVolume(shape, labels), settings, new DetectorShape(8, 8))["block"];

        TiffStackWriter.Write(dir.File("labels.tif"), new Volume<ushort>(shape, labels.Select(l => (ushort)l).ToArray()));
        Assert.Equal(expected, Registration.Register(dir.File("labels.tif"), settings, new DetectorShape(8, 8))["block"]);

        var savu = new ushort[80, 4, 80];
        for (int z = 0; z < 4; z++)
        for (int y = 0; y < 80; y++)
        for (int x = 0; x < 80; x++)
            savu[x, z, y] = (ushort)labels[shape.Index(z, y, x)];
        new PureHDF.H5File { ["labels"] = savu }.Write(dir.File("labels.h5"));
        var savuSettings = settings with { Axes = AxisOrder.Savu, Dataset = "/labels" };
        Assert.Equal(expected, Registration.Register(dir.File("labels.h5"), savuSettings, new DetectorShape(8, 8))["block"]);
        var floats = dir.File("grey.tif");
        TiffStackWriter.Write(floats, new Volume<float>(shape));
        Assert.Throws<InputException>(() => Registration.Register(floats, settings, new DetectorShape(8, 8)));
    }

    [Fact]
    public void Registration_yaml_reads_every_key()
    {
        var s = RegistrationSettings.Parse("""
            voxel_um: 3.24
            pitch_um: 250
            translation_um: [120.5, -40]
            rotation_deg: 12.5
            flip: [x, y]
            z_um: 1200
            z_origin_um: 100
            sheet_um: 250
            axis_order: xzy
            dataset: /entry/labels
            min_coverage: 0.75
            components: { cathode: 1, electrolyte: [3, 4] }
            """, "reg.yaml");
        Assert.Equal(3.24, s.VoxelUm);
        Assert.Equal((120.5, -40.0), (s.TranslationXUm, s.TranslationYUm));
        Assert.Equal(12.5, s.RotationDeg);
        Assert.True(s.FlipX && s.FlipY);
        Assert.Equal(1200, s.ZUm);
        Assert.Equal(100, s.ZOriginUm);
        Assert.Equal(AxisOrder.Savu, s.Axes);
        Assert.Equal("/entry/labels", s.Dataset);
        Assert.Equal(0.75, s.MinCoverage);
        Assert.Equal([3, 4], s.Components["electrolyte"]);
        Assert.Equal([1], s.Components["cathode"]);
    }

    [Theory]
    [InlineData("voxel_um: 3.24\nz_um: 0\ncomponents: {a: 1}\nrotaton_deg: 3\n", "unknown key 'rotaton_deg'")]
    [InlineData("z_um: 0\ncomponents: {a: 1}\n", "voxel_um")]
    [InlineData("voxel_um: 3.24\ncomponents: {a: 1}\n", "z_um")]
    [InlineData("voxel_um: 3.24\nz_um: 0\n", "components")]
    [InlineData("voxel_um: -1\nz_um: 0\ncomponents: {a: 1}\n", "voxel_um")]
    [InlineData("voxel_um: 3.24\nz_um: 0\ncomponents: {a: 0}\n", "label 0")]
    [InlineData("voxel_um: 3.24\nz_um: 0\nflip: [z]\ncomponents: {a: 1}\n", "'z' is not an axis")]
    [InlineData("voxel_um: abc\nz_um: 0\ncomponents: {a: 1}\n", "'abc' is not a number")]
    [InlineData("voxel_um: 3.24\nz_um: 0\ntranslation_um: [1]\ncomponents: {a: 1}\n", "[x, y]")]
    [InlineData("voxel_um: [3.24\n", "not valid YAML")]
    public void Bad_registration_yaml_is_rejected_with_a_clear_message(string yaml, string expected)
    {
        var e = Assert.Throws<InputException>(() => RegistrationSettings.Parse(yaml, "reg.yaml"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("reg.yaml", e.Message);
    }

    private static RegistrationSettings Settings(double voxel, double pitch, double zUm, double sheetUm) => new()
    {
        VoxelUm = voxel,
        PitchUm = pitch,
        ZUm = zUm,
        SheetUm = sheetUm,
        Components = new Dictionary<string, int[]> { ["block"] = [1] },
    };
}
