namespace XcsCt.Domain.Xct;

/// <summary>One automatic threshold: voxels with grey value &gt;= <see cref="Value"/> are the upper class.</summary>
/// <param name="Value">Threshold grey value (upper edge of <see cref="Bin"/>).</param>
/// <param name="Bin">Last histogram bin of the lower class.</param>
/// <param name="BetweenClassVariance">sigma_B^2 at the optimum (grey value squared).</param>
/// <param name="Separability">eta = sigma_B^2 / sigma_T^2 in [0, 1], Otsu's goodness of the split.</param>
public readonly record struct Threshold(double Value, int Bin, double BetweenClassVariance, double Separability);

/// <summary>Two automatic thresholds splitting grey values into three classes: &lt; Lower, [Lower, Upper), &gt;= Upper.</summary>
public readonly record struct ThreeClassThresholds(double Lower, double Upper, int LowerBin, int UpperBin, double BetweenClassVariance, double Separability);

/// <summary>
/// Automatic thresholds by the factorization (discriminant) criterion of Otsu (1979), as in the
/// paper's segmentation (ANALYSIS section 7): the split of the grey-value histogram that maximises
/// the between-class variance sigma_B^2 = sum_k w_k (mu_k - mu_T)^2, with class weights w_k and means
/// mu_k from bin centres. The two-threshold form (three phases) searches all pairs of bins.
/// </summary>
public static class Otsu
{
    /// <summary>Single threshold (two classes). Ties go to the lowest bin. Throws when the histogram is empty or has one occupied bin.</summary>
    public static Threshold Find(GreyHistogram histogram)
    {
        var (w, m, total, mean, variance) = Moments(histogram);
        int best = -1;
        double bestValue = -1;
        for (int k = 0; k < histogram.Bins - 1; k++)
        {
            double w0 = w[k + 1], w1 = total - w0;
            if (w0 <= 0 || w1 <= 0)
                continue;
            double diff = mean * w0 - m[k + 1];
            double sigma = diff * diff / (w0 * w1);
            if (sigma > bestValue)
            {
                bestValue = sigma;
                best = k;
            }
        }
        if (best < 0)
            throw new AnalysisException("Otsu threshold: the histogram has fewer than two occupied grey levels");
        double between = bestValue;
        return new Threshold(histogram.UpperEdge(best), best, between, variance > 0 ? between / variance : 0);
    }

    /// <summary>Two thresholds (three classes), exhaustive over bin pairs (O(bins^2)). Ties go to the lowest pair.</summary>
    public static ThreeClassThresholds FindTwo(GreyHistogram histogram)
    {
        var (w, m, total, mean, variance) = Moments(histogram);
        int bins = histogram.Bins;
        int best1 = -1, best2 = -1;
        double bestValue = double.NegativeInfinity;
        // Maximise sum_k M_k^2 / W_k (equivalent to sigma_B^2 = that / N - mu_T^2).
        for (int k1 = 0; k1 < bins - 2; k1++)
        {
            double w0 = w[k1 + 1];
            if (w0 <= 0)
                continue;
            double s0 = m[k1 + 1] * m[k1 + 1] / w0;
            for (int k2 = k1 + 1; k2 < bins - 1; k2++)
            {
                double w1 = w[k2 + 1] - w0, w2 = total - w[k2 + 1];
                if (w1 <= 0 || w2 <= 0)
                    continue;
                double m1 = m[k2 + 1] - m[k1 + 1], m2 = m[bins] - m[k2 + 1];
                double s = s0 + m1 * m1 / w1 + m2 * m2 / w2;
                if (s > bestValue)
                {
                    bestValue = s;
                    best1 = k1;
                    best2 = k2;
                }
            }
        }
        if (best1 < 0)
            throw new AnalysisException("Otsu two thresholds: the histogram has fewer than three occupied grey levels");
        double between = bestValue / total - mean * mean;
        return new ThreeClassThresholds(histogram.UpperEdge(best1), histogram.UpperEdge(best2), best1, best2, between, variance > 0 ? between / variance : 0);
    }

    /// <summary>Cumulative counts w[k] and first moments m[k] of bins 0..k-1, total, mean and variance.</summary>
    private static (double[] W, double[] M, double Total, double Mean, double Variance) Moments(GreyHistogram h)
    {
        var w = new double[h.Bins + 1];
        var m = new double[h.Bins + 1];
        double sq = 0;
        for (int i = 0; i < h.Bins; i++)
        {
            double c = h.Counts[i], x = h.Centre(i);
            w[i + 1] = w[i] + c;
            m[i + 1] = m[i] + c * x;
            sq += c * x * x;
        }
        double total = w[h.Bins];
        if (total <= 0)
            throw new AnalysisException("Otsu threshold: the histogram is empty");
        double mean = m[h.Bins] / total;
        return (w, m, total, mean, Math.Max(0, sq / total - mean * mean));
    }
}
