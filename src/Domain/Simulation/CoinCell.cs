namespace XcsCt.Domain.Simulation;

/// <summary>
/// A slab of the coin-cell stack: <c>Z0 &lt;= z &lt; Z1</c> (mm along the cell axis) and radius below
/// <see cref="RadiusMm"/>; its composition (atoms per cm^3 per species of the scene's <see cref="SpeciesSet"/>)
/// may vary with position through <see cref="Fill"/>.
/// </summary>
public sealed class Layer
{
    private readonly (double[] Vector, Func<double, double, double, double> Amount)[] _parts;
    private readonly Func<double, double, double, double>? _lithium;

    /// <param name="label">Component label (index into the preset's component names).</param>
    /// <param name="z0Mm">Lower face on the cell axis, mm.</param>
    /// <param name="z1Mm">Upper face, mm.</param>
    /// <param name="radiusMm">Radius, mm.</param>
    /// <param name="parts">Composition: sum of vector (atoms/cm^3 per species) times amount(x, y, z).</param>
    /// <param name="lithium">Lithium fraction x of the layer's active material at (x, y, z), or null where none.</param>
    /// <param name="sites">Lithium sites per cm^3 of layer (weight of x in per-pixel means).</param>
    public Layer(int label, double z0Mm, double z1Mm, double radiusMm,
        (double[] Vector, Func<double, double, double, double> Amount)[] parts,
        Func<double, double, double, double>? lithium = null, Func<double, double, double, double>? sites = null)
    {
        if (!(z1Mm > z0Mm) || !(radiusMm > 0))
            throw new InputException($"impossible geometry: layer {label} spans z {z0Mm}-{z1Mm} mm with radius {radiusMm} mm");
        Label = label; Z0 = z0Mm; Z1 = z1Mm; RadiusMm = radiusMm;
        _parts = parts;
        _lithium = lithium;
        Sites = sites;
        int n = parts.Length == 0 ? 0 : parts[0].Vector.Length;
        Mean = new double[n];
        double xm = 0.5 * radiusMm, zm = 0.5 * (z0Mm + z1Mm);
        foreach (var (v, a) in parts)
        {
            double amount = a(xm, 0, zm);
            for (int k = 0; k < n; k++) Mean[k] += v[k] * amount;
        }
    }

    public int Label { get; }
    public double Z0 { get; }
    public double Z1 { get; }
    public double RadiusMm { get; }

    /// <summary>Composition at the layer's centre, used for attenuation paths.</summary>
    public double[] Mean { get; }

    /// <summary>Lithium sites per cm^3 at (x, y, z), or null for a layer without an active material.</summary>
    public Func<double, double, double, double>? Sites { get; }

    /// <summary>Adds <paramref name="weight"/> times the composition at (x, y, z) to <paramref name="acc"/>.</summary>
    public void Fill(double x, double y, double z, Span<double> acc, double weight)
    {
        foreach (var (v, a) in _parts)
        {
            double w = weight * a(x, y, z);
            if (w == 0) continue;
            for (int k = 0; k < acc.Length; k++) acc[k] += v[k] * w;
        }
    }

    /// <summary>Lithium fraction x at (x, y, z), NaN where the layer has no active material.</summary>
    public double Lithium(double x, double y, double z) => _lithium?.Invoke(x, y, z) ?? double.NaN;
}

/// <summary>The species of a scene in a fixed order, with material-to-vector conversion.</summary>
public sealed class SpeciesSet
{
    private readonly Dictionary<Species, int> _index = new();

    public SpeciesSet(IEnumerable<Material> materials)
    {
        var all = new SortedSet<(int, bool)>();
        foreach (var m in materials)
            foreach (var s in m.AtomsPerCm3.Keys) all.Add((s.Z, s.BoundLithium));
        var list = new List<Species>();
        foreach (var (z, b) in all) { _index[new Species(z, b)] = list.Count; list.Add(new Species(z, b)); }
        Items = list;
    }

    public IReadOnlyList<Species> Items { get; }
    public int Count => Items.Count;

    /// <summary>Atoms per cm^3 of each species of <paramref name="m"/>; <see cref="ArgumentException"/> for a species outside the set.</summary>
    public double[] Vector(Material m)
    {
        var v = new double[Count];
        foreach (var (s, n) in m.AtomsPerCm3)
            v[_index.TryGetValue(s, out int i) ? i : throw new ArgumentException($"species {s} of '{m.Name}' is not in the scene")] += n;
        return v;
    }
}

/// <summary>A spherical inclusion (gas bubble), mm.</summary>
public readonly record struct Sphere(double X, double Y, double Z, double R, int Label);

/// <summary>
/// A coin cell (or a reference object) at one moment, in millimetres. Geometry, fixed for the whole
/// project and as in the paper: the cell lies flat, its axis vertical (z, 0 at the cathode/separator
/// interface of lib-nmc811 and the anode/membrane interface of ssb-peo); the sheet beam (0.25 mm thick)
/// travels along +x in the horizontal plane at the scan's sheet height z, so one scan sees one depth of
/// the stack (cathode middle, cathode top, anode, interphase...), and depth profiles come from several
/// heights; the detector looks at that plane from above (+z) through the pinhole at magnification 1
/// (image already de-inverted): pixel (row, col) sees x = (col + 0.5 - cols/2) * pitch,
/// y = (row + 0.5 - rows/2) * pitch. Within a scan the components are lateral regions: the layer's
/// disk inside its radius, the cavity filler (electrolyte or gas, with bubbles) up to the rim, the
/// steel rim wall, then air. Scattered photons leave upwards through the layers above the sheet.
/// </summary>
public sealed class CellScene
{
    public CellScene(SpeciesSet species, IReadOnlyList<Layer> layers, double casingRadiusMm, double rimMm,
        double[] cavity, int cavityLabel, double[] rim, int rimLabel, double[] outside, IReadOnlyList<Sphere> spheres, double[] sphereFill)
    {
        Species = species;
        var sorted = new List<Layer>(layers);
        sorted.Sort((a, b) => a.Z0.CompareTo(b.Z0));
        for (int i = 1; i < sorted.Count; i++)
            if (sorted[i].Z0 < sorted[i - 1].Z1 - 1e-9)
                throw new InputException($"impossible geometry: layers {sorted[i - 1].Label} and {sorted[i].Label} overlap on the cell axis");
        if (casingRadiusMm < 0 || rimMm < 0 || rimMm > casingRadiusMm)
            throw new InputException($"impossible geometry: casing radius {casingRadiusMm} mm with a {rimMm} mm rim");
        foreach (var l in sorted)
            if (l.RadiusMm > casingRadiusMm + 1e-9)
                throw new InputException($"impossible geometry: layer {l.Label} of radius {l.RadiusMm} mm does not fit in a casing of radius {casingRadiusMm} mm");
        Layers = sorted;
        CasingRadiusMm = casingRadiusMm;
        RimMm = rimMm;
        Cavity = cavity; CavityLabel = cavityLabel;
        Rim = rim; RimLabel = rimLabel;
        Outside = outside;
        Spheres = spheres;
        SphereFill = sphereFill;
    }

    public SpeciesSet Species { get; }
    public IReadOnlyList<Layer> Layers { get; }
    public double CasingRadiusMm { get; }
    public double RimMm { get; }
    public double[] Cavity { get; }
    public int CavityLabel { get; }
    public double[] Rim { get; }
    public int RimLabel { get; }
    public double[] Outside { get; }
    public IReadOnlyList<Sphere> Spheres { get; }
    public double[] SphereFill { get; }

    /// <summary>Lowest and highest z of the stack, mm.</summary>
    public (double Z0, double Z1) Extent => Layers.Count == 0 ? (0, 0) : (Layers[0].Z0, Layers[^1].Z1);

    /// <summary>Where a point lies: the layer (or null), and the region kind.</summary>
    public (Layer? Layer, Region Region) Locate(double x, double y, double z)
    {
        double r = Math.Sqrt(x * x + y * y);
        var layer = LayerAt(z);
        if (layer is null || r >= CasingRadiusMm) return (null, Region.Outside);
        if (r < layer.RadiusMm) return (layer, Region.Layer);
        if (r >= CasingRadiusMm - RimMm) return (null, Region.Rim);
        return (null, Region.Cavity);
    }

    /// <summary>The layer whose slab holds height <paramref name="z"/>, or null.</summary>
    public Layer? LayerAt(double z)
    {
        foreach (var l in Layers)
            if (z >= l.Z0 && z < l.Z1) return l;
        return null;
    }

    /// <summary>Attenuation coefficient (1/cm) at (x, y) in slab <paramref name="l"/>, with per-region coefficients.</summary>
    public static double RegionMu(Layer l, double r, double casing, double rim, double layerMu, double cavityMu, double rimMu) =>
        r < l.RadiusMm ? layerMu : r < casing - rim ? cavityMu : r < casing ? rimMu : 0;

    public enum Region { Outside, Layer, Cavity, Rim }
}
