using XcsCt.Domain.Xct;

namespace XcsCt.Domain.Simulation;

/// <summary>
/// Synthetic absorption XCT of a scan's cell (ISSUE 3): a slab of 0.8 mm around the sheet height over the
/// 20.8 mm x 20.8 mm field, in coarse 80 um voxels so the files stay small. Greyscale: uint16
/// <c>1000 + 2000 * mu(60 keV) [1/cm]</c> of the composition at each voxel centre (pores and dendrites lower
/// or raise it by their volume fraction) plus Gaussian noise of 40 grey levels; labels: uint8 component
/// index (<see cref="CoinCellPreset.Components"/>). Axis order z, y, x; voxel (z, y, x) centre at
/// (x, y) = ((i + 0.5) * 0.08 - 10.4, (j + 0.5) * 0.08 - 10.4) mm and z = z_sheet - 0.4 + (k + 0.5) * 0.08 mm.
/// </summary>
public static class SyntheticXct
{
    private const double VoxelMm = ExperimentSimulator.XctVoxelUm / 1000, HalfWidthMm = 10.4, HalfDepthMm = 0.4;

    /// <summary>Greyscale volume and label volume of <paramref name="scene"/> around the scan's sheet.</summary>
    public static (Volume<ushort> Grey, Volume<byte> Labels) Build(CoinCellPreset preset, CellScene scene, OperandoScan scan, ulong seed)
    {
        int n = (int)Math.Round(2 * HalfWidthMm / VoxelMm), depth = (int)Math.Round(2 * HalfDepthMm / VoxelMm);
        var shape = new VolumeShape(depth, n, n);
        var grey = new Volume<ushort>(shape);
        var labels = new Volume<byte>(shape);
        int s = scene.Species.Count;
        var sigma = new double[s];
        for (int k = 0; k < s; k++) sigma[k] = CrossSections.TotalCm2(scene.Species.Items[k].Z, 60);
        Parallel.For(0, depth, k =>
        {
            var rng = new Xoshiro256(seed ^ 0x7C7UL, (ulong)(scan.Index * 1000 + k));
            var acc = new double[s];
            double z = scan.ZMm - HalfDepthMm + (k + 0.5) * VoxelMm;
            for (int j = 0; j < n; j++)
            {
                double y = (j + 0.5) * VoxelMm - HalfWidthMm;
                for (int i = 0; i < n; i++)
                {
                    double x = (i + 0.5) * VoxelMm - HalfWidthMm;
                    Array.Clear(acc);
                    var (layer, region) = scene.Locate(x, y, z);
                    int label = 0;
                    double[]? vec = null;
                    foreach (var b in scene.Spheres)
                    {
                        double dx = x - b.X, dy = y - b.Y, dz = z - b.Z;
                        if (region != CellScene.Region.Outside && dx * dx + dy * dy + dz * dz < b.R * b.R) { vec = scene.SphereFill; label = b.Label; break; }
                    }
                    if (vec is null)
                    {
                        switch (region)
                        {
                            case CellScene.Region.Layer: layer!.Fill(x, y, z, acc, 1); label = layer.Label; break;
                            case CellScene.Region.Cavity: vec = scene.Cavity; label = scene.CavityLabel; break;
                            case CellScene.Region.Rim: vec = scene.Rim; label = scene.RimLabel; break;
                            default: vec = scene.Outside; break;
                        }
                    }
                    if (vec is not null) Array.Copy(vec, acc, s);
                    double mu = 0;
                    for (int q = 0; q < s; q++) mu += acc[q] * sigma[q];
                    grey[k, j, i] = (ushort)Math.Clamp(Math.Round(1000 + 2000 * mu + 40 * rng.NextNormal()), 0, ushort.MaxValue);
                    labels[k, j, i] = (byte)label;
                }
            }
        });
        return (grey, labels);
    }

    /// <summary>
    /// Registration of the synthetic label volume onto the detector (the Masks registration YAML): volume
    /// centre on the detector centre, no rotation or flip, 80 um voxels, sheet at the scan's height, slice 0
    /// at z_sheet - 0.4 mm, one component per label.
    /// </summary>
    public static string RegistrationYaml(CoinCellPreset preset, OperandoScan scan)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var sb = new System.Text.StringBuilder();
        sb.Append("# registration of the synthetic XCT label volume onto the 80 x 80 detector\n");
        sb.Append(inv, $"voxel_um: {ExperimentSimulator.XctVoxelUm}\n");
        sb.Append("pitch_um: 250\n");
        sb.Append("translation_um: [0, 0]\n");
        sb.Append("rotation_deg: 0\n");
        sb.Append(inv, $"z_um: {scan.ZMm * 1000:0.###}\n");
        sb.Append(inv, $"z_origin_um: {(scan.ZMm - HalfDepthMm) * 1000:0.###}\n");
        sb.Append("sheet_um: 250\n");
        sb.Append("components:\n");
        for (int l = 1; l < preset.Components.Count; l++) sb.Append(inv, $"  {preset.Components[l]}: [{l}]\n");
        return sb.ToString();
    }
}
