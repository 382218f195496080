using System.Globalization;

namespace XcsCt.Domain.Simulation;

/// <summary>
/// A scattering species: an element, and for lithium whether it is bound in a compound (lattice or salt,
/// where the <see cref="LithiationModel"/> applies) or metallic (always the free-atom profile).
/// </summary>
public readonly record struct Species(int Z, bool BoundLithium = false)
{
    public override string ToString() => Z == 3 ? (BoundLithium ? "Li+" : "Li") : Elements.Symbol(Z);
}

/// <summary>How the Compton profile of bound lithium is modelled (ISSUE 2).</summary>
public enum LithiationModel
{
    /// <summary>Free-atom Biggs profile: 1s^2 2s^1.</summary>
    FreeAtom,
    /// <summary>Li+ core (1s^2) plus one electron in an O 2p-like valence state (the host's anion band).</summary>
    Ionic,
}

/// <summary>
/// A material by composition and number density: atoms of each <see cref="Species"/> per cm^3. Built from a
/// formula and a density (g/cm^3), or as a volume mixture of other materials.
/// </summary>
public sealed class Material
{
    private readonly Dictionary<Species, double> _atoms;

    private Material(string name, Dictionary<Species, double> atoms)
    {
        Name = name;
        _atoms = atoms;
    }

    /// <summary>Name shown in truth files.</summary>
    public string Name { get; }

    /// <summary>Atoms per cm^3 of each species.</summary>
    public IReadOnlyDictionary<Species, double> AtomsPerCm3 => _atoms;

    /// <summary>Mass density, g/cm^3.</summary>
    public double DensityGPerCm3
    {
        get
        {
            double m = 0;
            foreach (var (s, n) in _atoms) m += n * Elements.MolarMass(s.Z) / Elements.Avogadro;
            return m;
        }
    }

    /// <summary>Electrons per cm^3.</summary>
    public double ElectronsPerCm3
    {
        get
        {
            double e = 0;
            foreach (var (s, n) in _atoms) e += n * s.Z;
            return e;
        }
    }

    /// <summary>Lithium atoms (bound and metallic) per cm^3.</summary>
    public double LithiumPerCm3
    {
        get
        {
            double li = 0;
            foreach (var (s, n) in _atoms) if (s.Z == 3) li += n;
            return li;
        }
    }

    /// <summary>Linear attenuation coefficient at <paramref name="eKeV"/>, 1/cm (<see cref="CrossSections"/>).</summary>
    public double AttenuationPerCm(double eKeV)
    {
        double mu = 0;
        foreach (var (s, n) in _atoms) mu += n * CrossSections.TotalCm2(s.Z, eKeV);
        return mu;
    }

    /// <summary>
    /// A compound from a formula such as <c>"Li0.5Ni0.8Mn0.1Co0.1O2"</c> or <c>"C3H4O3"</c> at density
    /// <paramref name="densityGPerCm3"/>. Lithium in a formula of more than one element is bound.
    /// </summary>
    public static Material Formula(string name, string formula, double densityGPerCm3)
    {
        if (!(densityGPerCm3 > 0) || double.IsInfinity(densityGPerCm3))
            throw new InputException($"material '{name}': density {densityGPerCm3} g/cm3 is not a positive number");
        var counts = ParseFormula(formula);
        double molar = 0;
        foreach (var (z, n) in counts) molar += n * Elements.MolarMass(z);
        bool compound = counts.Count > 1;
        var atoms = new Dictionary<Species, double>();
        foreach (var (z, n) in counts)
            Add(atoms, new Species(z, compound && z == 3), n * densityGPerCm3 * Elements.Avogadro / molar);
        return new Material(name, atoms);
    }

    /// <summary>A compound from mass fractions of elements (e.g. a steel), at density <paramref name="densityGPerCm3"/>.</summary>
    public static Material MassFractions(string name, double densityGPerCm3, params (string Symbol, double Fraction)[] parts)
    {
        double total = 0;
        foreach (var p in parts) total += p.Fraction;
        if (!(total > 0)) throw new InputException($"material '{name}': mass fractions must sum to a positive number");
        var atoms = new Dictionary<Species, double>();
        foreach (var (sym, f) in parts)
        {
            int z = Elements.Z(sym);
            Add(atoms, new Species(z), densityGPerCm3 * f / total * Elements.Avogadro / Elements.MolarMass(z));
        }
        return new Material(name, atoms);
    }

    /// <summary>Volume mixture: each part contributes its atoms times its volume fraction (fractions need not sum to 1: the rest is empty).</summary>
    public static Material Mix(string name, params (Material Part, double VolumeFraction)[] parts)
    {
        var atoms = new Dictionary<Species, double>();
        foreach (var (m, f) in parts)
        {
            if (!(f >= 0) || f > 1 + 1e-12)
                throw new InputException($"material '{name}': volume fraction {f} of '{m.Name}' is not within 0-1");
            foreach (var (s, n) in m._atoms) Add(atoms, s, n * f);
        }
        return new Material(name, atoms);
    }

    /// <summary>This material with every species count multiplied by <paramref name="factor"/> (a partial fill).</summary>
    public Material Scaled(string name, double factor) => Mix(name, (this, factor));

    /// <summary>Adds <paramref name="atomsPerCm3"/> of one species (e.g. lithium inserted into a host lattice).</summary>
    public Material With(string name, Species species, double atomsPerCm3)
    {
        var atoms = new Dictionary<Species, double>(_atoms);
        Add(atoms, species, atomsPerCm3);
        return new Material(name, atoms);
    }

    private static void Add(Dictionary<Species, double> atoms, Species s, double n)
    {
        if (n == 0) return;
        atoms[s] = atoms.TryGetValue(s, out double old) ? old + n : n;
    }

    private static Dictionary<int, double> ParseFormula(string formula)
    {
        var counts = new Dictionary<int, double>();
        int i = 0;
        while (i < formula.Length)
        {
            if (!char.IsUpper(formula[i]))
                throw new InputException($"formula '{formula}': expected an element symbol at position {i}, found '{formula[i]}'");
            int start = i++;
            while (i < formula.Length && char.IsLower(formula[i])) i++;
            int z = Elements.Z(formula[start..i]);
            int numStart = i;
            while (i < formula.Length && (char.IsDigit(formula[i]) || formula[i] == '.')) i++;
            double n = numStart == i ? 1.0 : double.Parse(formula[numStart..i], CultureInfo.InvariantCulture);
            counts[z] = counts.TryGetValue(z, out double old) ? old + n : n;
        }
        if (counts.Count == 0) throw new InputException("empty chemical formula");
        return counts;
    }
}
