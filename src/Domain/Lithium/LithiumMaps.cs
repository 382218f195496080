using XcsCt.Domain.Compton;

namespace XcsCt.Domain.Lithium;

/// <summary>
/// Per-pixel linear calibration EMF = EMF0 + k x (ANALYSIS section 6): EMF0 and k depend on the
/// pixel (resolution, casing, binder), so each output pixel gets its own weighted line from the
/// reference maps where it is defined. NaN where fewer than two distinct x are defined.
/// Arrays are row-major on the maps' (binned) grid.
/// </summary>
public sealed record LithiumMapCalibration(int Rows, int Cols, int Binning,
    double[] Emf0, double[] Slope, double[] VarEmf0, double[] CovEmf0Slope, double[] VarSlope)
{
    /// <summary>Lithium fraction and sigma per pixel of <paramref name="map"/>; NaN where the EMF or the calibration is undefined.</summary>
    public (double[] X, double[] Sigma) Apply(EmfMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Rows != Rows || map.Cols != Cols || map.Binning != Binning)
            throw new InputException($"lithium calibration of a {Rows} x {Cols} map (binning {Binning}) applied to a {map.Rows} x {map.Cols} map (binning {map.Binning})");
        var x = new double[map.Emf.Length];
        var s = new double[map.Emf.Length];
        for (int i = 0; i < x.Length; i++)
            (x[i], s[i]) = double.IsNaN(Emf0[i])
                ? (double.NaN, double.NaN)
                : WeightedLine.Invert(map.Emf[i], map.Sigma[i], Emf0[i], Slope[i], VarEmf0[i], CovEmf0Slope[i], VarSlope[i]);
        return (x, s);
    }
}

/// <summary>Fits <see cref="LithiumMapCalibration"/>s from reference EMF maps of known x.</summary>
public static class LithiumMaps
{
    /// <summary>
    /// Per-pixel weighted line through the reference maps (ANALYSIS section 6). Needs two or more
    /// maps of the same grid; with one, throws <see cref="InputException"/> pointing to <see cref="DeltaEmf.Map"/>.
    /// </summary>
    /// <param name="refs">Reference maps and their known lithium fractions.</param>
    public static LithiumMapCalibration Fit(IReadOnlyList<(EmfMap Map, double X)> refs)
    {
        ArgumentNullException.ThrowIfNull(refs);
        if (refs.Count == 0)
            throw new InputException("lithium map calibration: no reference maps given; at least two of known x are needed");
        if (refs.Count == 1)
            throw new InputException("lithium map calibration: one reference map cannot fix both EMF0 and slope per pixel; report the EMF change relative to it (DeltaEmf.Map) or add a second reference of different x");
        var m0 = refs[0].Map;
        for (int j = 0; j < refs.Count; j++)
        {
            CheckSameGrid(refs[j].Map, m0, $"lithium reference map {j + 1}");
            if (!double.IsFinite(refs[j].X))
                throw new InputException($"lithium reference map {j + 1}: x = {refs[j].X} is not a finite number");
        }
        int n = m0.Emf.Length, nr = refs.Count;
        var e0 = new double[n];
        var k = new double[n];
        var v0 = new double[n];
        var c01 = new double[n];
        var v1 = new double[n];
        Span<double> x = nr <= 64 ? stackalloc double[nr] : new double[nr];
        Span<double> y = nr <= 64 ? stackalloc double[nr] : new double[nr];
        Span<double> sg = nr <= 64 ? stackalloc double[nr] : new double[nr];
        for (int i = 0; i < n; i++)
        {
            int used = 0;
            for (int j = 0; j < nr; j++)
            {
                var m = refs[j].Map;
                double e = m.Emf[i], s = m.Sigma[i];
                if (!double.IsFinite(e) || !(s > 0) || !double.IsFinite(s)) continue;
                x[used] = refs[j].X; y[used] = e; sg[used] = s; used++;
            }
            if (WeightedLine.TryFit(x[..used], y[..used], sg[..used], out var line))
                (e0[i], k[i], v0[i], c01[i], v1[i]) = (line.Intercept, line.Slope, line.VarIntercept, line.Cov, line.VarSlope);
            else
                e0[i] = k[i] = v0[i] = c01[i] = v1[i] = double.NaN;
        }
        return new LithiumMapCalibration(m0.Rows, m0.Cols, m0.Binning, e0, k, v0, c01, v1);
    }

    internal static void CheckSameGrid(EmfMap map, EmfMap reference, string what)
    {
        if (map.Rows != reference.Rows || map.Cols != reference.Cols || map.Binning != reference.Binning)
            throw new InputException($"{what}: expected a {reference.Rows} x {reference.Cols} map (binning {reference.Binning}), found {map.Rows} x {map.Cols} (binning {map.Binning})");
    }
}
