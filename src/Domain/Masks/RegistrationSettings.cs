using System.Globalization;
using XcsCt.Domain.Xct;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace XcsCt.Domain.Masks;

/// <summary>
/// How an XCT label volume lies on the XCS detector grid (ANALYSIS section 7), read from the
/// manifest's <c>xct.registration</c> YAML file. Keys (unknown keys are errors):
/// <code>
/// voxel_um: 3.24              # XCT voxel size, um (required)
/// pitch_um: 250               # XCS pixel pitch in the sheet plane, um (default 250)
/// translation_um: [0, 0]      # shift on the detector, um, [along columns, along rows] (default 0)
/// rotation_deg: 0             # rotation about the beam-normal (z) axis, counter-clockwise from XCT x to y
/// flip: [x, y]                # mirror detector axes after rotation (pinhole inversion: both); default none
/// z_um: 1200                  # sheet-beam centre height, um (required)
/// z_origin_um: 0              # height of the lower face of XCT slice 0, um (default 0)
/// sheet_um: 250               # sheet-beam height, um (default 250)
/// axis_order: zyx             # HDF5 volume axis order, slowest first (Savu/httomo: xzy)
/// dataset: /entry/data        # HDF5 dataset of the label volume (optional)
/// min_coverage: 0.5           # pixels whose slab volume the XCT covers less than this are unknown (NaN)
/// components: { cathode: 1, electrolyte: [3, 4] }   # name: label or list of labels (required)
/// </code>
/// Geometry: the centre of the XCT slice plane maps to the detector centre plus the translation;
/// a point P of the slice (um) lands at D + t + F R(theta) (P - C), with R the rotation and F the flips.
/// </summary>
public sealed record RegistrationSettings
{
    /// <summary>XCT voxel size, um (3.24 in the paper).</summary>
    public required double VoxelUm { get; init; }

    /// <summary>XCS pixel pitch projected on the sheet plane, um (250: magnification ~1).</summary>
    public double PitchUm { get; init; } = 250;

    /// <summary>Translation on the detector along columns, um.</summary>
    public double TranslationXUm { get; init; }

    /// <summary>Translation on the detector along rows, um.</summary>
    public double TranslationYUm { get; init; }

    /// <summary>Rotation about the beam-normal axis, degrees, counter-clockwise from XCT x towards XCT y.</summary>
    public double RotationDeg { get; init; }

    /// <summary>Mirror the column axis (after rotation).</summary>
    public bool FlipX { get; init; }

    /// <summary>Mirror the row axis (after rotation).</summary>
    public bool FlipY { get; init; }

    /// <summary>Height of the sheet-beam centre, um, in the same frame as <see cref="ZOriginUm"/>.</summary>
    public required double ZUm { get; init; }

    /// <summary>Height of the lower face of XCT slice 0, um.</summary>
    public double ZOriginUm { get; init; }

    /// <summary>Height (thickness) of the sheet beam, um (250).</summary>
    public double SheetUm { get; init; } = 250;

    /// <summary>Axis order of an HDF5 label volume.</summary>
    public AxisOrder Axes { get; init; } = AxisOrder.Zyx;

    /// <summary>HDF5 dataset of the label volume, or null.</summary>
    public string? Dataset { get; init; }

    /// <summary>Minimum fraction of a pixel's slab volume inside the XCT volume for its mask value to be known.</summary>
    public double MinCoverage { get; init; } = 0.5;

    /// <summary>Component names and the labels that make them up.</summary>
    public required IReadOnlyDictionary<string, int[]> Components { get; init; }

    /// <summary>Reads and validates a registration file; any problem is an <see cref="InputException"/> naming the file, line and key.</summary>
    public static RegistrationSettings Load(string path)
    {
        if (!File.Exists(path))
            throw new InputException($"registration file {path}: not found");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses registration YAML; <paramref name="source"/> names it in messages.</summary>
    public static RegistrationSettings Parse(string yaml, string source = "registration")
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new InputException($"{source}: not valid YAML at line {e.Start.Line}: {e.Message}", e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new InputException($"{source}: expected a mapping of registration keys");

        double? voxel = null, z = null;
        var s = new Builder();
        foreach (var (keyNode, value) in root.Children)
        {
            string key = ((YamlScalarNode)keyNode).Value ?? "";
            string at = $"{source}, line {keyNode.Start.Line}, key '{key}'";
            switch (key)
            {
                case "voxel_um": voxel = Number(value, at); break;
                case "pitch_um": s.Pitch = Number(value, at); break;
                case "translation_um":
                    var t = Numbers(value, at);
                    if (t.Length != 2)
                        throw new InputException($"{at}: expected [x, y] in um, found {t.Length} numbers");
                    (s.Tx, s.Ty) = (t[0], t[1]);
                    break;
                case "rotation_deg": s.Rotation = Number(value, at); break;
                case "flip":
                    foreach (var axis in Strings(value, at))
                    {
                        if (axis is "x") s.FlipX = true;
                        else if (axis is "y") s.FlipY = true;
                        else throw new InputException($"{at}: '{axis}' is not an axis; expected x and/or y");
                    }
                    break;
                case "z_um": z = Number(value, at); break;
                case "z_origin_um": s.ZOrigin = Number(value, at); break;
                case "sheet_um": s.Sheet = Number(value, at); break;
                case "axis_order": s.Axes = AxisOrder.Parse(Scalar(value, at)); break;
                case "dataset": s.Dataset = Scalar(value, at); break;
                case "min_coverage": s.MinCoverage = Number(value, at); break;
                case "components": s.Components = ComponentLabels(value, at); break;
                default:
                    throw new InputException($"{source}, line {keyNode.Start.Line}: unknown key '{key}'; known keys: voxel_um, pitch_um, translation_um, rotation_deg, flip, z_um, z_origin_um, sheet_um, axis_order, dataset, min_coverage, components");
            }
        }
        if (voxel is null)
            throw new InputException($"{source}: key 'voxel_um' (XCT voxel size in um) is required");
        if (z is null)
            throw new InputException($"{source}: key 'z_um' (sheet-beam height in um) is required");
        if (s.Components is null)
            throw new InputException($"{source}: key 'components' ({{name: label}}) is required");
        return new RegistrationSettings
        {
            VoxelUm = voxel.Value,
            PitchUm = s.Pitch,
            TranslationXUm = s.Tx,
            TranslationYUm = s.Ty,
            RotationDeg = s.Rotation,
            FlipX = s.FlipX,
            FlipY = s.FlipY,
            ZUm = z.Value,
            ZOriginUm = s.ZOrigin,
            SheetUm = s.Sheet,
            Axes = s.Axes,
            Dataset = s.Dataset,
            MinCoverage = s.MinCoverage,
            Components = s.Components,
        }.Validated(source);
    }

    /// <summary>Checks ranges; throws <see cref="InputException"/> naming the first bad value.</summary>
    public RegistrationSettings Validated(string source = "registration")
    {
        Positive(VoxelUm, "voxel_um");
        Positive(PitchUm, "pitch_um");
        Positive(SheetUm, "sheet_um");
        Finite(TranslationXUm, "translation_um[0]");
        Finite(TranslationYUm, "translation_um[1]");
        Finite(RotationDeg, "rotation_deg");
        Finite(ZUm, "z_um");
        Finite(ZOriginUm, "z_origin_um");
        if (!(MinCoverage is > 0 and <= 1))
            throw new InputException($"{source}: min_coverage {MinCoverage} is not valid: expected a fraction in (0, 1]");
        if (Components.Count == 0)
            throw new InputException($"{source}: components is empty; name at least one component and its label(s)");
        if (Components.Count > 64)
            throw new InputException($"{source}: {Components.Count} components; at most 64 are supported");
        foreach (var (name, labels) in Components)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new InputException($"{source}: a component has an empty name");
            if (labels.Length == 0)
                throw new InputException($"{source}: component '{name}' has no labels");
            foreach (var label in labels)
            {
                if (label is <= 0 or > 1 << 24)
                    throw new InputException($"{source}: component '{name}' label {label} is not valid: expected 1..16777216 (0 is background)");
            }
        }
        return this;

        void Positive(double v, string key)
        {
            if (!(double.IsFinite(v) && v > 0))
                throw new InputException($"{source}: {key} = {v} is not valid: expected a positive number of um");
        }

        void Finite(double v, string key)
        {
            if (!double.IsFinite(v))
                throw new InputException($"{source}: {key} = {v} is not a finite number");
        }
    }

    private sealed class Builder
    {
        public double Pitch = 250, Tx, Ty, Rotation, ZOrigin, Sheet = 250, MinCoverage = 0.5;
        public bool FlipX, FlipY;
        public AxisOrder Axes = AxisOrder.Zyx;
        public string? Dataset;
        public Dictionary<string, int[]>? Components;
    }

    private static string Scalar(YamlNode node, string at) =>
        node is YamlScalarNode { Value: { } v } ? v : throw new InputException($"{at}: expected a single value");

    private static double Number(YamlNode node, string at)
    {
        string text = Scalar(node, at);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new InputException($"{at}: '{text}' is not a number");
        return v;
    }

    private static double[] Numbers(YamlNode node, string at) => node is YamlSequenceNode seq
        ? seq.Children.Select(c => Number(c, at)).ToArray()
        : throw new InputException($"{at}: expected a list of numbers");

    private static string[] Strings(YamlNode node, string at) => node switch
    {
        YamlSequenceNode seq => seq.Children.Select(c => Scalar(c, at)).ToArray(),
        YamlScalarNode { Value: { Length: > 0 } v } => [v],
        YamlScalarNode => [],
        _ => throw new InputException($"{at}: expected a list such as [x, y]"),
    };

    private static Dictionary<string, int[]> ComponentLabels(YamlNode node, string at)
    {
        if (node is not YamlMappingNode map)
            throw new InputException($"{at}: expected a mapping {{name: label}}");
        var result = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            string name = ((YamlScalarNode)k).Value ?? "";
            string where = $"{at}, component '{name}' (line {k.Start.Line})";
            if (result.ContainsKey(name))
                throw new InputException($"{where}: named twice");
            var labels = v switch
            {
                YamlScalarNode => [Label(v, where)],
                YamlSequenceNode seq => seq.Children.Select(c => Label(c, where)).ToArray(),
                _ => throw new InputException($"{where}: expected a label or a list of labels"),
            };
            result[name] = labels;
        }
        return result;
    }

    private static int Label(YamlNode node, string at)
    {
        string text = Scalar(node, at);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int label))
            throw new InputException($"{at}: '{text}' is not an integer label");
        return label;
    }
}
