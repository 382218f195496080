using MathNet.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace XcsCt.Domain.Xct.Reconstruction;

/// <summary>Search ranges and metric parameters of <see cref="RotationCentre"/>.</summary>
/// <param name="CoarseStart">First candidate centre, detector pixels (default: detector middle - min(50, cols / 4)).</param>
/// <param name="CoarseStop">Last candidate centre (default: detector middle + the same).</param>
/// <param name="FineRadius">Fine search half-width around the coarse optimum, pixels (default 2).</param>
/// <param name="FineStep">Fine search step, pixels (default 0.25).</param>
/// <param name="Ratio">Object diameter over detector width, sets the slope of the double wedge (default 0.5).</param>
/// <param name="Drop">Angular-frequency rows around zero left out of the metric (default 20, scaled to the row count).</param>
/// <param name="MaxRows">Use at most this many projections (evenly decimated) for speed (default 360).</param>
public sealed record CentreSearch(
    double? CoarseStart = null, double? CoarseStop = null, double FineRadius = 2, double FineStep = 0.25,
    double Ratio = 0.5, int Drop = 20, int MaxRows = 360)
{
    public static CentreSearch Default { get; } = new();
}

/// <summary>Result of a centre search.</summary>
/// <param name="Centre">Rotation axis on the detector, pixels from the centre of column 0.</param>
/// <param name="CoarseCentre">Best coarse (one-pixel) candidate.</param>
/// <param name="FineCandidates">Fine candidates and their metrics (lower is better).</param>
public sealed record CentreResult(double Centre, double CoarseCentre, IReadOnlyList<(double Centre, double Metric)> FineCandidates);

/// <summary>
/// Centre-of-rotation search by Fourier analysis of a 360-degree sinogram made from a 180-degree one
/// (Vo, Drakopoulos, Atwood and Reinhard, Opt. Express 22 (2014) 19078): for a candidate centre c the
/// sinogram is stacked with its left-right mirror shifted by 2 (c - (cols - 1) / 2); when c is right
/// the stack is the sinogram of a real object, whose 2D spectrum is empty outside the double wedge
/// |m| &lt;= pi * ratio * |k| (m angular, k detector frequency). The metric is the mean spectral
/// magnitude in that empty region; coarse one-pixel steps, then fine sub-pixel steps (Fourier shift),
/// with a parabolic refinement of the minimum.
/// </summary>
public static class RotationCentre
{
    /// <summary>Finds the rotation centre of a sinogram covering 180 degrees.</summary>
    /// <param name="sinogram">Angles x columns (-log transmission), angles evenly over [0, 180).</param>
    public static CentreResult Find(ReadOnlySpan<float> sinogram, int angles, int cols, CentreSearch? search = null)
    {
        search ??= CentreSearch.Default;
        if (sinogram.Length != angles * cols)
            throw new InputException($"centre search: {sinogram.Length} values are not {angles} angles x {cols} columns");
        if (angles < 8 || cols < 16)
            throw new InputException($"centre search needs at least 8 angles and 16 columns, found {angles} x {cols}");
        if (!(search.FineStep > 0 && search.FineRadius >= search.FineStep && search.Ratio is > 0 and <= 1))
            throw new InputException($"centre search: fine step {search.FineStep}, radius {search.FineRadius} and ratio {search.Ratio} are not valid");

        // Resample to a power-of-two number of rows evenly over 180 degrees (linear in angle), so the
        // stacked 360-degree sinogram has a power-of-two height for the FFT.
        int rows = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Min(angles, Math.Max(8, search.MaxRows)) + 1) / 2;
        var sino = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            double x = (double)r * angles / rows;
            int a0 = (int)x, a1 = Math.Min(a0 + 1, angles - 1);
            double f = x - a0;
            for (int u = 0; u < cols; u++)
                sino[r * cols + u] = (1 - f) * sinogram[a0 * cols + u] + f * sinogram[a1 * cols + u];
        }
        var metric = new Metric(sino, rows, cols, search);

        double middle = (cols - 1) / 2.0, reach = Math.Min(50, cols / 4);
        double start = search.CoarseStart ?? Math.Round(middle - reach), stop = search.CoarseStop ?? Math.Round(middle + reach);
        start = Math.Clamp(start, 1, cols - 2);
        stop = Math.Clamp(stop, start, cols - 2);
        double coarse = start, best = double.PositiveInfinity;
        for (double c = start; c <= stop + 1e-9; c += 1)
        {
            double m = metric.At(c);
            if (m < best)
            {
                best = m;
                coarse = c;
            }
        }

        var fine = new List<(double, double)>();
        int n = (int)Math.Round(search.FineRadius / search.FineStep);
        int bestIndex = 0;
        best = double.PositiveInfinity;
        for (int i = -n; i <= n; i++)
        {
            double c = coarse + i * search.FineStep;
            double m = metric.At(c);
            fine.Add((c, m));
            if (m < best)
            {
                best = m;
                bestIndex = fine.Count - 1;
            }
        }
        double centre = fine[bestIndex].Item1;
        if (bestIndex > 0 && bestIndex < fine.Count - 1)
        {
            double m0 = fine[bestIndex - 1].Item2, m1 = fine[bestIndex].Item2, m2 = fine[bestIndex + 1].Item2;
            double curvature = m0 - 2 * m1 + m2;
            if (curvature > 0)
                centre += Math.Clamp(0.5 * (m0 - m2) / curvature, -0.5, 0.5) * search.FineStep;
        }
        return new CentreResult(centre, coarse, fine);
    }

    /// <summary>
    /// The double-wedge metric of one sinogram for any candidate centre. Rows are padded along the
    /// detector to P = 2 cols (rounded up to a power of two) with their edge values, so that shifting
    /// the mirrored half is a phase ramp on precomputed row spectra; per candidate only the P / 2 + 1
    /// column transforms of length 2 rows are computed (the other half follows by symmetry).
    /// </summary>
    private sealed class Metric
    {
        private readonly int _rows;
        private readonly int _cols;
        private readonly int _padded;
        private readonly Complex32[][] _direct;
        private readonly Complex32[][] _mirrored;
        private readonly double _slope;
        private readonly int _drop;
        private readonly int _minK;

        public Metric(double[] sino, int rows, int cols, CentreSearch search)
        {
            _rows = rows;
            _cols = cols;
            _padded = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(2 * cols));
            _direct = new Complex32[rows][];
            _mirrored = new Complex32[rows][];
            for (int r = 0; r < rows; r++)
            {
                _direct[r] = PaddedSpectrum(sino, r, cols, mirror: false);
                _mirrored[r] = PaddedSpectrum(sino, r, cols, mirror: true);
            }
            // Energy of a consistent sinogram lies within |m| <= 2 pi nu r_max, nu = k / P, r_max = ratio cols / 2.
            _slope = Math.PI * search.Ratio * cols / _padded;
            _drop = Math.Min(search.Drop * 2 * rows / 720 + 1, rows / 2);
            _minK = Math.Max(2, 2 * _padded / cols);
        }

        private Complex32[] PaddedSpectrum(double[] sino, int r, int cols, bool mirror)
        {
            var line = new Complex32[_padded];
            for (int j = 0; j < _padded; j++)
            {
                // Inside: the row; right half of the padding: last value; left half (wrapping to 0): first value.
                int u = j < cols ? j : (j < cols + (_padded - cols) / 2 ? cols - 1 : 0);
                line[j] = new Complex32((float)sino[r * cols + (mirror ? cols - 1 - u : u)], 0);
            }
            Fourier.Forward(line, FourierOptions.Matlab);
            return line;
        }

        public double At(double centre)
        {
            int height = 2 * _rows;
            double shift = 2 * (centre - (_cols - 1) / 2.0);
            var column = new Complex32[height];
            double sum = 0;
            long count = 0;
            for (int k = 0; k <= _padded / 2; k++)
            {
                if (k < _minK)
                    continue;
                double phase = -2 * Math.PI * k * shift / _padded;
                var ramp = new Complex32((float)Math.Cos(phase), (float)Math.Sin(phase));
                for (int r = 0; r < _rows; r++)
                {
                    column[r] = _direct[r][k];
                    column[_rows + r] = _mirrored[r][k] * ramp;
                }
                Fourier.Forward(column, FourierOptions.Matlab);
                // Columns k and P - k are mirror images (real input): count k once, weight 2 except at P / 2.
                double weight = k == _padded / 2 ? 1 : 2;
                for (int i = 0; i < height; i++)
                {
                    int m = i < _rows ? i : i - height;
                    if (Math.Abs(m) <= _drop || Math.Abs(m) <= _slope * k)
                        continue;
                    sum += weight * column[i].Magnitude;
                    count += (long)weight;
                }
            }
            return count > 0 ? sum / count : 0;
        }
    }
}
