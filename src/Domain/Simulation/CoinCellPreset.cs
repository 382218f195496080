namespace XcsCt.Domain.Simulation;

/// <summary>One scan of an operando series (ANALYSIS 8).</summary>
/// <param name="Id">Scan id (s000, s001, ...).</param>
/// <param name="Index">Position in the series.</param>
/// <param name="TimeS">Time since the start of the series, s.</param>
/// <param name="ZMm">Sheet height, mm (0 at the cathode/separator interface of lib-nmc811, the anode/membrane interface of ssb-peo).</param>
/// <param name="Depth">Name of the depth the sheet cuts (cathode-middle, cathode-top, anode, interphase).</param>
/// <param name="MeanLithium">Mean lithium fraction x of the cathode's active material.</param>
/// <param name="StateOfCharge">State of charge, 0 (pristine) to 1 (end of the 8 h charge).</param>
/// <param name="Rested">True when the cell rested before the scan (no concentration gradients).</param>
public sealed record OperandoScan(string Id, int Index, double TimeS, double ZMm, string Depth, double MeanLithium, double StateOfCharge, bool Rested);

/// <summary>
/// A coin-cell phantom and its operando protocol (ISSUE 1): <c>lib-nmc811</c> (liquid electrolyte, 1 mm
/// porous NMC811 cathode, sheet heights in the middle and at the top of the cathode) or <c>ssb-peo</c>
/// (solid-state, PEO/LiTFSI, NMC622, growing Li dendrites; sheet heights through the anode and through the
/// anode/membrane interphase). Time points: 0 pristine and rested (x = 1); then charging at 0.1 C
/// (x falls 0.08 per hour for 8 h, a diffusion-limited lithium gradient through the thick cathode with
/// less lithium next to the separator, more lithium in the pore electrolyte deeper in, dendrites and
/// interphase growing); with three or more time points the last one is after a 2 h rest (uniform x).
/// Each time point is scanned at every sheet height in turn, so scan i is height i mod heights.
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
        _pores = new PoreField(solid ? 0x55BUL : 0x11BUL, 0.30, 0.16);
        Heights = solid
            ? new[] { ("anode", 0.125), ("interphase", 0.03) }
            : new[] { ("cathode-middle", -0.5), ("cathode-top", -0.125) };
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

    /// <summary>Sheet heights scanned at every time point: (depth name, z in mm).</summary>
    public IReadOnlyList<(string Depth, double ZMm)> Heights { get; }

    /// <summary>Label of the component whose EMF tracks the active material at a depth (cathode, or anode / interphase for ssb-peo).</summary>
    public int ActiveLabel(string depth) => depth switch
    {
        "anode" => 4,
        "interphase" => 8,
        _ => 2,
    };

    /// <summary>Porosity of the cathode at (x, y), mm (directional pores along the cell axis; 0 for the solid cell).</summary>
    public double Porosity(double x, double y) => _solid ? 0 : _pores.At(x, y);

    /// <summary>The operando series of <paramref name="scans"/> scans (at least 1).</summary>
    public IReadOnlyList<OperandoScan> Series(int scans)
    {
        if (scans <= 0) throw new InputException($"scan count {scans} is not valid: it must be at least 1");
        if (scans > 10000) throw new InputException($"scan count {scans} is not valid: at most 10000");
        int h = Heights.Count;
        int points = (scans + h - 1) / h;
        int charging = points >= 3 ? points - 2 : points - 1;
        var list = new List<OperandoScan>(scans);
        for (int i = 0; i < scans; i++)
        {
            int j = i / h;
            double hours;
            bool rested;
            if (j == 0) { hours = 0; rested = true; }
            else if (j > charging) { hours = ChargeHours + RestHours; rested = true; }
            else { hours = ChargeHours * j / charging; rested = false; }
            double x = 1 - DeltaXPerHour * Math.Min(hours, ChargeHours);
            var (depth, z) = Heights[i % h];
            list.Add(new OperandoScan($"s{i:D3}", i, hours * 3600, z, depth, x, (1 - x) / (DeltaXPerHour * ChargeHours), rested));
        }
        return list;
    }

    /// <summary>Amplitude G of the diffusion-limited gradient: x(xi) = mean - G ((1 - xi)^2 - 1/3), xi = depth below the separator / thickness.</summary>
    public static double GradientAmplitude(OperandoScan scan) =>
        scan.Rested ? 0 : Math.Min(0.4, 1.5 * (1 - scan.MeanLithium));

    /// <summary>True mean lithium fraction of the cathode's active material in a sheet at height z (mm), thickness 0.25 mm.</summary>
    public double SheetLithium(OperandoScan scan)
    {
        if (_solid) return scan.MeanLithium;
        double g = GradientAmplitude(scan), sum = 0;
        const int n = 200;
        for (int i = 0; i < n; i++)
        {
            double z = scan.ZMm - 0.125 + (i + 0.5) * 0.25 / n;
            double xi = Math.Clamp(-z, 0, 1);
            sum += Math.Clamp(scan.MeanLithium - g * (Math.Pow(1 - xi, 2) - 1.0 / 3), 0, 1);
        }
        return sum / n;
    }

    /// <summary>The cell at one scan.</summary>
    public CellScene Scene(OperandoScan scan)
    {
        var v = _species;
        double[] steel = v.Vector(CellMaterials.StainlessSteel), li = v.Vector(CellMaterials.LithiumMetal);
        double[] ar = v.Vector(CellMaterials.Argon), air = v.Vector(CellMaterials.Air);
        double[] solvent = v.Vector(CellMaterials.Solvent), salt = v.Vector(CellMaterials.LiPF6PerMolar);
        double[] peo = v.Vector(CellMaterials.PeoLiTfsi), pp = v.Vector(CellMaterials.Polypropylene);
        double[] liBound = v.Vector(Material.Mix("Li+").With("Li+", new Species(3, true), 1.0));
        double g = GradientAmplitude(scan), xm = scan.MeanLithium, progress = Math.Min(scan.StateOfCharge, 1);
        static Func<double, double, double, double> Const(double c) => (_, _, _) => c;
        var layers = new List<Layer>();

        if (!_solid)
        {
            // lib-nmc811 from the can bottom up; z = 0 at the cathode/separator interface.
            const double c0 = -1.0, c1 = 0.0, sep = 0.02;
            double sei = 0.005 + 0.02 * progress;
            static double Xi(double z) => Math.Clamp(-z, 0, 1); // 0 at the separator, 1 at the can
            double X(double x, double y, double z) => Math.Clamp(xm - g * (Math.Pow(1 - Xi(z), 2) - 1.0 / 3), 0, 1);
            double Salt(double z) => 1.0 + 0.5 * (g / 0.25) * Xi(z); // mol/L: Li+ released while charging accumulates deep in the pores
            double sites = CellMaterials.Nmc811Sites;
            var host = v.Vector(CellMaterials.Nmc811Host);
            layers.Add(new Layer(1, c0 - Plate, c0, CasingRadius, new[] { (steel, Const(1)) }));
            layers.Add(new Layer(2, c0, c1, 7.0, new[]
            {
                (host, (Func<double, double, double, double>)((x, y, z) => 1 - _pores.At(x, y))),
                (liBound, (x, y, z) => (1 - _pores.At(x, y)) * sites * X(x, y, z)),
                (solvent, (x, y, z) => _pores.At(x, y) * (1 - 0.05 * Salt(z))),
                (salt, (x, y, z) => _pores.At(x, y) * Salt(z)),
            }, X, (x, y, _) => (1 - _pores.At(x, y)) * sites));
            layers.Add(new Layer(3, c1, c1 + sep, 9.5, new[] { (pp, Const(0.6)), (solvent, Const(0.4 * 0.95)), (salt, Const(0.4)) }));
            layers.Add(new Layer(8, c1 + sep, c1 + sep + sei, 8.0, new[] { (li, Const(0.5)), (solvent, Const(0.5 * 0.95)), (salt, Const(0.5)) }));
            layers.Add(new Layer(4, c1 + sep + sei, c1 + sep + 0.25, 8.0, new[] { (li, Const(1)) }));
            layers.Add(new Layer(5, c1 + sep + 0.25, c1 + sep + 0.75, 8.0, new[] { (steel, Const(1)) }));
            layers.Add(new Layer(1, c1 + sep + 0.75, c1 + sep + 0.75 + Plate, CasingRadius, new[] { (steel, Const(1)) }));
            double[] electrolyte = new double[v.Count];
            for (int k = 0; k < v.Count; k++) electrolyte[k] = solvent[k] * 0.95 + salt[k];
            // A few Ar bubbles in the electrolyte ring around the cathode, at both scanned heights.
            var bubbles = new List<Sphere>
            {
                new(-8.3, 1.5, -0.5, 0.35, 7), new(7.9, -2.2, -0.45, 0.25, 7), new(1.2, 8.4, -0.15, 0.3, 7),
                new(-5.9, -5.6, -0.1, 0.4, 7), new(6.5, 5.0, -0.6, 0.3, 7),
            };
            return new CellScene(v, layers, CasingRadius, Rim, electrolyte, 6, steel, 1, air, bubbles, ar);
        }
        else
        {
            // ssb-peo: can plate, 65 um cathode, 30 um membrane, z = 0 at the anode, 250 um Li, two spacers, spring, cap.
            const double mem = 0.03, cat = 0.065;
            double sites = CellMaterials.Nmc622Sites * 0.6;
            var host = v.Vector(CellMaterials.Nmc622Host);
            double cBottom = -mem - cat;
            double X(double x, double y, double z) => Math.Clamp(xm - g * 0.2 * (Math.Pow((z - cBottom) / cat, 2) - 1.0 / 3), 0, 1);
            double dendrite = 0.45 * progress; // Li metal volume fraction in the membrane next to the anode
            double Dendrites(double x, double y, double z)
            {
                double depth = -z / mem; // 0 at the anode, 1 at the cathode
                double patch = 0.5 + 0.5 * Math.Cos(2 * Math.PI * x / 3.1) * Math.Cos(2 * Math.PI * y / 2.3);
                return Math.Clamp(dendrite * (1.3 - depth) * patch, 0, 0.9);
            }
            double Polymer(double x, double y, double z) => 1 - Dendrites(x, y, z);
            layers.Add(new Layer(1, cBottom - Plate, cBottom, CasingRadius, new[] { (steel, Const(1)) }));
            layers.Add(new Layer(2, cBottom, -mem, 7.0, new[]
            {
                (host, Const(0.6)),
                (liBound, (x, y, z) => sites * X(x, y, z)),
                (peo, Const(0.4)),
            }, X, (_, _, _) => sites));
            layers.Add(new Layer(3, -mem, -0.4 * mem, 8.0, new[] { (peo, (Func<double, double, double, double>)Polymer), (li, Dendrites) }));
            layers.Add(new Layer(8, -0.4 * mem, 0, 8.0, new[] { (peo, (Func<double, double, double, double>)Polymer), (li, Dendrites) }));
            layers.Add(new Layer(4, 0, 0.25, 8.0, new[] { (li, Const(1)) }));
            layers.Add(new Layer(5, 0.25, 0.75, 8.0, new[] { (steel, Const(1)) }));
            layers.Add(new Layer(5, 0.75, 1.25, 8.0, new[] { (steel, Const(1)) }));
            layers.Add(new Layer(6, 1.25, 2.25, 8.0, new[] { (steel, Const(0.25)), (ar, Const(0.75)) }));
            layers.Add(new Layer(1, 2.25, 2.25 + Plate, CasingRadius, new[] { (steel, Const(1)) }));
            return new CellScene(v, layers, CasingRadius, Rim, ar, 7, steel, 1, air, Array.Empty<Sphere>(), ar);
        }
    }

    /// <summary>The empty holder: air only (the "profile without sample").</summary>
    public CellScene EmptyScene() => new(_species, Array.Empty<Layer>(), 0, 0, new double[_species.Count], 0,
        new double[_species.Count], 0, _species.Vector(CellMaterials.Air), Array.Empty<Sphere>(), new double[_species.Count]);

    /// <summary>The homogeneous PTFE reference: a disk 22 mm across and 2 mm thick, centred on the sheet at z = 0.</summary>
    public CellScene PtfeScene()
    {
        var ptfe = _species.Vector(CellMaterials.Ptfe);
        var layer = new Layer(1, -1.0, 1.0, 11.0, new[] { (ptfe, (Func<double, double, double, double>)((_, _, _) => 1.0)) });
        return new CellScene(_species, new[] { layer }, 11.0, 0, ptfe, 1, ptfe, 1, _species.Vector(CellMaterials.Air),
            Array.Empty<Sphere>(), new double[_species.Count]);
    }
}

/// <summary>
/// Porosity of the thick cathode as a smooth random field over (x, y), mm: directional pores (5-20 um,
/// far below a pixel) run along the cell axis, so only their local volume fraction is resolved; it varies
/// laterally in clusters of 0.4-1.5 mm (the heterogeneity the EMF maps follow).
/// </summary>
public sealed class PoreField
{
    private const double Step = 0.025, Half = 10.5; // grid over [-10.5, 10.5] mm, bilinear between nodes
    private readonly int _n;
    private readonly float[] _grid;

    public PoreField(ulong seed, double mean, double amplitude)
    {
        var rng = new Xoshiro256(seed, 0x9063);
        var bumps = new (double X, double Y, double W, double A)[60];
        for (int i = 0; i < bumps.Length; i++)
            bumps[i] = (-8 + 16 * rng.NextDouble(), -8 + 16 * rng.NextDouble(), 0.4 + 1.1 * rng.NextDouble(), rng.NextDouble() < 0.5 ? -1 : 1);
        _n = (int)Math.Round(2 * Half / Step) + 1;
        _grid = new float[_n * _n];
        Parallel.For(0, _n, j =>
        {
            double y = -Half + j * Step;
            for (int i = 0; i < _n; i++)
            {
                double x = -Half + i * Step, s = 0;
                foreach (var (bx, by, w, a) in bumps)
                {
                    double dx = x - bx, dy = y - by;
                    double d2 = (dx * dx + dy * dy) / (w * w);
                    if (d2 < 16) s += a * Math.Exp(-d2);
                }
                _grid[j * _n + i] = (float)Math.Clamp(mean + amplitude * Math.Tanh(s), 0.05, 0.6);
            }
        });
    }

    /// <summary>Porosity at (x, y), mm: mean + amplitude * tanh(sum of signed Gaussian bumps), within [0.05, 0.6].</summary>
    public double At(double x, double y)
    {
        double u = Math.Clamp((x + Half) / Step, 0, _n - 1.000001), v = Math.Clamp((y + Half) / Step, 0, _n - 1.000001);
        int i = (int)u, j = (int)v;
        double fu = u - i, fv = v - j;
        int k = j * _n + i;
        return (1 - fv) * ((1 - fu) * _grid[k] + fu * _grid[k + 1]) + fv * ((1 - fu) * _grid[k + _n] + fu * _grid[k + _n + 1]);
    }
}
