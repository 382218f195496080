using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Compton;

/// <summary>
/// Result of a peak-centring fit (ANALYSIS section 5): Gaussian plus linear background,
/// m(E) = A exp(-(E - mu)^2 / (2 s^2)) + b0 + b1 (E - E_C), weighted by the bin variances.
/// </summary>
/// <param name="CentroidKeV">Fitted centroid mu, keV.</param>
/// <param name="ShiftKeV">mu - E_C, keV: the energy axis moves by -shift so the centroid maps to pz = 0.</param>
/// <param name="SigmaKeV">Gaussian standard deviation s, keV.</param>
/// <param name="Amplitude">Peak height A, counts per bin.</param>
/// <param name="CentroidSigmaKeV">Standard error of mu, keV (scaled by sqrt(reduced chi^2) when that exceeds 1).</param>
/// <param name="BackgroundAtLine">b0: background at E_C, counts per bin.</param>
/// <param name="BackgroundSlope">b1: background slope, counts per bin per keV.</param>
/// <param name="ReducedChiSquare">chi^2 / (bins - 5).</param>
/// <param name="Iterations">Levenberg-Marquardt iterations used.</param>
public readonly record struct PeakFit(
    double CentroidKeV, double ShiftKeV, double SigmaKeV, double Amplitude, double CentroidSigmaKeV,
    double BackgroundAtLine, double BackgroundSlope, double ReducedChiSquare, int Iterations);

/// <summary>
/// Peak centring (ANALYSIS section 5: "the profile is normalised with the peak located at null
/// electron momentum"): fits a Gaussian plus linear background to the Compton peak over
/// 90-97.5 keV by Levenberg-Marquardt (weights 1/max(var, 1)) and reports the shift that maps the
/// centroid onto E_C. Allocation-free inside; <see cref="TryFit(Spectrum, ComptonGeometry, out PeakFit)"/>
/// returns false and <see cref="Fit"/> throws <see cref="AnalysisException"/> when the peak is not found.
/// </summary>
public static class PeakCentring
{
    /// <summary>Default fit range, keV (default geometry).</summary>
    public const double DefaultMinKeV = 90.0, DefaultMaxKeV = 97.5;

    private const int Parameters = 5;
    private const int MaxIterations = 200;

    /// <summary>Fits the Compton peak of <paramref name="s"/> over 90-97.5 keV.</summary>
    public static bool TryFit(Spectrum s, ComptonGeometry g, out PeakFit fit) =>
        TryFit(s, g, DefaultMinKeV, DefaultMaxKeV, out fit);

    /// <summary>Fits the Compton peak over the bins whose centres lie in [minKeV, maxKeV].</summary>
    public static bool TryFit(Spectrum s, ComptonGeometry g, double minKeV, double maxKeV, out PeakFit fit) =>
        TryFit(s, g, minKeV, maxKeV, out fit, out _);

    /// <summary>As <see cref="TryFit(Spectrum, ComptonGeometry, out PeakFit)"/>, throwing <see cref="AnalysisException"/> with the reason on failure.</summary>
    public static PeakFit Fit(Spectrum s, ComptonGeometry g, double minKeV = DefaultMinKeV, double maxKeV = DefaultMaxKeV)
    {
        if (TryFit(s, g, minKeV, maxKeV, out var fit, out var why)) return fit;
        throw new AnalysisException($"peak centring: no Compton peak fitted in {minKeV}-{maxKeV} keV: {why}");
    }

    private static bool TryFit(Spectrum s, ComptonGeometry g, double minKeV, double maxKeV, out PeakFit fit, out string why)
    {
        ArgumentNullException.ThrowIfNull(s);
        var (first, end) = FitBins(s.Axis, minKeV, maxKeV);
        if (end - first < 2 * Parameters)
        {
            fit = default;
            why = $"the range holds {Math.Max(0, end - first)} bins of the axis 0-{s.Axis.MaxKeV} keV, at least {2 * Parameters} are needed";
            return false;
        }
        return TryFitBins(s.Counts.AsSpan(first, end - first), s.Variance.AsSpan(first, end - first),
            s.Axis.Centre(first), s.Axis.BinWidthKeV, g.ComptonLineKeV, out fit, out why);
    }

    /// <summary>Bins [first, end) whose centres lie in [minKeV, maxKeV], clipped to the axis.</summary>
    internal static (int First, int End) FitBins(HistogramAxis axis, double minKeV, double maxKeV)
    {
        const double eps = 1e-9;
        int first = Math.Max(0, (int)Math.Ceiling(minKeV / axis.BinWidthKeV - 0.5 - eps));
        int end = Math.Min(axis.Bins, (int)Math.Floor(maxKeV / axis.BinWidthKeV - 0.5 + eps) + 1);
        return (first, Math.Max(first, end));
    }

    /// <summary>
    /// The fit on window-aligned spans (bin i has centre firstCentreKeV + i * binWidthKeV).
    /// Allocation-free; <paramref name="why"/> is a constant string on failure.
    /// </summary>
    internal static bool TryFitBins(ReadOnlySpan<double> n, ReadOnlySpan<double> var, double firstCentreKeV,
        double binWidthKeV, double lineKeV, out PeakFit fit, out string why)
    {
        fit = default;
        int nb = n.Length;
        if (nb < 2 * Parameters) { why = "too few bins"; return false; }
        double lastCentre = firstCentreKeV + (nb - 1) * binWidthKeV;

        // Initial guess: background through the mean of the 3 outermost bins on each side; peak at the
        // maximum of the 3-bin smoothed residual; width from where the residual falls below half.
        double yl = (n[0] + n[1] + n[2]) / 3, yr = (n[nb - 1] + n[nb - 2] + n[nb - 3]) / 3;
        double xl = firstCentreKeV + binWidthKeV, xr = lastCentre - binWidthKeV;
        double b1 = (yr - yl) / (xr - xl);
        double b0 = yl + b1 * (lineKeV - xl);
        int k = 1;
        double best = double.NegativeInfinity;
        for (int i = 1; i < nb - 1; i++)
        {
            double r = (n[i - 1] + n[i] + n[i + 1]) / 3 - (b0 + b1 * (firstCentreKeV + i * binWidthKeV - lineKeV));
            if (r > best) { best = r; k = i; }
        }
        if (!(best > 0)) { why = "no peak above the background"; return false; }
        int left = k, right = k;
        while (left > 0 && n[left] - Bg(b0, b1, firstCentreKeV + left * binWidthKeV - lineKeV) > best / 2) left--;
        while (right < nb - 1 && n[right] - Bg(b0, b1, firstCentreKeV + right * binWidthKeV - lineKeV) > best / 2) right++;
        double s0 = Math.Clamp((right - left) * binWidthKeV / 2.3548, 2 * binWidthKeV, (nb * binWidthKeV) / 4);

        Span<double> p = stackalloc double[Parameters] { best, firstCentreKeV + k * binWidthKeV, s0, b0, b1 };
        Span<double> trial = stackalloc double[Parameters];
        Span<double> alpha = stackalloc double[Parameters * Parameters];
        Span<double> beta = stackalloc double[Parameters];
        Span<double> alphaTrial = stackalloc double[Parameters * Parameters];
        Span<double> betaTrial = stackalloc double[Parameters];
        Span<double> m = stackalloc double[Parameters * Parameters];
        Span<double> step = stackalloc double[Parameters];
        Span<double> gauss = nb <= 512 ? stackalloc double[nb] : new double[nb];

        double chi2 = Normal(n, var, firstCentreKeV, binWidthKeV, lineKeV, p, gauss, alpha, beta);
        double lambda = 1e-3;
        int iter = 0;
        bool converged = false;
        while (iter < MaxIterations)
        {
            iter++;
            alpha.CopyTo(m);
            for (int j = 0; j < Parameters; j++) m[j * Parameters + j] *= 1 + lambda;
            beta.CopyTo(step);
            if (!Solve(m, step)) { lambda *= 10; if (lambda > 1e12) break; continue; }
            for (int j = 0; j < Parameters; j++) trial[j] = p[j] + step[j];
            double chiTrial = trial[2] > 0.1 * binWidthKeV
                ? Normal(n, var, firstCentreKeV, binWidthKeV, lineKeV, trial, gauss, alphaTrial, betaTrial)
                : double.PositiveInfinity;
            if (chiTrial <= chi2)
            {
                bool small = chi2 - chiTrial <= 1e-9 * chi2 + 1e-12; // chi^2 stopped falling
                trial.CopyTo(p);
                alphaTrial.CopyTo(alpha);
                betaTrial.CopyTo(beta);
                chi2 = chiTrial;
                lambda = Math.Max(lambda / 10, 1e-12);
                if (small) { converged = true; break; }
            }
            else
            {
                lambda *= 10;
                if (lambda > 1e12) { converged = true; break; } // no downhill step left: at the minimum
            }
        }
        if (!converged) { why = "the fit did not converge"; return false; }

        // Covariance of (A, mu) from the curvature matrix at the minimum.
        int dof = nb - Parameters;
        double red = chi2 / dof;
        alpha.CopyTo(m);
        step.Clear(); step[1] = 1;
        if (!Solve(m, step)) { why = "singular curvature matrix"; return false; }
        double varMu = step[1];
        alpha.CopyTo(m);
        step.Clear(); step[0] = 1;
        if (!Solve(m, step)) { why = "singular curvature matrix"; return false; }
        double varA = step[0];
        double scale = Math.Max(1.0, red);
        double a = p[0], mu = p[1], sg = p[2];
        if (!(varMu > 0) || !(varA > 0) || !double.IsFinite(red)) { why = "undefined uncertainties"; return false; }
        if (!(a > 3 * Math.Sqrt(varA * scale))) { why = "peak not significant (amplitude below 3 sigma)"; return false; }
        if (!(mu >= firstCentreKeV && mu <= lastCentre)) { why = "centroid outside the fit range"; return false; }
        if (!(sg >= 0.25 * binWidthKeV && sg <= (lastCentre - firstCentreKeV) / 2)) { why = "peak width out of range"; return false; }
        fit = new PeakFit(mu, mu - lineKeV, sg, a, Math.Sqrt(varMu * scale), p[3], p[4], red, iter);
        why = "";
        return true;
    }

    private static double Bg(double b0, double b1, double dx) => b0 + b1 * dx;

    /// <summary>
    /// exp(-(e_i - mu)^2 / (2 s^2)) at e_i = e0 + i w, by the recurrence g_{i+1} = g_i r_i,
    /// r_{i+1} = r_i exp(-w^2/s^2) outwards from the bin nearest mu (two exponentials in all; every
    /// factor is below 1 away from the peak, so nothing overflows).
    /// </summary>
    internal static void Gaussian(Span<double> g, double e0, double w, double mu, double s)
    {
        int nb = g.Length;
        double inv = 1.0 / (2 * s * s);
        int k = (int)Math.Clamp(Math.Round((mu - e0) / w), 0, nb - 1);
        double dk = e0 + k * w - mu;
        double q = Math.Exp(-2 * w * w * inv);
        g[k] = Math.Exp(-dk * dk * inv);
        double r = Math.Exp(-(2 * dk * w + w * w) * inv);
        for (int i = k; i < nb - 1; i++) { g[i + 1] = g[i] * r; r *= q; }
        double t = Math.Exp((2 * dk * w - w * w) * inv);
        for (int i = k; i > 0; i--) { g[i - 1] = g[i] * t; t *= q; }
    }

    /// <summary>chi^2, curvature alpha = J^T W J and gradient beta = J^T W r at p = (A, mu, s, b0, b1).</summary>
    private static double Normal(ReadOnlySpan<double> n, ReadOnlySpan<double> var, double e0, double w, double line,
        ReadOnlySpan<double> p, Span<double> gauss, Span<double> alpha, Span<double> beta)
    {
        alpha.Clear();
        beta.Clear();
        Span<double> jac = stackalloc double[Parameters];
        double chi2 = 0;
        double a0 = p[0], mu = p[1], s = p[2];
        double invS2 = 1.0 / (s * s);
        Gaussian(gauss, e0, w, mu, s);
        for (int i = 0; i < n.Length; i++)
        {
            double e = e0 + i * w;
            double d = e - mu;
            double g = gauss[i];
            double model = a0 * g + p[3] + p[4] * (e - line);
            double wt = 1.0 / Math.Max(var[i], 1.0);
            double r = n[i] - model;
            chi2 += r * r * wt;
            double ag = a0 * g * d * invS2;
            jac[0] = g;
            jac[1] = ag;
            jac[2] = ag * d / s;
            jac[3] = 1;
            jac[4] = e - line;
            for (int a = 0; a < Parameters; a++)
            {
                double wj = wt * jac[a];
                beta[a] += wj * r;
                for (int b = 0; b <= a; b++) alpha[a * Parameters + b] += wj * jac[b];
            }
        }
        for (int a = 0; a < Parameters; a++)
            for (int b = a + 1; b < Parameters; b++) alpha[a * Parameters + b] = alpha[b * Parameters + a];
        return chi2;
    }

    /// <summary>Solves m x = b in place (b becomes x) by Gaussian elimination with partial pivoting; m is destroyed.</summary>
    private static bool Solve(Span<double> m, Span<double> b)
    {
        const int N = Parameters;
        for (int c = 0; c < N; c++)
        {
            int piv = c;
            for (int r = c + 1; r < N; r++)
                if (Math.Abs(m[r * N + c]) > Math.Abs(m[piv * N + c])) piv = r;
            if (!(Math.Abs(m[piv * N + c]) > 0)) return false;
            if (piv != c)
            {
                for (int j = 0; j < N; j++) (m[c * N + j], m[piv * N + j]) = (m[piv * N + j], m[c * N + j]);
                (b[c], b[piv]) = (b[piv], b[c]);
            }
            for (int r = c + 1; r < N; r++)
            {
                double f = m[r * N + c] / m[c * N + c];
                if (f == 0) continue;
                for (int j = c; j < N; j++) m[r * N + j] -= f * m[c * N + j];
                b[r] -= f * b[c];
            }
        }
        for (int r = N - 1; r >= 0; r--)
        {
            double sum = b[r];
            for (int j = r + 1; j < N; j++) sum -= m[r * N + j] * b[j];
            b[r] = sum / m[r * N + r];
            if (!double.IsFinite(b[r])) return false;
        }
        return true;
    }
}
