using System.Runtime.CompilerServices;
using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Simulation;

/// <summary>One energy deposit of a photon interaction: pixel offset from the hit pixel and energy, keV.</summary>
public readonly record struct Deposit(int DRow, int DCol, double KeV);

/// <summary>
/// Physics of the HEXITEC CdZnTe sensor used by both the frame sampler and the expected-spectrum
/// kernel (ISSUE 2, "detector response"), so the two agree by construction.
/// </summary>
/// <param name="PitchUm">Pixel pitch, um (250).</param>
/// <param name="ThicknessMm">Sensor thickness, mm (2).</param>
/// <param name="FanoFactor">Fano factor of CdZnTe (0.1).</param>
/// <param name="PairEnergyKeV">Mean energy per electron-hole pair, keV (0.00464).</param>
/// <param name="CloudSigmaUm">RMS radius of the charge cloud at the anode, um (10: with K fluorescence, 30-40 % of ~90 keV photons leave charge above a 4 keV threshold in two or more pixels).</param>
/// <param name="TailProbability">Fraction of interactions with incomplete charge collection (hole trapping), the low-energy tail (0.08).</param>
/// <param name="TailMeanFraction">Mean fraction of the energy lost by such an interaction (0.012, exponential, capped at 0.1).</param>
/// <param name="KFluorescenceProbability">Probability that an absorbed photon above the Cd K edge emits a Cd or Te K X-ray (0.45).</param>
/// <param name="FluorescenceEscapeFraction">Fraction of those K X-rays leaving the sensor through its faces: the escape peaks (0.12).</param>
/// <param name="FwhmAt60KeV">Mean FWHM at 59.54 keV, keV (0.93).</param>
/// <param name="FwhmSpreadKeV">Pixel-to-pixel spread of that FWHM, keV (0.19).</param>
/// <param name="ThresholdKeV">Event threshold, keV (4); written as a per-pixel ADU map.</param>
public sealed record DetectorPhysics(
    double PitchUm = 250,
    double ThicknessMm = 2,
    double FanoFactor = 0.1,
    double PairEnergyKeV = 0.00464,
    double CloudSigmaUm = 10,
    double TailProbability = 0.08,
    double TailMeanFraction = 0.012,
    double KFluorescenceProbability = 0.45,
    double FluorescenceEscapeFraction = 0.12,
    double FwhmAt60KeV = 0.93,
    double FwhmSpreadKeV = 0.19,
    double ThresholdKeV = 4.0)
{
    public static DetectorPhysics Default { get; } = new();

    /// <summary>K edges of Cd and Te, keV.</summary>
    public const double CdKEdgeKeV = 26.711, TeKEdgeKeV = 31.814;

    /// <summary>
    /// Cd and Te K lines (keV), their share among Cd or Te K X-rays, and the mean lateral distance (um) they
    /// travel in CdZnTe before absorption (Cd lines lie below both K edges and go further).
    /// </summary>
    public static readonly (double KeV, bool Te, double Share, double RangeUm)[] KLines =
    {
        (23.174, false, 0.52, 110), (22.984, false, 0.27, 110), (26.095, false, 0.21, 120),
        (27.472, true, 0.52, 60), (27.202, true, 0.27, 60), (30.995, true, 0.21, 70),
    };
}

/// <summary>The random choices of one photon interaction (<see cref="DetectorModel.Interact(double, in InteractionDraws, Span{Deposit})"/>), each uniform in [0, 1).</summary>
/// <param name="U">Interaction point across the pixel (column direction).</param>
/// <param name="V">Interaction point across the pixel (row direction).</param>
/// <param name="Branch">K fluorescence when below its probability.</param>
/// <param name="Line">Te (below 0.62, above the Te K edge) or Cd K X-ray.</param>
/// <param name="Pick">Which line of that element.</param>
/// <param name="Escape">The X-ray escapes the sensor when below the escape fraction.</param>
/// <param name="Range">Exponential distance travelled, as exp(-distance / mean range), in (0, 1].</param>
/// <param name="Direction">Direction in the sensor plane, as a fraction of a turn.</param>
/// <param name="Tail">Incomplete charge collection when below its probability; then also the loss.</param>
public readonly record struct InteractionDraws(double U, double V, double Branch, double Line, double Pick, double Escape, double Range, double Direction, double Tail);

/// <summary>
/// A simulated HEXITEC module: calibration (the real gradient/intercept maps by default), per-pixel dark
/// offsets, electronic noise and threshold map, plus the sensor physics (<see cref="DetectorPhysics"/>).
/// Raw reading of a pixel with deposited energy E: <c>ADU = offset + (E + noise - c) / m</c>, rounded,
/// so that the analysis' <c>E = m (ADU - offset) + c</c> (ANALYSIS 3.5) recovers E.
/// </summary>
public sealed class DetectorModel
{
    private const double MinPieceKeV = 1.0; // charge pieces below this never pass a 4 keV threshold (>8 sigma)
    private readonly double _kProbability, _tailProbability, _invPitch, _cloud;

    public DetectorModel(DetectorShape shape, float[] gradients, float[] intercepts, DetectorPhysics physics, ulong seed)
    {
        if (gradients.Length != shape.Pixels || intercepts.Length != shape.Pixels)
            throw new InputException($"detector calibration: expected {shape.Pixels} gradients and intercepts for {shape}, found {gradients.Length} and {intercepts.Length}");
        Shape = shape;
        Physics = physics;
        _kProbability = physics.KFluorescenceProbability;
        _tailProbability = physics.TailProbability;
        _invPitch = 1 / physics.PitchUm;
        _cloud = physics.CloudSigmaUm / physics.PitchUm;
        GradientsKeVPerAdu = gradients;
        InterceptsKeV = intercepts;
        var rng = new Xoshiro256(seed, 0xDE7EC7);
        OffsetsAdu = new float[shape.Pixels];
        ElectronicSigmaKeV = new double[shape.Pixels];
        ThresholdsAdu = new float[shape.Pixels];
        double fano60 = physics.FanoFactor * physics.PairEnergyKeV * 59.54;
        for (int p = 0; p < shape.Pixels; p++)
        {
            OffsetsAdu[p] = (float)Math.Round(900 + 60 * rng.NextNormal(), 1);
            double fwhm = Math.Clamp(physics.FwhmAt60KeV + physics.FwhmSpreadKeV * rng.NextNormal(), 0.55, 1.6);
            double s2 = Math.Pow(fwhm / 2.3548, 2) - fano60 - QuantisationVariance(p);
            ElectronicSigmaKeV[p] = Math.Sqrt(Math.Max(s2, 0.01));
            ThresholdsAdu[p] = gradients[p] > 0 ? (float)Math.Ceiling((physics.ThresholdKeV - intercepts[p]) / gradients[p]) : 0f;
        }
        double sum = 0;
        int n = 0;
        for (int p = 0; p < shape.Pixels; p++) if (gradients[p] > 0) { sum += ElectronicSigmaKeV[p] * ElectronicSigmaKeV[p]; n++; }
        MeanElectronicVariance = n > 0 ? sum / n : 0.1;
        ulong hash = 14695981039346656037UL ^ seed;
        void Mix(double v) { hash ^= (ulong)BitConverter.DoubleToInt64Bits(v); hash *= 1099511628211UL; }
        for (int p = 0; p < shape.Pixels; p++) { Mix(gradients[p]); Mix(intercepts[p]); Mix(OffsetsAdu[p]); Mix(ElectronicSigmaKeV[p]); }
        Fingerprint = hash ^ (ulong)physics.GetHashCode();
        ThresholdCrossingKeV = new double[shape.Pixels];
        for (int p = 0; p < shape.Pixels; p++)
        {
            if (!(gradients[p] > 0)) { ThresholdCrossingKeV[p] = double.PositiveInfinity; continue; }
            // The frame reads R = round(offset + x) ADU, x = (E + noise - c) / m; the kernel keeps it when
            // R - offset >= threshold (in float), i.e. when R >= the smallest such reading R0, i.e. x >= R0 - 1/2 - offset.
            float o = OffsetsAdu[p], t = ThresholdsAdu[p];
            double r0 = Math.Ceiling((double)o + t);
            while ((float)(r0 - 1) - o >= t) r0--;
            while ((float)r0 - o < t) r0++;
            ThresholdCrossingKeV[p] = intercepts[p] + gradients[p] * (r0 - 0.5 - o);
        }
    }

    /// <summary>The embedded 80 x 80 maps of a real HEXITEC at 500 V (gradients keV/ADU, intercepts keV).</summary>
    public static DetectorModel Hexitec(ulong seed, DetectorPhysics? physics = null) => new(
        DetectorShape.Hexitec, ReadEmbeddedMap("XcsCt.Domain.m_Cold_500V.txt"), ReadEmbeddedMap("XcsCt.Domain.c_Cold_500V.txt"),
        physics ?? DetectorPhysics.Default, seed);

    public DetectorShape Shape { get; }
    public DetectorPhysics Physics { get; }
    public float[] GradientsKeVPerAdu { get; }
    public float[] InterceptsKeV { get; }

    /// <summary>Dark level per pixel, ADU.</summary>
    public float[] OffsetsAdu { get; }

    /// <summary>Electronic (energy-independent) noise per pixel, keV rms.</summary>
    public double[] ElectronicSigmaKeV { get; }

    /// <summary>Per-pixel threshold in ADU above the offset, equivalent to <see cref="DetectorPhysics.ThresholdKeV"/>.</summary>
    public float[] ThresholdsAdu { get; }

    /// <summary>
    /// Per pixel, the deposited energy plus noise (keV) at which a reading passes the frame corrections'
    /// threshold map (ADU rounding and the fractional dark offset included): about
    /// <see cref="DetectorPhysics.ThresholdKeV"/> + m. Infinite for dead pixels.
    /// </summary>
    public double[] ThresholdCrossingKeV { get; }

    /// <summary>Hash of the seed, maps and physics: models of equal fingerprints share their response tables.</summary>
    public ulong Fingerprint { get; }

    /// <summary>
    /// Two electronic variances (keV^2), mean -/+ standard deviation over the live pixels: equal parts of
    /// them have the mean and the spread of a random pixel's variance (the noise a random partner pixel
    /// adds to a summed pair, whose spread shapes the pair's peak).
    /// </summary>
    public double[] ElectronicVarianceSpread()
    {
        double sum = 0, sum2 = 0;
        int n = 0;
        for (int p = 0; p < Shape.Pixels; p++)
        {
            if (!(GradientsKeVPerAdu[p] > 0)) continue;
            double v = ElectronicSigmaKeV[p] * ElectronicSigmaKeV[p];
            sum += v;
            sum2 += v * v;
            n++;
        }
        if (n == 0) return new[] { 0.0, 0.0 };
        double mean = sum / n, sd = Math.Sqrt(Math.Max(0, sum2 / n - mean * mean));
        return new[] { Math.Max(0, mean - sd), mean + sd };
    }

    /// <summary>Mean electronic variance over live pixels, keV^2 (the partner's noise in a summed pair).</summary>
    public double MeanElectronicVariance { get; }

    /// <summary>Variance of rounding to whole ADU, keV^2.</summary>
    public double QuantisationVariance(int pixel) => GradientsKeVPerAdu[pixel] * (double)GradientsKeVPerAdu[pixel] / 12.0;

    /// <summary>Fano variance of a deposit of <paramref name="eKeV"/>, keV^2.</summary>
    public double FanoVariance(double eKeV) => Physics.FanoFactor * Physics.PairEnergyKeV * Math.Max(eKeV, 0);

    /// <summary>FWHM of pixel <paramref name="pixel"/> at <paramref name="eKeV"/>, keV.</summary>
    public double Fwhm(int pixel, double eKeV) =>
        2.3548 * Math.Sqrt(ElectronicSigmaKeV[pixel] * ElectronicSigmaKeV[pixel] + FanoVariance(eKeV) + QuantisationVariance(pixel));

    /// <summary>Absorption efficiency of the sensor, <c>1 - exp(-mu(E) t)</c> for Cd0.9Zn0.1Te at 5.78 g/cm^3.</summary>
    public double Efficiency(double eKeV)
    {
        if (eKeV < DetectorPhysics.TeKEdgeKeV) return 1.0;
        double n = 5.78 * Elements.Avogadro / (0.9 * 112.414 + 0.1 * 65.38 + 127.60); // formula units per cm^3
        double mu = n * (0.9 * CrossSections.TotalCm2(48, eKeV) + 0.1 * CrossSections.TotalCm2(30, eKeV) + CrossSections.TotalCm2(52, eKeV));
        return 1 - Math.Exp(-mu * Physics.ThicknessMm / 10);
    }

    /// <summary>
    /// One photon of <paramref name="eKeV"/> absorbed in a pixel: interaction point uniform over the pixel;
    /// above the Cd K edge a Cd/Te K X-ray may be emitted, escaping the sensor (escape peak) or travelling an
    /// exponential distance in a random direction (fluorescence landing in a neighbour); incomplete charge
    /// collection (low-energy tail); each site's charge cloud (Gaussian, <see cref="DetectorPhysics.CloudSigmaUm"/>)
    /// split over the 2 x 2 pixels nearest to it (charge sharing). Writes the deposits above 1 keV.
    /// </summary>
    /// <returns>Number of deposits written (at most 8).</returns>
    public int Interact(double eKeV, ref Xoshiro256 rng, Span<Deposit> deposits)
    {
        // One 64-bit draw gives the interaction point (two 24-bit fractions) and a 16-bit branch draw.
        ulong bits = rng.Next();
        const double To24 = 1.0 / (1 << 24), To16 = 1.0 / (1 << 16);
        double u = (bits >> 40) * To24, v = ((bits >> 16) & 0xFFFFFF) * To24;
        double branch = ((bits & 0xFFFF) + 0.5) * To16;
        double primary = eKeV;
        int count = 0;
        if (eKeV > DetectorPhysics.CdKEdgeKeV && branch < _kProbability)
        {
            ulong k = rng.Next();
            const double To21 = 1.0 / (1 << 21);
            double line = (k >> 43) * To21, pick = ((k >> 22) & 0x1FFFFF) * To21, escape = ((k >> 1) & 0x1FFFFF) * To21;
            ulong d = escape >= Physics.FluorescenceEscapeFraction ? rng.Next() : 0;
            count = Fluoresce(eKeV, u, v, line, pick, escape, ((d >> 11) + 0.5) * (1.0 / (1UL << 53)), (int)(d & (DirectionCount - 1)), ref primary, deposits);
        }
        if (_tailProbability > 0) primary = Tail(primary, rng.NextDouble());
        return Split(0, 0, u, v, primary, deposits, count);
    }

    /// <summary>
    /// <see cref="Interact(double, ref Xoshiro256, Span{Deposit})"/> with every random choice given
    /// (<paramref name="draws"/>, each uniform in [0, 1)), for integrating the response over a
    /// low-discrepancy point set.
    /// </summary>
    public int Interact(double eKeV, in InteractionDraws draws, Span<Deposit> deposits)
    {
        double primary = eKeV;
        int count = 0;
        if (eKeV > DetectorPhysics.CdKEdgeKeV && draws.Branch < _kProbability)
        {
            int direction = Math.Min(DirectionCount - 1, (int)(draws.Direction * DirectionCount));
            count = Fluoresce(eKeV, draws.U, draws.V, draws.Line, draws.Pick, draws.Escape, Math.Max(draws.Range, 1e-300), direction, ref primary, deposits);
        }
        if (_tailProbability > 0) primary = Tail(primary, draws.Tail);
        return Split(0, 0, draws.U, draws.V, primary, deposits, count);
    }

    /// <summary>
    /// A Cd/Te K X-ray (line by <paramref name="line"/> and <paramref name="pick"/>) leaves the primary
    /// site; unless it escapes, it is absorbed an exponential distance away (<paramref name="range"/> in
    /// (0, 1]) in direction <paramref name="direction"/> and its charge split there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Fluoresce(double eKeV, double u, double v, double line, double pick, double escape, double range, int direction,
        ref double primary, Span<Deposit> deposits)
    {
        bool te = eKeV > DetectorPhysics.TeKEdgeKeV && line < 0.62;
        var lines = DetectorPhysics.KLines;
        int li = te ? 3 : 0;
        if (pick > lines[li].Share) li += pick > lines[li].Share + lines[li + 1].Share ? 2 : 1;
        var k = lines[li];
        primary -= k.KeV;
        if (escape < Physics.FluorescenceEscapeFraction) return 0;
        double r = -k.RangeUm * _invPitch * Math.Log(range);
        var (c, sn) = Directions[direction];
        double fu = u + r * c, fv = v + r * sn;
        int dr = (int)Math.Floor(fv), dc = (int)Math.Floor(fu);
        return Split(dr, dc, fu - dc, fv - dr, k.KeV, deposits, 0);
    }

    /// <summary>Incomplete charge collection: with probability TailProbability (t below it) an exponential fraction of the energy, capped at 0.1, is lost.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Tail(double primary, double t) =>
        t < _tailProbability ? primary * (1 - Math.Min(0.1, -Physics.TailMeanFraction * Math.Log(1 - t / _tailProbability))) : primary;

    private const int DirectionCount = 4096;

    /// <summary>Unit vectors at 4096 evenly spaced angles (the direction of a fluorescence photon in the sensor plane).</summary>
    private static readonly (double Cos, double Sin)[] Directions = Enumerable.Range(0, DirectionCount)
        .Select(i => (Math.Cos(2 * Math.PI * (i + 0.5) / DirectionCount), Math.Sin(2 * Math.PI * (i + 0.5) / DirectionCount))).ToArray();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Split(int row, int col, double u, double v, double e, Span<Deposit> deposits, int count)
    {
        double s = _cloud;
        int ncol = u < 0.5 ? -1 : 1, nrow = v < 0.5 ? -1 : 1;
        double fx = u < 0.5 ? PhiTable.Cdf(-u / s) : PhiTable.Cdf((u - 1) / s);
        double fy = v < 0.5 ? PhiTable.Cdf(-v / s) : PhiTable.Cdf((v - 1) / s);
        count = Put(row, col, (1 - fx) * (1 - fy) * e, deposits, count);
        count = Put(row, col + ncol, fx * (1 - fy) * e, deposits, count);
        count = Put(row + nrow, col, (1 - fx) * fy * e, deposits, count);
        return Put(row + nrow, col + ncol, fx * fy * e, deposits, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Put(int dr, int dc, double e, Span<Deposit> deposits, int count)
    {
        if (e < MinPieceKeV) return count;
        for (int i = 0; i < count; i++)
            if (deposits[i].DRow == dr && deposits[i].DCol == dc)
            {
                deposits[i] = new Deposit(dr, dc, deposits[i].KeV + e);
                return count;
            }
        deposits[count] = new Deposit(dr, dc, e);
        return count + 1;
    }

    /// <summary>Reads an 80 x 80 text map embedded in XcsCt.Domain (<see cref="Formats.PixelMapText"/> format).</summary>
    internal static float[] ReadEmbeddedMap(string resource)
    {
        using var stream = typeof(DetectorModel).Assembly.GetManifestResourceStream(resource)
            ?? throw new InputException($"embedded resource {resource} is missing from XcsCt.Domain");
        using var reader = new StreamReader(stream);
        var lines = new List<string>(80);
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine()) lines.Add(line);
        return Formats.PixelMapText.Parse(lines, resource, DetectorShape.Hexitec, "calibration map");
    }
}
