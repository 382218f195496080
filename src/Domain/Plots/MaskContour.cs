namespace XcsCt.Domain.Plots;

/// <summary>
/// Iso-line of a pixel map by marching squares (Lorensen and Cline 1987, in 2D), used to outline
/// component masks at 0.5 on <c>emf_map.png</c>. The map is padded with zeros so outlines close at
/// the detector edge; NaN (unknown) counts as 0.
/// </summary>
public static class MaskContour
{
    /// <summary>One straight piece of an iso-line, in pixel-index units: (col, row) of pixel centres.</summary>
    public readonly record struct Segment(double X1, double Y1, double X2, double Y2);

    /// <summary>Segments of the <paramref name="level"/> iso-line of <paramref name="map"/> (rows*cols, row-major).</summary>
    /// <param name="rows">Rows of the map.</param>
    /// <param name="cols">Columns of the map.</param>
    /// <param name="map">Values, rows*cols, e.g. a fractional mask in [0, 1].</param>
    /// <param name="level">Iso value (0.5 for a mask outline).</param>
    public static List<Segment> Segments(int rows, int cols, ReadOnlySpan<float> map, double level = 0.5)
    {
        if (rows <= 0 || cols <= 0 || map.Length != rows * cols)
            throw new InputException($"contour: map must hold rows*cols = {rows} x {cols} values, found {map.Length}");
        var segments = new List<Segment>();
        // Cells span padded pixel centres (i, j) .. (i + 1, j + 1) for i in -1..rows-1, j in -1..cols-1.
        for (int i = -1; i < rows; i++)
        {
            for (int j = -1; j < cols; j++)
            {
                double v00 = Value(map, rows, cols, i, j), v01 = Value(map, rows, cols, i, j + 1);
                double v10 = Value(map, rows, cols, i + 1, j), v11 = Value(map, rows, cols, i + 1, j + 1);
                int index = (v00 >= level ? 1 : 0) | (v01 >= level ? 2 : 0) | (v11 >= level ? 4 : 0) | (v10 >= level ? 8 : 0);
                if (index is 0 or 15) continue;
                // Crossing points on the four cell edges: bottom (row i), right (col j+1), top (row i+1), left (col j).
                var bottom = (X: j + Fraction(v00, v01, level), Y: (double)i);
                var right = (X: j + 1.0, Y: i + Fraction(v01, v11, level));
                var top = (X: j + Fraction(v10, v11, level), Y: i + 1.0);
                var left = (X: (double)j, Y: i + Fraction(v00, v10, level));
                bool centreInside = (v00 + v01 + v10 + v11) / 4 >= level;
                switch (index)
                {
                    case 1 or 14: Add(segments, left, bottom); break;
                    case 2 or 13: Add(segments, bottom, right); break;
                    case 3 or 12: Add(segments, left, right); break;
                    case 4 or 11: Add(segments, right, top); break;
                    case 6 or 9: Add(segments, bottom, top); break;
                    case 7 or 8: Add(segments, left, top); break;
                    case 5: // saddle: corners 00 and 11 inside
                        if (centreInside) { Add(segments, left, top); Add(segments, bottom, right); }
                        else { Add(segments, left, bottom); Add(segments, right, top); }
                        break;
                    case 10: // saddle: corners 01 and 10 inside
                        if (centreInside) { Add(segments, left, bottom); Add(segments, right, top); }
                        else { Add(segments, left, top); Add(segments, bottom, right); }
                        break;
                }
            }
        }
        return segments;
    }

    private static double Value(ReadOnlySpan<float> map, int rows, int cols, int i, int j)
    {
        if (i < 0 || j < 0 || i >= rows || j >= cols) return 0;
        float v = map[i * cols + j];
        return float.IsNaN(v) ? 0 : v;
    }

    /// <summary>Linear interpolation of where the level lies between two corner values (0..1).</summary>
    private static double Fraction(double a, double b, double level) => a == b ? 0.5 : Math.Clamp((level - a) / (b - a), 0, 1);

    private static void Add(List<Segment> segments, (double X, double Y) a, (double X, double Y) b) =>
        segments.Add(new Segment(a.X, a.Y, b.X, b.Y));

    /// <summary>
    /// The segments of <see cref="Segments"/> joined into closed loops (first point repeated at the
    /// end), pixel-index units. The zero padding makes every iso-line closed, so every end point is
    /// shared by exactly two segments.
    /// </summary>
    public static List<(double X, double Y)[]> Loops(int rows, int cols, ReadOnlySpan<float> map, double level = 0.5)
    {
        var segments = Segments(rows, cols, map, level);
        var byPoint = new Dictionary<(double, double), List<int>>();
        for (int k = 0; k < segments.Count; k++)
        {
            Link(byPoint, Key(segments[k].X1, segments[k].Y1), k);
            Link(byPoint, Key(segments[k].X2, segments[k].Y2), k);
        }
        var used = new bool[segments.Count];
        var loops = new List<(double X, double Y)[]>();
        for (int start = 0; start < segments.Count; start++)
        {
            if (used[start]) continue;
            used[start] = true;
            var s = segments[start];
            var loop = new List<(double X, double Y)> { (s.X1, s.Y1), (s.X2, s.Y2) };
            var first = Key(s.X1, s.Y1);
            var at = Key(s.X2, s.Y2);
            while (at != first)
            {
                int next = -1;
                foreach (int k in byPoint[at])
                    if (!used[k]) { next = k; break; }
                if (next < 0) break; // cannot happen on a padded map; stop rather than loop forever
                used[next] = true;
                var n = segments[next];
                var (a, b) = (Key(n.X1, n.Y1), Key(n.X2, n.Y2));
                var (x, y) = a == at ? (n.X2, n.Y2) : (n.X1, n.Y1);
                at = a == at ? b : a;
                loop.Add((x, y));
            }
            loops.Add(loop.ToArray());
        }
        return loops;
    }

    /// <summary>Crossing points are computed from the same two corner values by both cells that share an edge, so they agree to rounding.</summary>
    private static (double, double) Key(double x, double y) => (Math.Round(x, 9), Math.Round(y, 9));

    private static void Link(Dictionary<(double, double), List<int>> byPoint, (double, double) key, int segment)
    {
        if (!byPoint.TryGetValue(key, out var list)) byPoint[key] = list = new List<int>(2);
        list.Add(segment);
    }
}
