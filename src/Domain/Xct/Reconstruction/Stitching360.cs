namespace XcsCt.Domain.Xct.Reconstruction;

/// <summary>Which detector edge the rotation axis sits near in an off-centre (extended field of view) scan.</summary>
public enum AxisSide
{
    /// <summary>Axis near the left edge (column 0).</summary>
    Left,

    /// <summary>Axis near the right edge (last column).</summary>
    Right,
}

/// <summary>Result of an overlap search.</summary>
/// <param name="Overlap">Columns shared by a projection and the mirrored projection 180 degrees later (sub-pixel).</param>
/// <param name="Side">Side of the rotation axis.</param>
/// <param name="Metric">Relative mismatch of the overlapping parts at the optimum (0 = identical).</param>
public sealed record OverlapResult(double Overlap, AxisSide Side, double Metric);

/// <summary>A 180-degree sinogram stitched from a 360-degree off-centre scan.</summary>
/// <param name="Sinogram">Angles x <see cref="Cols"/>.</param>
/// <param name="Angles">Projection angles, radians (the first half of the scan).</param>
/// <param name="Cols">Stitched width, 2 cols - overlap.</param>
/// <param name="Centre">Rotation axis in the stitched sinogram, pixels.</param>
public sealed record StitchedSinogram(float[] Sinogram, double[] Angles, int Cols, double Centre);

/// <summary>
/// Conversion of a 360-degree scan with the rotation axis near one detector edge (extended field of
/// view, as the paper's XCT) into a 180-degree sinogram of twice the width (Vo, Atwood and
/// Drakopoulos, Opt. Express 29 (2021) 17849): the projection at theta + 180 degrees, mirrored, continues
/// the one at theta beyond the axis. The overlap width is found by comparing the overlapping parts
/// for every candidate width and side; the parts are blended linearly across the overlap.
/// </summary>
public static class Stitching360
{
    /// <summary>Finds the overlap and axis side of a 360-degree sinogram (angles evenly over [0, 360), an even count).</summary>
    /// <param name="minOverlap">Smallest overlap tried, columns (default 8).</param>
    /// <param name="maxOverlap">Largest overlap tried (default cols - 8).</param>
    public static OverlapResult FindOverlap(ReadOnlySpan<float> sinogram, int angles, int cols, int minOverlap = 8, int maxOverlap = -1)
    {
        Check(sinogram.Length, angles, cols);
        if (maxOverlap < 0)
            maxOverlap = cols - 8;
        minOverlap = Math.Max(2, minOverlap);
        maxOverlap = Math.Min(cols - 1, maxOverlap);
        if (maxOverlap < minOverlap)
            throw new InputException($"360-degree stitching: no overlap width between {minOverlap} and {maxOverlap} columns to try on a {cols}-column detector");
        int half = angles / 2;
        // Overlaps where both parts are (nearly) empty, e.g. air at the far edge, say nothing: they need
        // at least a thousandth of the sinogram's mean square signal.
        double meanSquare = 0;
        foreach (var v in sinogram)
            meanSquare += v * (double)v;
        meanSquare /= sinogram.Length;
        var best = new OverlapResult(double.NaN, AxisSide.Right, double.PositiveInfinity);
        foreach (var side in new[] { AxisSide.Right, AxisSide.Left })
        {
            var metrics = new double[maxOverlap + 2];
            for (int o = minOverlap; o <= maxOverlap; o++)
                metrics[o] = Mismatch(sinogram, half, cols, o, side, 1e-3 * meanSquare);
            for (int o = minOverlap; o <= maxOverlap; o++)
            {
                if (metrics[o] >= best.Metric)
                    continue;
                double refined = o;
                if (o > minOverlap && o < maxOverlap)
                {
                    double m0 = metrics[o - 1], m1 = metrics[o], m2 = metrics[o + 1], curvature = m0 - 2 * m1 + m2;
                    if (curvature > 0)
                        refined += Math.Clamp(0.5 * (m0 - m2) / curvature, -0.5, 0.5);
                }
                best = new OverlapResult(refined, side, metrics[o]);
            }
        }
        if (double.IsNaN(best.Overlap))
            throw new AnalysisException("360-degree stitching: no overlap width where the two halves of the scan share a signal");
        return best;
    }

    /// <summary>Stitches a 360-degree sinogram into a 180-degree one for a known overlap and side.</summary>
    public static StitchedSinogram Stitch(ReadOnlySpan<float> sinogram, IReadOnlyList<double> anglesRad, int cols, double overlap, AxisSide side)
    {
        int angles = anglesRad.Count;
        Check(sinogram.Length, angles, cols);
        if (!(overlap >= 1 && overlap <= cols - 1))
            throw new InputException($"360-degree stitching: overlap {overlap} is not between 1 and {cols - 1} columns");
        int half = angles / 2;
        int o = (int)Math.Round(overlap);
        double fraction = overlap - o; // sub-pixel remainder, applied to the mirrored part
        int width = 2 * cols - o;
        var result = new float[half * width];
        var mirrored = new float[cols];
        for (int a = 0; a < half; a++)
        {
            var direct = sinogram.Slice(a * cols, cols);
            var opposite = sinogram.Slice((a + half) * cols, cols);
            for (int u = 0; u < cols; u++)
            {
                // Mirror, shifted by the sub-pixel part of the overlap (linear interpolation, edges held).
                double src = cols - 1 - u - (side == AxisSide.Right ? fraction : -fraction);
                int k = (int)Math.Floor(src);
                double f = src - k;
                float v0 = opposite[Math.Clamp(k, 0, cols - 1)], v1 = opposite[Math.Clamp(k + 1, 0, cols - 1)];
                mirrored[u] = (float)(v0 + f * (v1 - v0));
            }
            ReadOnlySpan<float> first = side == AxisSide.Right ? direct : mirrored;
            ReadOnlySpan<float> second = side == AxisSide.Right ? mirrored : direct;
            var row = result.AsSpan(a * width, width);
            for (int j = 0; j < width; j++)
            {
                int inFirst = j, inSecond = j - (cols - o);
                if (inSecond < 0)
                {
                    row[j] = first[inFirst];
                }
                else if (inFirst >= cols)
                {
                    row[j] = second[inSecond];
                }
                else
                {
                    float w = (inSecond + 0.5f) / o;
                    row[j] = (1 - w) * first[inFirst] + w * second[inSecond];
                }
            }
        }
        // Axis: right side at column cols - 1 - (overlap - 1) / 2 of the direct part, which starts the row;
        // left side at column (overlap - 1) / 2 of the direct part, which starts at cols - o.
        double centre = side == AxisSide.Right ? cols - (overlap + 1) / 2 : cols - o + (overlap - 1) / 2;
        return new StitchedSinogram(result, anglesRad.Take(half).ToArray(), width, centre);
    }

    /// <summary>Relative squared difference of direct and mirrored projections over an overlap of o columns.</summary>
    private static double Mismatch(ReadOnlySpan<float> sinogram, int half, int cols, int o, AxisSide side, double minMeanSquare)
    {
        double diff = 0, norm = 0;
        for (int a = 0; a < half; a++)
        {
            var direct = sinogram.Slice(a * cols, cols);
            var opposite = sinogram.Slice((a + half) * cols, cols);
            for (int i = 0; i < o; i++)
            {
                // Right: direct column cols - o + i meets mirrored column i, i.e. opposite column cols - 1 - i.
                // Left: direct column i meets mirrored column cols - o + i, i.e. opposite column o - 1 - i.
                float d = side == AxisSide.Right ? direct[cols - o + i] : direct[i];
                float m = side == AxisSide.Right ? opposite[cols - 1 - i] : opposite[o - 1 - i];
                diff += (d - m) * (double)(d - m);
                norm += d * (double)d + m * (double)m;
            }
        }
        if (norm / (2.0 * half * o) < minMeanSquare)
            return double.PositiveInfinity;
        return diff / norm;
    }

    private static void Check(int length, int angles, int cols)
    {
        if (angles < 2 || angles % 2 != 0)
            throw new InputException($"360-degree stitching needs an even number of projections evenly over 360 degrees, found {angles}");
        if (length != angles * cols)
            throw new InputException($"360-degree stitching: {length} values are not {angles} angles x {cols} columns");
    }
}
