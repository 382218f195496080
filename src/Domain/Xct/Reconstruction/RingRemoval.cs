namespace XcsCt.Domain.Xct.Reconstruction;

/// <summary>
/// Stripe (ring-artefact) removal by sorting, Vo, Atwood and Drakopoulos, Opt. Express 26 (2018)
/// 28396, algorithm 3: sort every detector column of the sinogram along the angle axis, median-filter
/// the sorted image across columns (a stripe is a column that is offset from its neighbours at every
/// rank), and put the values back in their original order.
/// </summary>
public static class RingRemoval
{
    /// <summary>Removes full and partial stripes from a sinogram in place.</summary>
    /// <param name="sinogram">Angles x columns, row-major.</param>
    /// <param name="angles">Rows.</param>
    /// <param name="cols">Detector columns.</param>
    /// <param name="windowSize">Median window across columns, odd, 3..cols (default 21; wider removes wider stripes).</param>
    public static void RemoveStripesBySorting(Span<float> sinogram, int angles, int cols, int windowSize = 21)
    {
        if (sinogram.Length != angles * cols)
            throw new InputException($"ring removal: {sinogram.Length} values are not {angles} angles x {cols} columns");
        if (windowSize < 3 || windowSize % 2 == 0)
            throw new InputException($"ring removal: window size {windowSize} is not valid: expected an odd number of columns >= 3");
        if (angles == 0 || cols < 2)
            return;
        windowSize = Math.Min(windowSize, cols % 2 == 1 ? cols : cols - 1);

        // Column-major sorted values and their original rows.
        var sorted = new float[angles * cols];
        var order = new int[angles * cols];
        var keys = new float[angles];
        var rows = new int[angles];
        for (int u = 0; u < cols; u++)
        {
            for (int a = 0; a < angles; a++)
            {
                keys[a] = sinogram[a * cols + u];
                rows[a] = a;
            }
            Array.Sort(keys, rows);
            keys.CopyTo(sorted, u * angles);
            rows.CopyTo(order, u * angles);
        }

        // Median across columns of each rank, edges mirrored (d c b | a b c d ...: half-sample symmetric).
        int half = windowSize / 2;
        var window = new float[windowSize];
        var line = new float[cols];
        for (int rank = 0; rank < angles; rank++)
        {
            for (int u = 0; u < cols; u++)
                line[u] = sorted[u * angles + rank];
            for (int u = 0; u < cols; u++)
            {
                for (int d = -half; d <= half; d++)
                    window[d + half] = line[Reflect(u + d, cols)];
                float median = Select(window, half);
                sinogram[order[u * angles + rank] * cols + u] = median;
            }
        }
    }

    private static int Reflect(int i, int n)
    {
        while (i < 0 || i >= n)
            i = i < 0 ? -i - 1 : 2 * n - i - 1;
        return i;
    }

    /// <summary>The k-th smallest value (0-based) of <paramref name="values"/> (reordered), by quickselect.</summary>
    internal static float Select(float[] values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            float pivot = values[(lo + hi) >> 1];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return values[k];
        }
        return values[k];
    }
}
