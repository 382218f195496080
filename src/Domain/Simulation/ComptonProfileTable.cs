using System.Globalization;
using MathNet.Numerics.Interpolation;

namespace XcsCt.Domain.Simulation;

/// <summary>
/// Hartree-Fock Compton profiles of one element (Biggs, Mendelsohn &amp; Mann 1975), per sub-shell and
/// per electron: <c>J_s(pz)</c> in 1/a.u. with <c>integral J_s dpz = 1</c> over all pz (the table is
/// one-sided, J(-pz) = J(pz)). The element's total is <c>sum_s occupancy_s * J_s</c>.
/// </summary>
public sealed class AtomProfile
{
    private readonly IInterpolation[] _shells;
    private readonly double _pzMax;

    internal AtomProfile(int z, string symbol, int[] occupancy, double[] bindingEv, double[] pz, double[][] shellJ)
    {
        Z = z;
        Symbol = symbol;
        Occupancy = occupancy;
        BindingEnergiesEv = bindingEv;
        _pzMax = pz[^1];
        _shells = new IInterpolation[shellJ.Length];
        // Mirror to negative pz so the monotone cubic is smooth through pz = 0.
        int n = pz.Length;
        var x = new double[2 * n - 1];
        for (int s = 0; s < shellJ.Length; s++)
        {
            var y = new double[2 * n - 1];
            for (int i = 0; i < n; i++)
            {
                x[n - 1 - i] = -pz[i];
                x[n - 1 + i] = pz[i];
                y[n - 1 - i] = shellJ[s][i];
                y[n - 1 + i] = shellJ[s][i];
            }
            _shells[s] = CubicSpline.InterpolatePchipSorted((double[])x.Clone(), y);
        }
    }

    /// <summary>Atomic number.</summary>
    public int Z { get; }

    /// <summary>Chemical symbol.</summary>
    public string Symbol { get; }

    /// <summary>Electrons in each sub-shell (DABAX #UOCCUP).</summary>
    public IReadOnlyList<int> Occupancy { get; }

    /// <summary>Binding energy of each sub-shell, eV (DABAX #UBIND).</summary>
    public IReadOnlyList<double> BindingEnergiesEv { get; }

    /// <summary>Number of sub-shells.</summary>
    public int Shells => _shells.Length;

    /// <summary>Total electrons (sum of occupancies).</summary>
    public int Electrons
    {
        get
        {
            int e = 0;
            foreach (int o in Occupancy) e += o;
            return e;
        }
    }

    /// <summary>Profile of one electron of sub-shell <paramref name="shell"/> at momentum <paramref name="pz"/> (a.u.), 1/a.u.</summary>
    public double ShellJ(int shell, double pz)
    {
        double a = Math.Abs(pz);
        if (a >= _pzMax) return 0.0;
        return Math.Max(0.0, _shells[shell].Interpolate(a));
    }

    /// <summary>Whole-atom profile <c>sum_s occupancy_s J_s(pz)</c>, 1/a.u.</summary>
    public double TotalJ(double pz)
    {
        double j = 0;
        for (int s = 0; s < _shells.Length; s++) j += Occupancy[s] * ShellJ(s, pz);
        return j;
    }
}

/// <summary>
/// The DABAX <c>ComptonProfiles.dat</c> table (embedded resource <c>XcsCt.Domain.ComptonProfiles.dat</c>):
/// for each element a block <c>#S Z symbol</c>, <c>#UOCCUP</c> occupancies, <c>#UBIND</c> binding
/// energies in eV, then rows of pz (0-100 a.u.), total profile and one column per sub-shell (per electron).
/// </summary>
public sealed class ComptonProfileTable
{
    private const string ResourceName = "XcsCt.Domain.ComptonProfiles.dat";
    private static readonly Lazy<ComptonProfileTable> LazyBiggs = new(LoadEmbedded);
    private readonly Dictionary<int, AtomProfile> _byZ;

    private ComptonProfileTable(Dictionary<int, AtomProfile> byZ) => _byZ = byZ;

    /// <summary>The embedded Biggs et al. (1975) table, parsed once.</summary>
    public static ComptonProfileTable Biggs => LazyBiggs.Value;

    /// <summary>Profile of element <paramref name="z"/>; <see cref="InputException"/> if the table lacks it.</summary>
    public AtomProfile this[int z] => _byZ.TryGetValue(z, out var p)
        ? p
        : throw new InputException($"Compton profile table: no element with Z = {z}");

    /// <summary>Elements in the table.</summary>
    public int Count => _byZ.Count;

    private static ComptonProfileTable LoadEmbedded()
    {
        using var stream = typeof(ComptonProfileTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InputException($"embedded resource {ResourceName} is missing from XcsCt.Domain");
        using var reader = new StreamReader(stream);
        return Parse(reader, ResourceName);
    }

    /// <summary>Parses a DABAX Compton-profile file; <paramref name="source"/> names it in error messages.</summary>
    public static ComptonProfileTable Parse(TextReader reader, string source)
    {
        var byZ = new Dictionary<int, AtomProfile>();
        int z = 0;
        string symbol = "";
        int[]? occ = null;
        double[]? bind = null;
        var pz = new List<double>();
        var cols = new List<double[]>();
        int lineNo = 0;

        void Flush()
        {
            if (z == 0) return;
            if (occ is null || bind is null || pz.Count < 2)
                throw new InputException($"{source}: element Z = {z} has no #UOCCUP, #UBIND or profile rows");
            var shellJ = new double[occ.Length][];
            for (int s = 0; s < occ.Length; s++)
            {
                shellJ[s] = new double[pz.Count];
                for (int i = 0; i < pz.Count; i++) shellJ[s][i] = cols[i][s];
            }
            byZ[z] = new AtomProfile(z, symbol, occ, bind, pz.ToArray(), shellJ);
            z = 0; occ = null; bind = null; pz.Clear(); cols.Clear();
        }

        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNo++;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            switch (parts[0])
            {
                case "#S":
                    Flush();
                    if (parts.Length < 3 || !int.TryParse(parts[1], out z))
                        throw new InputException($"{source} line {lineNo}: expected '#S Z symbol', found '{line}'");
                    symbol = parts[2];
                    break;
                case "#UOCCUP":
                    occ = new int[parts.Length - 1];
                    for (int i = 1; i < parts.Length; i++) occ[i - 1] = int.Parse(parts[i], CultureInfo.InvariantCulture);
                    break;
                case "#UBIND":
                    bind = new double[parts.Length - 1];
                    for (int i = 1; i < parts.Length; i++) bind[i - 1] = double.Parse(parts[i], CultureInfo.InvariantCulture);
                    break;
                default:
                    if (parts[0].StartsWith('#') || z == 0) break;
                    if (occ is null || parts.Length != occ.Length + 2)
                        throw new InputException($"{source} line {lineNo}: expected pz, total and {occ?.Length ?? 0} shell columns, found {parts.Length} numbers");
                    pz.Add(double.Parse(parts[0], CultureInfo.InvariantCulture));
                    var row = new double[occ.Length];
                    for (int s = 0; s < occ.Length; s++) row[s] = double.Parse(parts[s + 2], CultureInfo.InvariantCulture);
                    cols.Add(row);
                    break;
            }
        }
        Flush();
        if (byZ.Count == 0) throw new InputException($"{source}: no element blocks (#S) found");
        return new ComptonProfileTable(byZ);
    }
}
