namespace XcsCt.Domain.Simulation;

/// <summary>
/// Expected outcome of one absorbed photon after the frame corrections' cluster rule (ANALYSIS 3.6):
/// <see cref="DetectorModel.Interact"/> is run over a randomly shifted Halton point set (interaction point,
/// tail, K branch, escape, range, direction, line, threshold noise) at each coarse energy, the deposits are
/// thresholded and grouped into 8-connected clusters (1 kept, 2 summed onto the larger, 3+ discarded),
/// and the resulting events are tabulated before noise: on the hit pixel as an energy shift relative to
/// the photon (full energy, charge-sharing loss, tail, escape peaks), per noise class; elsewhere as
/// secondary events (fluorescence landing in a neighbour) with their offset stencil. Pile-up is not in
/// the kernel. The truth EMF is sensitive to this response at the 0.1 % level (which fraction of events
/// lose a charge-sharing piece, which are summed pairs), so energies that reach the EMF windows use
/// <see cref="PreciseSamples"/> points: low-discrepancy points converge about as 1/N there, where
/// independent draws gave the truth an error of 0.2 % of the EMF.
/// <para>
/// The threshold acts on the noisy reading, as in the frames: a deposit below
/// <see cref="NoisyThresholdMaxKeV"/> passes when deposit + noise reaches the threshold crossing of a
/// live pixel drawn at random (its own electronic noise, Fano noise, ADU rounding and dark offset; see
/// <see cref="DetectorModel.ThresholdCrossingKeV"/>), so a charge-sharing piece a little under the
/// threshold sometimes joins its event and one a little over sometimes does not. When such a piece is
/// the smaller member of a summed pair, the noise drawn for it is part of the tabulated energy (the
/// noise that let it pass) and the event is smeared like a single (class 0) for the rest; other pairs
/// are class 1 (the partner's noise added by the smearing). A single event below that energy keeps its
/// energy before noise (the selection bias of noise on it only shapes the spectrum near the threshold).
/// </para>
/// </summary>
public sealed class ResponseKernel
{
    /// <summary>Coarse energies: every 1 keV from 0.5 keV.</summary>
    public const double CoarseStepKeV = 1.0;

    /// <summary>Points per coarse energy.</summary>
    public const int Samples = 1 << 15;

    /// <summary>
    /// Points per coarse energy in the precise range: the EMF of a truth spectrum then varies by about
    /// 0.03 % between point sets (0.2 % with <see cref="Samples"/> independent draws).
    /// </summary>
    public const int PreciseSamples = 1 << 18;

    /// <summary>Deposits below this (keV) meet the threshold with their noise drawn; above it they always pass (more than 10 sigma over it).</summary>
    public const double NoisyThresholdMaxKeV = 12.0;


    public const int StencilRadius = 4;

    /// <summary>Largest upward shift tabulated, fine bins (a pair partner's noise can add a few sigma).</summary>
    private const int MaxUp = 64;

    private readonly (int[] Shift, double[] Weight)[][] _primary; // [coarse][class]
    private readonly double[][] _secondaryRate; // [coarse][class]
    private readonly double[] _hits; // [coarse]: mean pixels above threshold per photon

    /// <param name="detector">The simulated detector.</param>
    /// <param name="grid">Fine energy grid of the photon spectra.</param>
    /// <param name="maxKeV">Highest photon energy, keV.</param>
    /// <param name="preciseKeV">Photon energies (keV) whose response is integrated with <see cref="PreciseSamples"/>
    /// points instead of <see cref="Samples"/>: those that land in the EMF windows, whose truth must not carry
    /// the integration error.</param>
    public ResponseKernel(DetectorModel detector, FineGrid grid, double maxKeV, (double Lo, double Hi)? preciseKeV = null)
    {
        Grid = grid;
        int n = (int)Math.Ceiling(maxKeV / CoarseStepKeV) + 1;
        _primary = new (int[], double[])[n][];
        _secondaryRate = new double[n][];
        _hits = new double[n];
        var secondaryShape = new double[2][];
        secondaryShape[0] = new double[grid.Bins];
        secondaryShape[1] = new double[grid.Bins];
        int side = 2 * StencilRadius + 1;
        var stencil = new double[side * side];
        var locks = new object();
        var live = new List<int>();
        for (int p = 0; p < detector.Shape.Pixels; p++) if (double.IsFinite(detector.ThresholdCrossingKeV[p])) live.Add(p);
        if (live.Count == 0) throw new InputException("detector model: every pixel is dead (gradient 0), no event can be simulated");
        var crossing = new double[live.Count];
        var electronic = new double[live.Count];
        for (int i = 0; i < live.Count; i++)
        {
            crossing[i] = detector.ThresholdCrossingKeV[live[i]];
            electronic[i] = detector.ElectronicSigmaKeV[live[i]] * detector.ElectronicSigmaKeV[live[i]];
        }
        Parallel.For(0, n, () => (Sec: new[] { new double[grid.Bins], new double[grid.Bins] }, St: new double[side * side]), (j, _, local) =>
        {
            double e = (j + 0.5) * CoarseStepKeV;
            int samples = preciseKeV is { } pr && e >= pr.Lo && e <= pr.Hi ? PreciseSamples : Samples;
            int span = (int)Math.Ceiling(e / grid.BinKeV) + 8; // shifts from -span to +MaxUp fine bins
            var hist = new[] { new double[span + MaxUp + 1], new double[span + MaxUp + 1] };
            var rate = new double[2];
            var rng = new Xoshiro256(0x5E5F0DE1UL, (ulong)j);
            var points = new HaltonSequence(9, ref rng);
            Span<Deposit> dep = stackalloc Deposit[8];
            Span<double> noise = stackalloc double[8];
            Span<bool> drawn = stackalloc bool[8];
            Span<int> cluster = stackalloc int[8];
            double w = 1.0 / samples;
            for (int i = 0; i < samples; i++)
            {
                // Halton dimensions by importance: position, tail, branch, escape, range, direction, line.
                points.Advance();
                var draws = new InteractionDraws(points.Coordinate(0), points.Coordinate(1), points.Coordinate(3), points.Coordinate(7),
                    points.Coordinate(8), points.Coordinate(4), 1 - points.Coordinate(5), points.Coordinate(6), points.Coordinate(2));
                int count = detector.Interact(e, draws, dep);
                int hits = 0;
                for (int d = 0; d < count; d++)
                {
                    double k = dep[d].KeV, n = 0;
                    if (k < NoisyThresholdMaxKeV)
                    {
                        int p = (int)(rng.Next() % (ulong)crossing.Length);
                        n = Math.Sqrt(electronic[p] + detector.FanoVariance(k)) * rng.NextNormal();
                        if (k + n < crossing[p]) continue;
                    }
                    noise[hits] = n;
                    drawn[hits] = k < NoisyThresholdMaxKeV;
                    dep[hits++] = dep[d];
                }
                _hits[j] += hits * w;
                Clusters(dep[..hits], cluster);
                for (int a = 0; a < hits; a++)
                {
                    if (cluster[a] != a) continue;
                    int size = 0, big = a, small = a;
                    double sum = 0;
                    for (int b = 0; b < hits; b++)
                        if (cluster[b] == a)
                        {
                            size++;
                            sum += dep[b].KeV;
                            if (dep[b].KeV + noise[b] > dep[big].KeV + noise[big]) big = b;
                            if (dep[b].KeV + noise[b] <= dep[small].KeV + noise[small]) small = b;
                        }
                    if (size > 2) continue;
                    int cls = size - 1;
                    if (size == 2 && drawn[small])
                    {
                        sum += noise[small];
                        cls = 0;
                    }
                    var at = dep[big];
                    if (at.DRow == 0 && at.DCol == 0)
                    {
                        int shift = Math.Clamp((int)Math.Round((sum - e) / grid.BinKeV), -span, MaxUp);
                        hist[cls][shift + span] += w;
                    }
                    else
                    {
                        rate[cls] += w;
                        int bin = grid.BinOf(sum);
                        if (bin >= 0 && bin < grid.Bins) local.Sec[cls][bin] += w;
                        if (Math.Abs(at.DRow) <= StencilRadius && Math.Abs(at.DCol) <= StencilRadius)
                            local.St[(at.DRow + StencilRadius) * side + at.DCol + StencilRadius] += w;
                    }
                }
            }
            _primary[j] = new (int[], double[])[2];
            for (int c = 0; c < 2; c++)
            {
                var shifts = new List<int>();
                var weights = new List<double>();
                for (int k = 0; k < hist[c].Length; k++)
                    if (hist[c][k] > 0) { shifts.Add(k - span); weights.Add(hist[c][k]); }
                _primary[j][c] = (shifts.ToArray(), weights.ToArray());
            }
            _secondaryRate[j] = rate;
            return local;
        }, local =>
        {
            lock (locks)
            {
                for (int c = 0; c < 2; c++) for (int b = 0; b < grid.Bins; b++) secondaryShape[c][b] += local.Sec[c][b];
                for (int i = 0; i < stencil.Length; i++) stencil[i] += local.St[i];
            }
        });
        double st = 0;
        foreach (double v in stencil) st += v;
        for (int i = 0; i < stencil.Length; i++) stencil[i] = st > 0 ? stencil[i] / st : 0;
        Stencil = stencil;
        for (int c = 0; c < 2; c++)
        {
            double sum = 0;
            foreach (double v in secondaryShape[c]) sum += v;
            if (sum > 0) for (int b = 0; b < grid.Bins; b++) secondaryShape[c][b] /= sum;
        }
        SecondaryShape = secondaryShape;
    }

    public FineGrid Grid { get; }

    /// <summary>Where secondary events land relative to the hit pixel: <c>[(dr + R) * (2R + 1) + dc + R]</c>, summing to 1.</summary>
    public double[] Stencil { get; }

    /// <summary>Normalised fine spectrum of secondary events per class (0 single, 1 pair).</summary>
    public double[][] SecondaryShape { get; }

    /// <summary>Mean number of pixels above threshold per absorbed photon of <paramref name="eKeV"/>.</summary>
    public double HitsPerPhoton(double eKeV) => _hits[Coarse(eKeV)];

    private int Coarse(double eKeV) => Math.Clamp((int)(eKeV / CoarseStepKeV), 0, _primary.Length - 1);

    /// <summary>
    /// Applies the kernel to a fine photon spectrum: <paramref name="single"/> and <paramref name="pair"/>
    /// receive the pre-noise spectra of events on the hit pixel (fine bins); returns the secondary event
    /// rates per class.
    /// </summary>
    public (double Single, double Pair) Apply(ReadOnlySpan<double> photons, Span<double> single, Span<double> pair)
    {
        double s0 = 0, s1 = 0;
        for (int i = 0; i < photons.Length; i++)
        {
            double v = photons[i];
            if (v == 0) continue;
            int j = Coarse(Grid.Centre(i));
            var k = _primary[j];
            Spread(k[0], v, i, single);
            Spread(k[1], v, i, pair);
            s0 += v * _secondaryRate[j][0];
            s1 += v * _secondaryRate[j][1];
        }
        return (s0, s1);
    }

    private static void Spread((int[] Shift, double[] Weight) k, double v, int i, Span<double> dst)
    {
        var (shift, weight) = k;
        for (int t = 0; t < shift.Length; t++)
        {
            int b = i + shift[t];
            if ((uint)b < (uint)dst.Length) dst[b] += v * weight[t];
        }
    }

    /// <summary>8-connected clustering of at most 8 deposits: <paramref name="root"/>[i] = smallest index of i's cluster.</summary>
    internal static void Clusters(ReadOnlySpan<Deposit> d, Span<int> root)
    {
        for (int i = 0; i < d.Length; i++) root[i] = i;
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int i = 0; i < d.Length; i++)
                for (int j = i + 1; j < d.Length; j++)
                    if (Math.Abs(d[i].DRow - d[j].DRow) <= 1 && Math.Abs(d[i].DCol - d[j].DCol) <= 1)
                    {
                        int m = Math.Min(root[i], root[j]);
                        if (root[i] != m || root[j] != m) { root[i] = m; root[j] = m; changed = true; }
                    }
        }
    }
}
