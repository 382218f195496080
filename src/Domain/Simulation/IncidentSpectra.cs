namespace XcsCt.Domain.Simulation;

/// <summary>
/// The simulator's fine energy grid: bins of <see cref="BinKeV"/> from 0 keV; every simulated photon has
/// the centre energy of one fine bin, so expected spectra and sampled events agree exactly.
/// </summary>
public sealed record FineGrid(double BinKeV = 0.05, int Bins = 4000)
{
    public static FineGrid Default { get; } = new();
    public double Centre(int i) => (i + 0.5) * BinKeV;
    public double MaxKeV => Bins * BinKeV;
    public int BinOf(double eKeV) => (int)Math.Floor(eKeV / BinKeV);
}

/// <summary>
/// Spectra per atom of each scattering <see cref="Species"/> as the detector would see them without
/// its response (ISSUE 2): the Compton band <c>W(E2) * sum_shells occupancy * J_shell(pz(E2))</c>
/// (impulse approximation, shells only where the energy transfer exceeds their binding energy), plus the
/// elastic line <c>r0^2 * polarisation factor * F^2</c> with the beam's bandwidth, both times the
/// detector's absorption efficiency. Units: cm^2/sr per fine bin (per incident photon per cm^2).
/// </summary>
public sealed class IncidentSpectra
{
    private readonly Dictionary<Species, double[]> _cache = new();
    private readonly object _gate = new();

    public IncidentSpectra(BeamGeometry beam, LithiationModel lithiation, FineGrid grid, DetectorModel detector)
    {
        Beam = beam.Validated();
        Lithiation = lithiation;
        Grid = grid;
        Detector = detector;
        PinholeFluorescence = BuildLines(PinholeLines);
    }

    public BeamGeometry Beam { get; }
    public LithiationModel Lithiation { get; }
    public FineGrid Grid { get; }
    public DetectorModel Detector { get; }

    /// <summary>
    /// W and Pb K fluorescence from the pinhole and shielding (keV, relative intensity), excited by the
    /// scattered radiation: W K-alpha1/alpha2/beta1/beta2 and Pb K-alpha1/alpha2/beta1/beta2.
    /// </summary>
    public static readonly (double KeV, double Weight)[] PinholeLines =
    {
        (59.318, 1.0), (57.981, 0.58), (67.244, 0.22), (69.067, 0.08),
        (74.969, 0.5), (72.805, 0.3), (84.936, 0.11), (87.300, 0.04),
    };

    /// <summary>Line spectrum of the pinhole/shielding fluorescence, normalised to a total of 1 (per fine bin).</summary>
    public double[] PinholeFluorescence { get; }

    /// <summary>Spectrum of one atom of <paramref name="species"/>, per fine bin (built once, cached).</summary>
    public double[] Of(Species species)
    {
        lock (_gate)
        {
            if (_cache.TryGetValue(species, out var s)) return s;
            s = Build(species);
            _cache[species] = s;
            return s;
        }
    }

    private double[] Build(Species species)
    {
        var table = ComptonProfileTable.Biggs;
        var shells = new List<(AtomProfile Atom, int Shell, double Electrons, double BindingKeV)>();
        var atom = table[species.Z];
        if (species.Z == 3 && species.BoundLithium && Lithiation == LithiationModel.Ionic)
        {
            shells.Add((atom, 0, 2, atom.BindingEnergiesEv[0] / 1000));
            var o = table[8];
            shells.Add((o, 2, 1, 0)); // one electron with the O 2p profile
        }
        else
        {
            for (int s = 0; s < atom.Shells; s++)
                shells.Add((atom, s, atom.Occupancy[s], atom.BindingEnergiesEv[s] / 1000));
        }

        var spec = new double[Grid.Bins];
        double e1 = Beam.IncidentKeV;
        double w = Grid.BinKeV;
        for (int i = 0; i < Grid.Bins; i++)
        {
            double e2 = Grid.Centre(i);
            if (e2 >= e1 || e2 < 5) continue;
            double pz = Beam.Pz(e2);
            double transfer = e1 - e2;
            double j = 0;
            foreach (var (a, sh, n, u) in shells)
                if (transfer > u) j += n * a.ShellJ(sh, pz);
            spec[i] = Beam.ComptonWeight(e2) * j * w * Detector.Efficiency(e2);
        }

        // Elastic line: Gaussian of the incident bandwidth around E1.
        double strength = BeamGeometry.ElectronRadiusSquaredCm2 * Beam.ElasticPolarisationFactor
                          * CrossSections.ElasticFormFactorSquared(species.Z, Beam.ElasticMomentumTransferPerAngstrom)
                          * Detector.Efficiency(e1);
        AddGaussian(spec, e1, Math.Max(Beam.RelativeBandwidth * e1, 1e-6) / 2.3548, strength);
        return spec;
    }

    private double[] BuildLines((double KeV, double Weight)[] lines)
    {
        var spec = new double[Grid.Bins];
        double total = 0;
        foreach (var l in lines) total += l.Weight;
        foreach (var l in lines) AddGaussian(spec, l.KeV, 1e-6, l.Weight / total);
        return spec;
    }

    /// <summary>Adds <paramref name="area"/> spread as a Gaussian (sigma in keV) over the fine bins.</summary>
    private void AddGaussian(double[] spec, double centreKeV, double sigmaKeV, double area)
    {
        int lo = Math.Max(0, Grid.BinOf(centreKeV - 6 * sigmaKeV));
        int hi = Math.Min(Grid.Bins - 1, Grid.BinOf(centreKeV + 6 * sigmaKeV));
        for (int i = lo; i <= hi; i++)
        {
            double a = Normal.Cdf((i * Grid.BinKeV - centreKeV) / sigmaKeV);
            double b = Normal.Cdf(((i + 1) * Grid.BinKeV - centreKeV) / sigmaKeV);
            spec[i] += area * (b - a);
        }
    }
}

/// <summary>Standard normal distribution helpers.</summary>
public static class Normal
{
    /// <summary>Cumulative distribution Phi(x).</summary>
    public static double Cdf(double x) => 0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-x / Math.Sqrt(2));

    /// <summary>Quantile Phi^-1(p), 0 &lt; p &lt; 1.</summary>
    public static double Quantile(double p) => -Math.Sqrt(2) * MathNet.Numerics.SpecialFunctions.ErfcInv(2 * p);
}
