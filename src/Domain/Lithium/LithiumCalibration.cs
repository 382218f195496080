namespace XcsCt.Domain.Lithium;

/// <summary>A reference state of known lithium fraction and its measured EMF.</summary>
/// <param name="Emf">Measured EMF.</param>
/// <param name="Sigma">Its standard deviation (positive).</param>
/// <param name="X">Known lithium fraction x (e.g. 1 pristine, 0 fully delithiated).</param>
public readonly record struct LithiumReference(double Emf, double Sigma, double X);

/// <summary>
/// Linear EMF-lithium calibration (ANALYSIS section 6, Suzuki 2016): EMF = EMF0 + k x, fitted by
/// weighted least squares (weights 1/sigma^2) to two or more references of distinct x.
/// <see cref="Covariance"/> is the 2 x 2 covariance of (EMF0, k) from the reference sigmas,
/// (X^T W X)^-1, not rescaled by the fit's chi^2 (the sigmas are counting statistics).
/// </summary>
/// <param name="Emf0">EMF at x = 0.</param>
/// <param name="Slope">k = dEMF/dx.</param>
/// <param name="Covariance">[0,0] var(EMF0), [0,1] = [1,0] cov(EMF0, k), [1,1] var(k).</param>
public sealed record LithiumCalibration(double Emf0, double Slope, double[,] Covariance)
{
    /// <summary>chi^2 of the fit (0 for two references); compare with <see cref="References"/> - 2.</summary>
    public double ChiSquare { get; init; }

    /// <summary>Number of references used.</summary>
    public int References { get; init; }

    /// <summary>
    /// Fits EMF = EMF0 + k x to <paramref name="refs"/>. One reference: <see cref="InputException"/>
    /// (use <see cref="DeltaEmf"/>); two: the exact line through them with propagated covariance.
    /// </summary>
    public static LithiumCalibration Fit(IReadOnlyList<LithiumReference> refs)
    {
        ArgumentNullException.ThrowIfNull(refs);
        if (refs.Count == 0)
            throw new InputException("lithium calibration: no reference states given; at least two of known x are needed");
        if (refs.Count == 1)
            throw new InputException("lithium calibration: one reference state cannot fix both EMF0 and slope; report the EMF change relative to it (DeltaEmf) or add a second reference of different x");
        Span<double> x = refs.Count <= 64 ? stackalloc double[refs.Count] : new double[refs.Count];
        Span<double> y = refs.Count <= 64 ? stackalloc double[refs.Count] : new double[refs.Count];
        Span<double> sg = refs.Count <= 64 ? stackalloc double[refs.Count] : new double[refs.Count];
        for (int i = 0; i < refs.Count; i++)
        {
            var r = refs[i];
            if (!double.IsFinite(r.Emf) || !double.IsFinite(r.X) || !(r.Sigma > 0) || !double.IsFinite(r.Sigma))
                throw new InputException($"lithium reference {i + 1}: EMF {r.Emf} +/- {r.Sigma} at x = {r.X} is not usable: EMF and x must be finite and sigma positive");
            x[i] = r.X; y[i] = r.Emf; sg[i] = r.Sigma;
        }
        if (!WeightedLine.TryFit(x, y, sg, out var line))
            throw new InputException("lithium calibration: all references have the same x; at least two distinct lithium fractions are needed");
        return new LithiumCalibration(line.Intercept, line.Slope, new[,] { { line.VarIntercept, line.Cov }, { line.Cov, line.VarSlope } })
        {
            ChiSquare = line.ChiSquare,
            References = refs.Count,
        };
    }

    /// <summary>
    /// Lithium fraction of a measured EMF: x = (EMF - EMF0) / k, with
    /// var(x) = sigma^2 / k^2 + g^T C g, g = (-1/k, -x/k), C = <see cref="Covariance"/>.
    /// NaN (both) when the EMF is undefined or the slope is zero.
    /// </summary>
    /// <param name="emf">Measured EMF.</param>
    /// <param name="emfSigma">Its standard deviation.</param>
    public (double X, double Sigma) Apply(double emf, double emfSigma) =>
        WeightedLine.Invert(emf, emfSigma, Emf0, Slope, Covariance[0, 0], Covariance[0, 1], Covariance[1, 1]);
}

/// <summary>
/// With a single reference state (ANALYSIS section 6) only the EMF change relative to it can be
/// reported: delta = EMF - EMF_ref, sigma = sqrt(sigma^2 + sigma_ref^2) (independent measurements).
/// </summary>
public static class DeltaEmf
{
    /// <summary>EMF change of <paramref name="emf"/> relative to <paramref name="referenceEmf"/>; NaN if either is undefined.</summary>
    public static (double Delta, double Sigma) Compute(double emf, double sigma, double referenceEmf, double referenceSigma) =>
        (emf - referenceEmf, Math.Sqrt(sigma * sigma + referenceSigma * referenceSigma));

    /// <summary>Same for two <see cref="Compton.EmfResult"/>s.</summary>
    public static (double Delta, double Sigma) Compute(Compton.EmfResult value, Compton.EmfResult reference) =>
        Compute(value.Value, value.Sigma, reference.Value, reference.Sigma);

    /// <summary>Pixel-wise EMF change of a map relative to a reference map of the same grid; NaN where either is undefined.</summary>
    public static (double[] Delta, double[] Sigma) Map(Compton.EmfMap map, Compton.EmfMap reference)
    {
        LithiumMaps.CheckSameGrid(map, reference, "delta-EMF reference map");
        var d = new double[map.Emf.Length];
        var s = new double[map.Emf.Length];
        for (int i = 0; i < d.Length; i++)
            (d[i], s[i]) = Compute(map.Emf[i], map.Sigma[i], reference.Emf[i], reference.Sigma[i]);
        return (d, s);
    }
}

/// <summary>Weighted straight-line fit y = a + b x and its inversion (shared by scalar and per-pixel calibrations).</summary>
internal static class WeightedLine
{
    internal readonly record struct Line(double Intercept, double Slope, double VarIntercept, double Cov, double VarSlope, double ChiSquare);

    /// <summary>Closed-form WLS: Delta = S Sxx - Sx^2, a = (Sxx Sy - Sx Sxy)/Delta, b = (S Sxy - Sx Sy)/Delta, var a = Sxx/Delta, var b = S/Delta, cov = -Sx/Delta. False when x has no spread.</summary>
    public static bool TryFit(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> sigma, out Line line)
    {
        line = default;
        if (x.Length < 2) return false;
        // Centre x on its weighted mean for a well-conditioned determinant.
        double s = 0, sx = 0;
        for (int i = 0; i < x.Length; i++) { double w = 1 / (sigma[i] * sigma[i]); s += w; sx += w * x[i]; }
        double xm = sx / s;
        double sy = 0, sxx = 0, sxy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double w = 1 / (sigma[i] * sigma[i]);
            double dx = x[i] - xm;
            sy += w * y[i]; sxx += w * dx * dx; sxy += w * dx * y[i];
        }
        if (!(sxx > 0)) return false;
        // In centred coordinates the intercept (at xm) and slope are uncorrelated.
        double b = sxy / sxx, am = sy / s;
        double varB = 1 / sxx, varAm = 1 / s;
        double a = am - b * xm;
        double varA = varAm + xm * xm * varB;
        double cov = -xm * varB;
        double chi2 = 0;
        for (int i = 0; i < x.Length; i++) { double r = (y[i] - a - b * x[i]) / sigma[i]; chi2 += r * r; }
        line = new Line(a, b, varA, cov, varB, chi2);
        return true;
    }

    /// <summary>x = (y - a)/b; var x = sy^2/b^2 + g^T C g with g = (-1/b, -x/b).</summary>
    public static (double X, double Sigma) Invert(double y, double sy, double a, double b, double varA, double cov, double varB)
    {
        if (!double.IsFinite(y) || !double.IsFinite(sy) || b == 0 || !double.IsFinite(b)) return (double.NaN, double.NaN);
        double x = (y - a) / b;
        double ga = -1 / b, gb = -x / b;
        double v = sy * sy / (b * b) + ga * ga * varA + 2 * ga * gb * cov + gb * gb * varB;
        return (x, Math.Sqrt(Math.Max(v, 0)));
    }
}
