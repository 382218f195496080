using PureHDF;
using XcsCt.Domain.Tests.Xct;
using XcsCt.Domain.Xct;
using XcsCt.Domain.Xct.Reconstruction;

namespace XcsCt.Domain.Tests.Xct.Reconstruction;

public class TomoReconstructionTests
{
    private const string Tooth = "fixtures/tomo/tooth.h5";
    private const double ShadowTolerancePx = 5;       // mask extent vs projection shadow, per edge
    private const int ToothMinimumAreaPx = 30_000;     // the tooth's section is ~39,000 px; fragments or smears are far smaller

    [Fact]
    public void Tooth_reconstructs_to_an_image_with_the_tooth_outline()
    {
        using var dir = new TempDir();
        var summary = TomoReconstruction.Run(Tooth, dir.Path, new ReconstructionSettings { FirstSlice = 0, EndSlice = 1, CreatedUtc = DateTimeOffset.UnixEpoch });
        Assert.Equal("DXchange", summary.Layout);
        Assert.Equal(181, summary.Projections);
        Assert.InRange(summary.Centre, 294, 298);
        Assert.False(summary.Stitched);

        var image = VolumeReader.Read<float>(summary.TiffPath!);
        Assert.Equal(new VolumeShape(1, 640, 640), image.Shape);
        var slice = image.Slice(0).ToArray();
        var histogram = GreyHistogram.ForRange(slice.Min(), slice.Max(), 1024, integers: false);
        histogram.Add<float>(slice);
        var threshold = Otsu.Find(histogram);
        var mask = new Volume<byte>(image.Shape, slice.Select(v => v >= threshold.Value ? (byte)1 : (byte)0).ToArray());
        var labels = ConnectedComponents.Label(mask);
        var tooth = labels.Components.MaxBy(c => c.Voxels)!;
        Assert.True(tooth.Voxels > ToothMinimumAreaPx, $"largest object {tooth.Voxels} px");

        // The outline agrees with the shadow the tooth casts in the projections it was made from.
        using var tomo = TomoFile.Open(Tooth);
        var sino = TomoReconstruction.Prepare(tomo.ReadRows(0, 1), 0, new ReconstructionSettings());
        double c = (640 - 1) / 2.0;
        foreach (int a in new[] { 0, 45, 90, 135 })
        {
            double theta = tomo.AnglesRad[a], max = sino.AsSpan(a * 640, 640).ToArray().Max();
            int first = -1, last = -1;
            for (int u = 0; u < 640; u++)
            {
                if (sino[a * 640 + u] > 0.1 * max)
                {
                    if (first < 0) first = u;
                    last = u;
                }
            }
            double lo = double.MaxValue, hi = double.MinValue;
            for (int i = 0; i < 640; i++)
            for (int j = 0; j < 640; j++)
            {
                if (labels.Labels.Labels[i * 640 + j] != tooth.Label)
                    continue;
                double t = (j - c) * Math.Cos(theta) + (i - c) * Math.Sin(theta) + summary.Centre;
                lo = Math.Min(lo, t);
                hi = Math.Max(hi, t);
            }
            Assert.True(Math.Abs(lo - first) <= ShadowTolerancePx && Math.Abs(hi - last) <= ShadowTolerancePx,
                $"angle {theta * 180 / Math.PI:0.#}: shadow {first}..{last}, reconstruction {lo:0.#}..{hi:0.#}");
        }

        // NeXus file: NXentry/NXdata with the same slice, NXprocess with the parameters.
        using var nxs = H5File.OpenRead(summary.Hdf5Path!);
        Assert.Equal("NXentry", nxs.Group("/entry").Attribute("NX_class").Read<string>());
        var data = nxs.Group("/entry/reconstruction");
        Assert.Equal("NXdata", data.Attribute("NX_class").Read<string>());
        Assert.Equal("data", data.Attribute("signal").Read<string>());
        Assert.Equal(slice, nxs.Dataset("/entry/reconstruction/data").Read<float[]>());
        Assert.Contains("\"centre\"", nxs.Dataset("/entry/process/parameters").Read<string>());
        Assert.Equal(2, Directory.GetFiles(dir.Path).Length);
    }

    [Fact]
    public void NXtomo_with_flats_and_darks_reconstructs_the_phantom()
    {
        using var dir = new TempDir();
        string file = dir.File("phantom.nxs");
        WriteNXtomo(file, withFlats: true, withDarks: true);
        var summary = TomoReconstruction.Run(file, dir.File("out"), new ReconstructionSettings { Centre = 90.0, RingWindow = 0, Size = 128 });
        Assert.Equal("NXtomo", summary.Layout);
        Assert.Equal(120, summary.Projections);
        Assert.Empty(summary.Warnings);
        var image = VolumeReader.Read<float>(summary.TiffPath!);
        Assert.Equal(2, image.Shape.Depth);
        var truth = SheppLogan.Image(128).Select(v => v * 0.02f).ToArray();
        double error = FilteredBackProjectionTests.RelativeRms(image.Slice(1).ToArray(), truth, radius: 64);
        Assert.True(error < 0.1, $"relative RMS error {error:P1}");
    }

    [Fact]
    public void Missing_flats_and_darks_reconstruct_with_warnings_in_the_metadata()
    {
        using var dir = new TempDir();
        string file = dir.File("phantom.nxs");
        WriteNXtomo(file, withFlats: false, withDarks: false);
        var summary = TomoReconstruction.Run(file, dir.File("out"), new ReconstructionSettings { Centre = 90.0, Size = 128, WriteTiff = false });
        Assert.Contains(summary.Warnings, w => w.Contains("no flat fields"));
        Assert.Contains(summary.Warnings, w => w.Contains("no dark fields"));
        using var nxs = H5File.OpenRead(summary.Hdf5Path!);
        var warnings = nxs.Dataset("/entry/process/warnings").Read<string[]>();
        Assert.Contains(warnings, w => w.Contains("no flat fields"));
    }

    [Fact]
    public void Angles_that_do_not_match_the_projections_are_rejected()
    {
        using var dir = new TempDir();
        string file = dir.File("bad.h5");
        new H5File
        {
            ["exchange"] = new H5Group
            {
                ["data"] = new float[10, 2, 16],
                ["theta"] = new H5Dataset(Enumerable.Range(0, 9).Select(i => i * 20.0).ToArray()) { Attributes = new() { ["units"] = "degrees" } },
            },
        }.Write(file);
        var e = Assert.Throws<InputException>(() => TomoReconstruction.Run(file, dir.File("out"), new ReconstructionSettings()));
        Assert.Contains("9 angles", e.Message);
        Assert.Contains("10 projections", e.Message);
        Assert.False(Directory.Exists(dir.File("out")) && Directory.EnumerateFiles(dir.File("out")).Any());
    }

    [Fact]
    public void Slices_outside_the_detector_are_rejected_before_anything_is_written()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<InputException>(() => TomoReconstruction.Run(Tooth, dir.File("out"), new ReconstructionSettings { FirstSlice = 1, EndSlice = 5 }));
        Assert.Contains("1:5", e.Message);
        Assert.False(Directory.Exists(dir.File("out")));
        Assert.Throws<InputException>(() => TomoFile.Open(dir.File("missing.h5")));
    }

    /// <summary>NXtomo file: 2 detector rows of a 128-pixel Shepp-Logan phantom (scaled to 0.02 per pixel), 120 angles over 180 degrees.</summary>
    private static void WriteNXtomo(string file, bool withFlats, bool withDarks)
    {
        const int cols = 181, n = 120, size = 128;
        var angles = SheppLogan.Angles(n);
        var sino = SheppLogan.Sinogram(size, angles, cols, 90.0);
        int flats = withFlats ? 3 : 0, darks = withDarks ? 2 : 0;
        int frames = darks + flats + n;
        var data = new ushort[frames, 2, cols];
        var keys = new int[frames];
        var rotation = new double[frames];
        const double open = 20000, dark = 100;
        for (int f = 0; f < frames; f++)
        {
            int key = f < darks ? 2 : f < darks + flats ? 1 : 0;
            keys[f] = key;
            int p = f - darks - flats;
            rotation[f] = key == 0 ? angles[p] * 180 / Math.PI : 0;
            for (int r = 0; r < 2; r++)
            for (int u = 0; u < cols; u++)
            {
                double counts = key switch
                {
                    2 => dark,
                    1 => open + dark,
                    _ => open * Math.Exp(-0.02 * sino[p * cols + u]) + (withDarks ? dark : 0),
                };
                data[f, r, u] = (ushort)Math.Round(counts);
            }
        }
        new H5File
        {
            ["entry"] = new H5Group
            {
                Attributes = new() { ["NX_class"] = "NXentry" },
                ["definition"] = "NXtomo",
                ["instrument"] = new H5Group
                {
                    ["detector"] = new H5Group { ["data"] = data, ["image_key"] = keys },
                },
                ["sample"] = new H5Group
                {
                    ["rotation_angle"] = new H5Dataset(rotation) { Attributes = new() { ["units"] = "degree" } },
                },
            },
        }.Write(file);
    }
}
