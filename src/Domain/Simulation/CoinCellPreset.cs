namespace XcsCt.Domain.Simulation;

/// <summary>One scan of an operando series (ANALYSIS 8).</summary>
/// <param name="Id">Scan id (s000, s001, ...).</param>
/// <param name="Index">Position in the series.</param>
/// <param name="TimeS">Time since the start of the series, s.</param>
/// <param name="ZMm">Sheet height, mm (0 = through the cell's axis).</param>
/// <param name="MeanLithium">Mean lithium fraction x of the cathode's active material.</param>
/// <param name="StateOfCharge">State of charge, 0 (pristine) to 1.</param>
/// <param name="Rested">True when the cell rested before the scan (no concentration gradients).</param>
public sealed record ScanPlan(string Id, int Index, double TimeS, double ZMm, double MeanLithium, double StateOfCharge, bool Rested);

/// <summary>
/// A coin-cell phantom and its operando protocol (ISSUE 1): <c>lib-nmc811</c> (liquid electrolyte, 1 mm
/// porous NMC811 cathode) or <c>ssb-peo</c> (solid-state, PEO/LiTFSI, NMC622, growing Li dendrites).
/// Series: scan 0 pristine and rested (x = 1), then scans while charging at 0.1 C (diffusion-limited
/// lithium gradient through the cathode, more lithium in the pore electrolyte deeper in), then one scan
/// after a rest at the end of charge (uniform x). First and last scans are the two lithium references.
/// </summary>
public sealed class CoinCellPreset
{
    /// <summary>The preset names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "lib-nmc811", "ssb-peo" };

    private const double CasingRadius = 10.0, Rim = 0.25, Plate = 0.25;
    private const double ChargeHours = 8.0, RestHours = 2.0, DeltaXPerHour = 0.08; // 0.1 C, x 1 -> 0.36

    private readonly bool _solid;
    private readonly SpeciesSet _species;
    private readonly PoreField _pores;

    private CoinCellPreset(string name, bool solid)
    {
        Name = name;
        _solid = solid;
        Components = solid
            ? new[] { "outside", "casing", "cathode", "membrane", "anode", "spacer", "spring", "gas", "interphase" }
            : new[] { "outside", "casing", "cathode", "separator", "anode", "spacer", "electrolyte", "gas", "interphase" };
        _species = new SpeciesSet(new[]
        {
            CellMaterials.StainlessSteel, CellMaterials.LithiumMetal, CellMaterials.Argon, CellMaterials.Air,
            CellMaterials.Polypropylene, CellMaterials.Solvent, CellMaterials.LiPF6PerMolar, CellMaterials.PeoLiTfsi,
            CellMaterials.Nmc811(1), CellMaterials.Nmc622(1), CellMaterials.Ptfe,
        });
        _pores = new PoreField(solid ? 0x55BUL : 0x11BUL, 0.30, 0.12);
        SheetHeightMm = solid ? 1.0 : 0.0;
    }

    /// <summary>A preset by name; <see cref="InputException"/> listing the valid names otherwise.</summary>
    public static CoinCellPreset Create(string name) => name switch
    {
        "lib-nmc811" => new CoinCellPreset(name, solid: false),
        "ssb-peo" => new CoinCellPreset(name, solid: true),
        _ => throw new InputException($"unknown preset '{name}': expected one of {string.Join(", ", Names)}"),
    };

    public string Name { get; }

    /// <summary>Component names; a label value is an index into this list (0 = outside).</summary>
    public IReadOnlyList<string> Components { get; }

    /// <summary>Species of every scene of this preset (and of its reference objects).</summary>
    public SpeciesSet Species => _species;

    /// <summary>Sheet height of every scan, mm.</summary>
    public double SheetHeightMm { get; init; }

    /// <summary>Porosity of the cathode at (x, z), mm (directional pores along the cell axis; 0 for the solid cell).</summary>
    public double Porosity(double x, double z) => _solid ? 0 : _pores.At(x, z);

    /// <summary>Detector rows whose footprint lies inside the cathode (top = next to the separator) and middle rows.</summary>
    public (int[] TopRows, int[] MiddleRows) CathodeRows(int rows, double pitchMm)
    {
        double top = _solid ? -0.185 : 0.0, bottom = _solid ? -0.25 : -1.0;
        var inside = new List<int>();
        for (int r = 0; r < rows; r++)
        {
            double y0 = (r - rows / 2.0) * pitchMm, y1 = y0 + pitchMm;
            if (y0 >= bottom - 1e-9 && y1 <= top + 1e-9) inside.Add(r);
        }
        if (inside.Count < 3) return (inside.Count > 0 ? new[] { inside[^1] } : Array.Empty<int>(), Array.Empty<int>());
        var middle = inside.GetRange(1, inside.Count - 2);
        return (new[] { inside[^1] }, middle.ToArray());
    }

    /// <summary>The operando series of <paramref name="scans"/> scans (at least 1).</summary>
    public IReadOnlyList<ScanPlan> Series(int scans)
    {
        if (scans <= 0) throw new InputException($"scan count {scans} is not valid: it must be at least 1");
        if (scans > 10000) throw new InputException($"scan count {scans} is not valid: at most 10000");
        var list = new List<ScanPlan>(scans);
        for (int i = 0; i < scans; i++)
        {
            double hours;
            bool rested;
            if (i == 0) { hours = 0; rested = true; }
            else if (i == scans - 1) { hours = ChargeHours + RestHours; rested = true; }
            else { hours = ChargeHours * i / (scans - 1); rested = false; }
            double charged = Math.Min(hours, ChargeHours);
            double x = 1 - DeltaXPerHour * charged;
            list.Add(new ScanPlan($"s{i:D3}", i, hours * 3600, SheetHeightMm, x, (1 - x) / (DeltaXPerHour * ChargeHours), rested));
        }
        return list;
    }

    /// <summary>Amplitude G of the diffusion-limited gradient: x(xi) = mean - G ((1 - xi)^2 - 1/3), xi = depth from the separator / thickness.</summary>
    public static double GradientAmplitude(ScanPlan scan) =>
        scan.Rested ? 0 : Math.Min(0.25, 1.5 * (1 - scan.MeanLithium));

    /// <summary>The cell at one scan.</summary>
    public CellScene Scene(ScanPlan scan)
    {
        var v = _species;
        double[] steel = v.Vector(CellMaterials.StainlessSteel), li = v.Vector(CellMaterials.LithiumMetal);
        double[] ar = v.Vector(CellMaterials.Argon), air = v.Vector(CellMaterials.Air);
        double[] solvent = v.Vector(CellMaterials.Solvent), salt = v.Vector(CellMaterials.LiPF6PerMolar);
        double[] peo = v.Vector(CellMaterials.PeoLiTfsi), pp = v.Vector(CellMaterials.Polypropylene);
        double[] liBound = v.Vector(Material.Mix("Li+").With("Li+", new Species(3, true), 1.0));
        double g = GradientAmplitude(scan), xm = scan.MeanLithium, progress = scan.StateOfCharge;
        static Func<double, double, double, double> Const(double c) => (_, _, _) => c;
        var layers = new List<Layer>();

        if (!_solid)
        {
            // lib-nmc811, y from the can bottom up; the cathode top (separator side) sits on a pixel edge at y = 0.
            const double c0 = -1.0, c1 = 0.0, sep = 0.02;
            double sei = 0.005 + 0.02 * progress;
            double Xi(double y) => (c1 - y) / (c1 - c0);
            double X(double x, double y, double z) => Math.Clamp(xm - g * (Math.Pow(1 - Xi(y), 2) - 1.0 / 3), 0, 1);
            double Salt(double y) => 1.0 + 0.8 * (g / 0.25) * Xi(y); // mol/L: Li+ released while charging accumulates deep in the pores
            double sites = CellMaterials.Nmc811Sites;
            var host = v.Vector(CellMaterials.Nmc811Host);
            layers.Add(new Layer(1, c0 - Plate, c0, CasingRadius, new[] { (steel, Const(1)) }));
            layers.Add(new Layer(2, c0, c1, 7.0, new[]
            {
                (host, (Func<double, double, double, double>)((x, y, z) => 1 - _pores.At(x, z))),
                (liBound, (x, y, z) => (1 - _pores.At(x, z)) * sites * X(x, y, z)),
                (solvent, (x, y, z) => _pores.At(x, z) * (1 - 0.05 * Salt(y))),
                (salt, (x, y, z) => _pores.At(x, z) * Salt(y)),
            }, X, (x, _, z) => (1 - _pores.At(x, z)) * sites));
            layers.Add(new Layer(3, c1, c1 + sep, 9.5, new[] { (pp, Const(0.6)), (solvent, Const(0.4 * 0.95)), (salt, Const(0.4)) }));
            layers.Add(new Layer(8, c1 + sep, c1 + sep + sei, 8.0, new[] { (li, Const(0.5)), (solvent, Const(0.5 * 0.95)), (salt, Const(0.5)) }));
            layers.Add(new Layer(4, c1 + sep + sei, c1 + sep + 0.25, 8.0, new[] { (li, Const(1)) }));
            layers.Add(new Layer(5, c1 + sep + 0.25, c1 + sep + 0.75, 8.0, new[] { (steel, Const(1)) }));
            layers.Add(new Layer(1, c1 + sep + 0.75, c1 + sep + 0.75 + Plate, CasingRadius, new[] { (steel, Const(1)) }));
            double[] electrolyte = new double[v.Count];
            for (int k = 0; k < v.Count; k++) electrolyte[k] = solvent[k] * 0.95 + salt[k];
            var bubbles = new List<Sphere>
            {
                new(-8.3, -0.5, 0.05, 0.35, 7), new(7.9, -0.2, -0.1, 0.25, 7), new(8.6, 0.3, 0.12, 0.3, 7),
                new(-7.6, 0.1, -0.05, 0.2, 7), new(2.0, -0.45, 0.02, 0.06, 7),
            };
            return new CellScene(v, layers, CasingRadius, Rim, electrolyte, 6, steel, 1, air, bubbles, ar);
        }
        else
        {
            // ssb-peo: can plate, 65 um cathode, 30 um membrane, 250 um Li on a pixel row (y 0-0.25), two spacers, spring, cap.
            const double a0 = 0.0, mem = 0.03, cat = 0.065;
            double sites = CellMaterials.Nmc622Sites * 0.6;
            var host = v.Vector(CellMaterials.Nmc622Host);
            double X(double x, double y, double z) => Math.Clamp(xm - g * 0.2 * (Math.Pow((y - (a0 - mem - cat)) / cat, 2) - 1.0 / 3), 0, 1);
            double dendrite = 0.45 * progress; // Li metal volume fraction in the membrane next to the anode
            double Dendrites(double x, double y, double z)
            {
                double depth = (a0 - y) / mem; // 0 at the anode, 1 at the cathode
                double patch = 0.5 + 0.5 * Math.Cos(2 * Math.PI * x / 3.1) * Math.Cos(2 * Math.PI * z / 2.3);
                return Math.Clamp(dendrite * (1.3 - depth) * patch, 0, 0.9);
            }
            double y = a0 - mem - cat;
            layers.Add(new Layer(1, y - Plate, y, CasingRadius, new[] { (steel, Const(1)) }));
            layers.Add(new Layer(2, y, a0 - mem, 7.0, new[]
            {
                (host, Const(0.6)),
                (liBound, (x, yy, z) => sites * X(x, yy, z)),
                (peo, Const(0.4)),
            }, X, (_, _, _) => sites));
            layers.Add(new Layer(8, a0 - mem, a0 - 0.6 * mem, 8.0, new[] { (peo, (Func<double, double, double, double>)((x, yy, z) => 1 - Dendrites(x, yy, z))), (li, Dendrites) }));
            layers.Add(new Layer(3, a0 - 0.6 * mem, a0, 8.0, new[] { (peo, (Func<double, double, double, double>)((x, yy, z) => 1 - Dendrites(x, yy, z))), (li, Dendrites) }));
            layers.Add(new Layer(4, a0, a0 + 0.25, 8.0, new[] { (li, Const(1)) }));
            layers.Add(new Layer(5, a0 + 0.25, a0 + 0.75, 8.0, new[] { (steel, Const(1)) }));
            layers.Add(new Layer(5, a0 + 0.75, a0 + 1.25, 8.0, new[] { (steel, Const(1)) }));
            layers.Add(new Layer(6, a0 + 1.25, a0 + 2.25, 8.0, new[] { (steel, Const(0.25)), (ar, Const(0.75)) }));
            layers.Add(new Layer(1, a0 + 2.25, a0 + 2.25 + Plate, CasingRadius, new[] { (steel, Const(1)) }));
            return new CellScene(v, layers, CasingRadius, Rim, ar, 7, steel, 1, air, Array.Empty<Sphere>(), ar);
        }
    }

    /// <summary>The empty holder: air only (the "profile without sample").</summary>
    public CellScene EmptyScene() => new(_species, Array.Empty<Layer>(), 0, 0, new double[_species.Count], 0,
        new double[_species.Count], 0, _species.Vector(CellMaterials.Air), Array.Empty<Sphere>(), new double[_species.Count]);

    /// <summary>The homogeneous PTFE reference: a PTFE cylinder of radius 11 mm covering the whole field.</summary>
    public CellScene PtfeScene()
    {
        var ptfe = _species.Vector(CellMaterials.Ptfe);
        var layer = new Layer(1, -10.5, 10.5, 11.0, new[] { (ptfe, (Func<double, double, double, double>)((_, _, _) => 1.0)) });
        return new CellScene(_species, new[] { layer }, 11.0, 0, ptfe, 1, ptfe, 1, _species.Vector(CellMaterials.Air),
            Array.Empty<Sphere>(), new double[_species.Count]);
    }
}

/// <summary>
/// Porosity of the thick cathode as a smooth random field over (x, z), mm: directional pores (5-20 um,
/// far below a pixel) run along the cell axis, so only their local volume fraction is resolved; it varies
/// laterally in clusters of 0.4-1.5 mm (the heterogeneity the EMF maps follow).
/// </summary>
public sealed class PoreField
{
    private readonly (double X, double Z, double W, double A)[] _bumps;
    private readonly double _mean, _amplitude, _norm;

    public PoreField(ulong seed, double mean, double amplitude)
    {
        var rng = new Xoshiro256(seed, 0x9063);
        _bumps = new (double, double, double, double)[60];
        for (int i = 0; i < _bumps.Length; i++)
            _bumps[i] = (-8 + 16 * rng.NextDouble(), -8 + 16 * rng.NextDouble(), 0.4 + 1.1 * rng.NextDouble(), rng.NextDouble() < 0.5 ? -1 : 1);
        _mean = mean;
        _amplitude = amplitude;
        _norm = 1.0;
    }

    /// <summary>Porosity at (x, z), mm: mean + amplitude * tanh(sum of signed Gaussian bumps), within [0.05, 0.6].</summary>
    public double At(double x, double z)
    {
        double s = 0;
        foreach (var (bx, bz, w, a) in _bumps)
        {
            double dx = x - bx, dz = z - bz;
            double d2 = (dx * dx + dz * dz) / (w * w);
            if (d2 < 16) s += a * Math.Exp(-d2);
        }
        return Math.Clamp(_mean + _amplitude * Math.Tanh(s * _norm), 0.05, 0.6);
    }
}
