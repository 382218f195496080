using XcsCt.Domain.Detector;
using XcsCt.Domain.Masks;
using XcsCt.Domain.Pipeline;
using XcsCt.Domain.Xct;

namespace XcsCt.Domain.Tests.Pipeline;

/// <summary>A scan's XCT label volume becomes its component masks through the registration (ANALYSIS 7).</summary>
public sealed class XctMaskTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xcsct-xctmask-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A 40 x 40 x 4 label volume of 250 um voxels: a disc of label 1 (radius 10 voxels) in label 2.</summary>
    private string WriteVolume()
    {
        var shape = new VolumeShape(4, 40, 40);
        var v = new Volume<ushort>(shape);
        var data = v.Data;
        for (int z = 0; z < 4; z++)
            for (int y = 0; y < 40; y++)
                for (int x = 0; x < 40; x++)
                {
                    double dx = x + 0.5 - 20, dy = y + 0.5 - 20;
                    data[(z * 40 + y) * 40 + x] = (ushort)(dx * dx + dy * dy < 100 ? 1 : 2);
                }
        string path = Path.Combine(_dir, "labels.tif");
        TiffStackWriter.Write(path, v);
        return path;
    }

    [Fact]
    public void Registered_components_become_masks_with_the_scan_height_and_manifest_voxel_size()
    {
        string volume = WriteVolume();
        string reg = Path.Combine(_dir, "reg.yaml");
        // The file's voxel size and height are placeholders: the manifest and the scan override them.
        File.WriteAllText(reg, "voxel_um: 1\nz_um: -99999\ncomponents: { disc: 1, rest: 2 }\n");
        var scan = new ExperimentScan("s1", 0, 500, [], new Dictionary<string, string>(), new XctPlan(volume, 250, reg));
        var masks = ExperimentRunner.LoadMasks(scan, new DetectorShape(80, 80));

        Assert.Equal(["disc", "rest"], masks.Keys.ToArray());
        var expected = Registration.Register(VolumeReader.ReadLabels(volume),
            RegistrationSettings.Parse("voxel_um: 250\nz_um: 500\ncomponents: { disc: 1, rest: 2 }\n"), new DetectorShape(80, 80));
        Assert.Equal(expected.Masks["disc"], masks["disc"]);
        double area = 0;
        foreach (float m in masks["disc"]) if (float.IsFinite(m)) area += m;
        Assert.InRange(area, Math.PI * 100 * 0.97, Math.PI * 100 * 1.03); // disc of radius 10 pixels
        Assert.True(float.IsNaN(masks["disc"][0]), "pixels outside the XCT field of view are unknown");
    }

    [Fact]
    public void Xct_without_registration_is_refused_naming_the_scan()
    {
        var scan = new ExperimentScan("s7", 0, 0, [], new Dictionary<string, string>(), new XctPlan(WriteVolume(), 3.24, null));
        var e = Assert.Throws<InputException>(() => ExperimentRunner.LoadMasks(scan, new DetectorShape(80, 80)));
        Assert.Contains("s7", e.Message);
        Assert.Contains("registration", e.Message);
    }
}
