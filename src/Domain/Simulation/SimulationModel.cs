using System.Numerics.Tensors;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Simulation;

/// <summary>
/// Everything of a simulated experiment that does not change between scans, built once: the beam, the
/// detector, per-species photon spectra, the detector response kernel, and the noise-smeared response of
/// every basis spectrum on the histogram axis at a ladder of electronic-noise levels. Bases: the photon
/// spectrum of each species S_k, its tilt twin S_k * tau(E), and the pinhole/shielding fluorescence.
/// </summary>
public sealed class SimulationModel
{
    /// <summary>Electronic-noise ladder, keV rms: 0.05 to 0.95 in steps of 0.025.</summary>
    private const double LevelStep = 0.025, LevelFirst = 0.05;
    private const int Levels = 37;


    /// <summary>
    /// Photon energies from this far below to this far above the Compton line (keV) get the precise
    /// response: their events reach the EMF windows (|pz| &lt;= 5 is about +/- 4.4 keV) and the peak fit,
    /// after a partner's noise (up) or a lost charge-sharing piece or tail (down).
    /// </summary>
    private const double PreciseBelowKeV = 8, PreciseAboveKeV = 12;

    /// <summary>What depends only on the physics (species spectra, response kernel, smeared bases), shared by every model of the same physics.</summary>
    private sealed class Basis
    {
        public required IncidentSpectra Incident;
        public required ResponseKernel Kernel;
        public required double[][] Fine;
        public required double[] Total;
        public required double[][][] PreNoise;
        public required double[,] SecondaryRates;
        public required double[] PartnerVariances;
        public readonly double[]?[,,] Smeared = new double[]?[64, 2, Levels];
        public readonly double[]?[,] Secondary = new double[]?[2, Levels];
    }

    private readonly record struct BasisKey(string Preset, BeamGeometry Beam, LithiationModel Lithiation, ulong Detector, HistogramAxis Axis);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<BasisKey, Lazy<Basis>> Bases = new();

    private readonly Basis _b;

    /// <param name="preset">The cell (its species fix the bases).</param>
    /// <param name="detector">The simulated detector.</param>
    /// <param name="beam">Beam and scattering geometry.</param>
    /// <param name="lithiation">Bound-lithium profile model.</param>
    /// <param name="peakOccupancy">Photons per frame in a pixel whose footprint is all steel, before attenuation (0.04: about 1 % of pixels hit per frame, little pile-up).</param>
    /// <param name="axis">Histogram axis of the analysis (default 0-200 keV, 0.2 keV).</param>
    public SimulationModel(CoinCellPreset preset, DetectorModel detector, BeamGeometry beam, LithiationModel lithiation,
        double peakOccupancy = 0.04, HistogramAxis? axis = null)
    {
        if (!(peakOccupancy > 0 && peakOccupancy <= 1))
            throw new InputException($"peak occupancy {peakOccupancy} photons per pixel per frame is not valid: expected 0-1");
        Preset = preset;
        Detector = detector;
        Beam = beam.Validated();
        Lithiation = lithiation;
        Axis = axis ?? HistogramAxis.Default;
        Grid = FineGrid.Default;
        int s = preset.Species.Count;
        BasisCount = 2 * s + 1;
        if (BasisCount > 64) throw new InputException($"preset {preset.Name} has {s} species, at most 31 are supported");
        var key = new BasisKey(preset.Name, Beam, lithiation, detector.Fingerprint, Axis);
        _b = Bases.GetOrAdd(key, _ => new Lazy<Basis>(() => BuildBasis(preset, detector, Beam, lithiation, Grid))).Value;
        var steel = preset.Species.Vector(CellMaterials.StainlessSteel);
        double footprint = Math.Pow(detector.Physics.PitchUm * 1e-4, 2) * 0.025; // cm^3 of a 250 um cube
        double steelPhotons = 0;
        for (int k = 0; k < s; k++) steelPhotons += steel[k] * footprint * BasisTotal[k];
        FluxScale = peakOccupancy / steelPhotons;
    }

    private static Basis BuildBasis(CoinCellPreset preset, DetectorModel detector, BeamGeometry beam, LithiationModel lithiation, FineGrid grid)
    {
        var incident = new IncidentSpectra(beam, lithiation, grid, detector);
        var kernel = new ResponseKernel(detector, grid, beam.IncidentKeV * (1 + 5 * beam.RelativeBandwidth) + 2,
            (beam.ComptonKeV - PreciseBelowKeV, beam.ComptonKeV + PreciseAboveKeV));
        int s = preset.Species.Count, n = 2 * s + 1;
        var fine = new double[n][];
        var total = new double[n];
        double ec = beam.ComptonKeV;
        for (int k = 0; k < s; k++)
        {
            var plain = incident.Of(preset.Species.Items[k]);
            var tilt = new double[plain.Length];
            for (int i = 0; i < plain.Length; i++) tilt[i] = plain[i] * PixelScene.TiltTau(grid.Centre(i), ec);
            fine[k] = plain;
            fine[s + k] = tilt;
        }
        fine[2 * s] = incident.PinholeFluorescence;
        var pre = new double[n][][];
        var rates = new double[n, 2];
        Parallel.For(0, n, b =>
        {
            total[b] = TensorPrimitives.Sum<double>(fine[b]);
            var single = new double[grid.Bins];
            var pair = new double[grid.Bins];
            var (r0, r1) = kernel.Apply(fine[b], single, pair);
            pre[b] = new[] { single, pair };
            rates[b, 0] = r0;
            rates[b, 1] = r1;
        });
        return new Basis
        {
            Incident = incident, Kernel = kernel, Fine = fine, Total = total, PreNoise = pre, SecondaryRates = rates,
            PartnerVariances = detector.ElectronicVarianceSpread(),
        };
    }

    public CoinCellPreset Preset { get; }
    public DetectorModel Detector { get; }
    public BeamGeometry Beam { get; }
    public LithiationModel Lithiation { get; }
    public HistogramAxis Axis { get; }
    public FineGrid Grid { get; }
    public IncidentSpectra Incident => _b.Incident;
    public ResponseKernel Kernel => _b.Kernel;

    /// <summary>Histogram bins that can hold counts: up to the elastic line plus 7 sigma of the widest noise level; above them every expected spectrum is 0.</summary>
    internal int ActiveBins => Math.Min(Axis.Bins, (int)Math.Ceiling((Beam.IncidentKeV * (1 + 5 * Beam.RelativeBandwidth) + 2 + 8 * 1.1) / Axis.BinWidthKeV));

    /// <summary>Number of bases: 2 x species + 1.</summary>
    public int BasisCount { get; }

    /// <summary>Photons (per unit weight) of each basis, summed over energy.</summary>
    public double[] BasisTotal => _b.Total;

    /// <summary>Photon spectrum of basis b on the fine grid.</summary>
    public ReadOnlySpan<double> BasisFine(int b) => _b.Fine[b];

    /// <summary>Pre-noise event spectra of each basis on its hit pixel: [basis][class] on the fine grid.</summary>
    internal double[][][] PreNoise => _b.PreNoise;

    /// <summary>Secondary events per unit basis weight: [basis, class].</summary>
    internal double[,] SecondaryRates => _b.SecondaryRates;

    /// <summary>Photons per frame per unit of transmission-weighted atoms times basis spectrum (cm^2-sr-flux constant).</summary>
    public double FluxScale { get; }

    /// <summary>Fraction of scattered photons that come back as W/Pb K fluorescence, spread evenly over the detector.</summary>
    public double PinholeFluorescenceFraction { get; init; } = 0.03;

    /// <summary>The scan's per-pixel model (expected spectra and sampling tables).</summary>
    public ScanModel Scan(CellScene scene, double zMm) =>
        new(this, PixelScene.Build(scene, Detector.Shape, Preset.Components.Count, Detector.Physics.PitchUm / 1000, zMm, 0.25, Beam));

    /// <summary>Level index and weight of the upper level for noise variance <paramref name="variance"/> (keV^2), interpolating in sigma^2.</summary>
    internal static (int Level, double Upper) LevelOf(double variance)
    {
        double sigma = Math.Sqrt(Math.Max(variance, 0));
        int l = Math.Clamp((int)((sigma - LevelFirst) / LevelStep), 0, Levels - 2);
        double s0 = LevelFirst + l * LevelStep, s1 = s0 + LevelStep;
        double t = Math.Clamp((sigma * sigma - s0 * s0) / (s1 * s1 - s0 * s0), 0, 1);
        return (l, t);
    }

    /// <summary>Histogram (per unit weight) of basis b's events of class c smeared with electronic noise level l.</summary>
    internal double[] Smeared(int b, int c, int l)
    {
        var cache = _b.Smeared;
        var h = Volatile.Read(ref cache[b, c, l]);
        if (h is not null) return h;
        h = Smear(PreNoise[b][c], c, l);
        lock (_b) cache[b, c, l] ??= h;
        return cache[b, c, l]!;
    }

    internal double[] SecondarySmeared(int c, int l)
    {
        var cache = _b.Secondary;
        var h = Volatile.Read(ref cache[c, l]);
        if (h is not null) return h;
        h = Smear(Kernel.SecondaryShape[c], c, l);
        lock (_b) cache[c, l] ??= h;
        return cache[c, l]!;
    }

    /// <summary>
    /// Noise into the histogram axis: Gaussian with the hit pixel's electronic level l, Fano on the event
    /// energy and ADU rounding once per pixel read; a class-1 pair adds the electronic noise of its partner,
    /// a pixel drawn at random, as an even mixture of two Gaussians whose partner variances have the mean
    /// and spread of the live pixels' (<see cref="DetectorModel.ElectronicVarianceSpread"/>; resolution
    /// differs by 20 % from pixel to pixel: a mixture, not one Gaussian of the mean variance, whose narrower
    /// core and wider wings the EMF sees).
    /// </summary>
    private double[] Smear(double[] fine, int cls, int level)
    {
        var h = new double[Axis.Bins];
        double se = LevelFirst + level * LevelStep;
        double q = (cls + 1) * 0.028 * 0.028 / 12;
        double w = Axis.BinWidthKeV;
        ReadOnlySpan<double> partners = cls == 0 ? stackalloc double[] { 0.0 } : _b.PartnerVariances;
        double share = 1.0 / partners.Length;
        for (int i = 0; i < fine.Length; i++)
        {
            double m = fine[i];
            if (m == 0) continue;
            double e = Grid.Centre(i);
            foreach (double partner in partners)
            {
                double sigma = Math.Sqrt(se * se + partner + Detector.FanoVariance(e) + q);
                int lo = Math.Max(0, (int)Math.Floor((e - 7 * sigma) / w));
                int hi = Math.Min(Axis.Bins - 1, (int)Math.Floor((e + 7 * sigma) / w));
                double inv = 1 / sigma, mass = m * share;
                double prev = PhiTable.Cdf((lo * w - e) * inv);
                for (int b = lo; b <= hi; b++)
                {
                    double next = PhiTable.Cdf(((b + 1) * w - e) * inv);
                    h[b] += mass * (next - prev);
                    prev = next;
                }
            }
        }
        return h;
    }
}

/// <summary>
/// Tabulated standard normal CDF on [-8, 8] (step 1/512, linear interpolation; error below 1e-7) and its
/// inverse on p in [0, 1] (65,536 steps, linear interpolation, clamped at p = 1/131,072: |z| &lt;= 4.3).
/// </summary>
internal static class PhiTable
{
    private const int PerUnit = 512, QuantileSteps = 1 << 16;
    private static readonly double[] Table = Build();
    private static readonly double[] Inverse = BuildInverse();

    private static double[] BuildInverse()
    {
        var t = new double[QuantileSteps + 1];
        for (int i = 0; i <= QuantileSteps; i++)
            t[i] = Normal.Quantile(Math.Clamp(i / (double)QuantileSteps, 0.5 / QuantileSteps, 1 - 0.5 / QuantileSteps));
        return t;
    }

    /// <summary>Phi^-1(p) for p in [0, 1].</summary>
    public static double Quantile(double p)
    {
        double u = Math.Clamp(p, 0, 1) * QuantileSteps;
        int i = Math.Min((int)u, QuantileSteps - 1);
        double f = u - i;
        return Inverse[i] + f * (Inverse[i + 1] - Inverse[i]);
    }

    private static double[] Build()
    {
        var t = new double[16 * PerUnit + 2];
        for (int i = 0; i < t.Length; i++) t[i] = Normal.Cdf(i / (double)PerUnit - 8);
        return t;
    }

    public static double Cdf(double x)
    {
        if (x <= -8) return 0;
        if (x >= 8) return 1;
        double u = (x + 8) * PerUnit;
        int i = (int)u;
        double f = u - i;
        return Table[i] + f * (Table[i + 1] - Table[i]);
    }
}
