using System.Globalization;
using System.Text;
using System.Text.Json;

namespace XcsCt.Domain.Xct;

/// <summary>One bin of a pore-size distribution.</summary>
/// <param name="LowerUm">Lower edge of the equivalent-diameter bin, um.</param>
/// <param name="UpperUm">Upper edge, um.</param>
/// <param name="Count">Components whose equivalent diameter falls in the bin.</param>
/// <param name="NumberFraction">Count over all components.</param>
/// <param name="VolumeFraction">Their volume over the volume of all components.</param>
public readonly record struct PoreSizeBin(double LowerUm, double UpperUm, int Count, double NumberFraction, double VolumeFraction);

/// <summary>
/// Porosity and pore-size distribution of a phase (ANALYSIS section 7): porosity = phase voxels /
/// all voxels examined; the distribution bins the components' equivalent diameters
/// (6 V / pi)^(1/3) on a logarithmic axis, by number and by volume.
/// </summary>
/// <param name="Porosity">Phase volume fraction in [0, 1].</param>
/// <param name="PhaseVoxels">Voxels of the phase.</param>
/// <param name="TotalVoxels">Voxels examined.</param>
/// <param name="Components">Number of connected components of the phase.</param>
/// <param name="Distribution">Equivalent-diameter bins, smallest first.</param>
public sealed record PorosityResult(double Porosity, long PhaseVoxels, long TotalVoxels, int Components, IReadOnlyList<PoreSizeBin> Distribution)
{
    /// <summary>
    /// Porosity and pore-size distribution from labelled components.
    /// </summary>
    /// <param name="components">Components of the phase.</param>
    /// <param name="totalVoxels">Voxels examined (the whole volume, or a region of interest).</param>
    /// <param name="voxelUm">Voxel size in um.</param>
    /// <param name="binsPerDecade">Logarithmic bins per factor of 10 in diameter (default 10).</param>
    public static PorosityResult Measure(IReadOnlyList<ComponentStats> components, long totalVoxels, double voxelUm, int binsPerDecade = 10)
    {
        if (totalVoxels <= 0)
            throw new InputException($"porosity: {totalVoxels} voxels examined, expected a positive number");
        if (binsPerDecade is < 1 or > 1000)
            throw new InputException($"porosity: {binsPerDecade} bins per decade is not valid: expected 1..1000");
        long phase = 0;
        double totalVolume = 0;
        foreach (var c in components)
        {
            phase += c.Voxels;
            totalVolume += c.VolumeUm3;
        }
        var bins = new List<PoreSizeBin>();
        if (components.Count > 0)
        {
            // Smallest possible diameter: one voxel.
            double dMin = Math.Cbrt(6 / Math.PI) * voxelUm;
            double dMax = components.Max(c => c.EquivalentDiameterUm);
            int first = (int)Math.Floor(Math.Log10(dMin) * binsPerDecade + 1e-9);
            int last = (int)Math.Floor(Math.Log10(dMax) * binsPerDecade + 1e-9);
            var counts = new int[last - first + 1];
            var volumes = new double[last - first + 1];
            foreach (var c in components)
            {
                int b = Math.Clamp((int)Math.Floor(Math.Log10(c.EquivalentDiameterUm) * binsPerDecade + 1e-9) - first, 0, counts.Length - 1);
                counts[b]++;
                volumes[b] += c.VolumeUm3;
            }
            for (int b = 0; b < counts.Length; b++)
            {
                bins.Add(new PoreSizeBin(Math.Pow(10, (double)(first + b) / binsPerDecade), Math.Pow(10, (double)(first + b + 1) / binsPerDecade),
                    counts[b], (double)counts[b] / components.Count, totalVolume > 0 ? volumes[b] / totalVolume : 0));
            }
        }
        return new PorosityResult((double)phase / totalVoxels, phase, totalVoxels, components.Count, bins);
    }
}

/// <summary>Writes component tables and pore-size distributions as CSV and JSON (temp name, then rename).</summary>
public static class ComponentTables
{
    private const string Header = "label,voxels,volume_um3,equivalent_diameter_um,z_min,z_max,y_min,y_max,x_min,x_max,centroid_z,centroid_y,centroid_x";

    /// <summary>CSV text: one header line and one line per component.</summary>
    public static string ToCsv(IReadOnlyList<ComponentStats> components)
    {
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var c in components)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{c.Label},{c.Voxels},{c.VolumeUm3:R},{c.EquivalentDiameterUm:R},{c.ZMin},{c.ZMax},{c.YMin},{c.YMax},{c.XMin},{c.XMax},{c.CentroidZ:R},{c.CentroidY:R},{c.CentroidX:R}\n");
        }
        return sb.ToString();
    }

    /// <summary>JSON document: {"voxel_um", "components": [...], "porosity": {...}}.</summary>
    public static string ToJson(IReadOnlyList<ComponentStats> components, double voxelUm, PorosityResult? porosity, IReadOnlyDictionary<string, object>? extra = null)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("voxel_um", voxelUm);
            if (extra is not null)
            {
                foreach (var (key, value) in extra)
                {
                    w.WritePropertyName(key);
                    JsonSerializer.Serialize(w, value);
                }
            }
            if (porosity is not null)
            {
                w.WriteStartObject("porosity");
                w.WriteNumber("value", porosity.Porosity);
                w.WriteNumber("phase_voxels", porosity.PhaseVoxels);
                w.WriteNumber("total_voxels", porosity.TotalVoxels);
                w.WriteNumber("components", porosity.Components);
                w.WriteStartArray("pore_size_distribution");
                foreach (var b in porosity.Distribution)
                {
                    w.WriteStartObject();
                    w.WriteNumber("lower_um", b.LowerUm);
                    w.WriteNumber("upper_um", b.UpperUm);
                    w.WriteNumber("count", b.Count);
                    w.WriteNumber("number_fraction", b.NumberFraction);
                    w.WriteNumber("volume_fraction", b.VolumeFraction);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteStartArray("components");
            foreach (var c in components)
            {
                w.WriteStartObject();
                w.WriteNumber("label", c.Label);
                w.WriteNumber("voxels", c.Voxels);
                w.WriteNumber("volume_um3", c.VolumeUm3);
                w.WriteNumber("equivalent_diameter_um", c.EquivalentDiameterUm);
                w.WriteStartArray("bbox_min_zyx");
                w.WriteNumberValue(c.ZMin); w.WriteNumberValue(c.YMin); w.WriteNumberValue(c.XMin);
                w.WriteEndArray();
                w.WriteStartArray("bbox_max_zyx");
                w.WriteNumberValue(c.ZMax); w.WriteNumberValue(c.YMax); w.WriteNumberValue(c.XMax);
                w.WriteEndArray();
                w.WriteStartArray("centroid_zyx");
                w.WriteNumberValue(c.CentroidZ); w.WriteNumberValue(c.CentroidY); w.WriteNumberValue(c.CentroidX);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes text to <paramref name="path"/> through a temporary file and a rename.</summary>
    public static void WriteAtomically(string path, string text)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
            Directory.CreateDirectory(dir);
        string temp = path + $".{Guid.NewGuid():N}.partial";
        try
        {
            File.WriteAllText(temp, text);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }
}
