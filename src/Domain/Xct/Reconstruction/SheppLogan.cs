namespace XcsCt.Domain.Xct.Reconstruction;

/// <summary>One ellipse of an analytic phantom, in units of the image half-width.</summary>
/// <param name="Density">Added attenuation inside the ellipse (per pixel).</param>
/// <param name="A">Semi-axis along the ellipse's own x axis.</param>
/// <param name="B">Semi-axis along its y axis.</param>
/// <param name="X0">Centre x.</param>
/// <param name="Y0">Centre y.</param>
/// <param name="PhiDeg">Rotation of the ellipse, degrees.</param>
public readonly record struct Ellipse(double Density, double A, double B, double X0, double Y0, double PhiDeg);

/// <summary>
/// The Shepp-Logan head phantom (Shepp and Logan 1974; ten ellipses, original densities: skull 2,
/// brain 1.02) and its exact parallel-beam projections, for reconstruction tests and demos. Image
/// coordinates follow <see cref="FilteredBackProjection"/>: pixel (row i, column j) of an n x n image
/// is at x = j - (n - 1) / 2, y = i - (n - 1) / 2 pixels; a ray at angle theta and detector offset t
/// is the line x cos(theta) + y sin(theta) = t.
/// </summary>
public static class SheppLogan
{
    /// <summary>The ten ellipses with the original densities (units of the image half-width).</summary>
    public static IReadOnlyList<Ellipse> Ellipses { get; } =
    [
        new(2.00, 0.69, 0.92, 0, 0, 0),
        new(-0.98, 0.6624, 0.8740, 0, -0.0184, 0),
        new(-0.02, 0.1100, 0.3100, 0.22, 0, -18),
        new(-0.02, 0.1600, 0.4100, -0.22, 0, 18),
        new(0.01, 0.2100, 0.2500, 0, 0.35, 0),
        new(0.01, 0.0460, 0.0460, 0, 0.1, 0),
        new(0.01, 0.0460, 0.0460, 0, -0.1, 0),
        new(0.01, 0.0460, 0.0230, -0.08, -0.605, 0),
        new(0.01, 0.0230, 0.0230, 0, -0.606, 0),
        new(0.01, 0.0230, 0.0460, 0.06, -0.605, 0),
    ];

    /// <summary>
    /// The phantom on an n x n grid, each pixel the average of <paramref name="supersample"/>^2 point
    /// samples (so edges are area-weighted like a detector would see them).
    /// </summary>
    public static float[] Image(int n, int supersample = 4, IReadOnlyList<Ellipse>? ellipses = null)
    {
        ellipses ??= Ellipses;
        var image = new float[n * n];
        double half = n / 2.0, c = (n - 1) / 2.0;
        var cosPhi = ellipses.Select(e => Math.Cos(e.PhiDeg * Math.PI / 180)).ToArray();
        var sinPhi = ellipses.Select(e => Math.Sin(e.PhiDeg * Math.PI / 180)).ToArray();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int si = 0; si < supersample; si++)
                for (int sj = 0; sj < supersample; sj++)
                {
                    double x = (j - c + (sj + 0.5) / supersample - 0.5) / half;
                    double y = (i - c + (si + 0.5) / supersample - 0.5) / half;
                    for (int k = 0; k < ellipses.Count; k++)
                    {
                        var e = ellipses[k];
                        double cos = cosPhi[k], sin = sinPhi[k];
                        double u = (x - e.X0) * cos + (y - e.Y0) * sin, v = -(x - e.X0) * sin + (y - e.Y0) * cos;
                        if (u * u / (e.A * e.A) + v * v / (e.B * e.B) <= 1)
                            sum += e.Density;
                    }
                }
                image[i * n + j] = (float)(sum / (supersample * supersample));
            }
        }
        return image;
    }

    /// <summary>
    /// Exact line integrals (in pixel units) of the phantom scaled to an n-pixel image, for every
    /// angle and detector column: sinogram[a * cols + u] at t = u - <paramref name="centre"/>.
    /// </summary>
    /// <param name="n">Image size the phantom is scaled to (its half-width is n / 2 pixels).</param>
    /// <param name="anglesRad">Projection angles, radians.</param>
    /// <param name="cols">Detector columns.</param>
    /// <param name="centre">Detector coordinate of the rotation axis, pixels.</param>
    public static float[] Sinogram(int n, IReadOnlyList<double> anglesRad, int cols, double centre, IReadOnlyList<Ellipse>? ellipses = null)
    {
        ellipses ??= Ellipses;
        var sino = new float[anglesRad.Count * cols];
        double half = n / 2.0;
        for (int a = 0; a < anglesRad.Count; a++)
        {
            double theta = anglesRad[a];
            for (int u = 0; u < cols; u++)
            {
                double t = (u - centre) / half, sum = 0;
                foreach (var e in ellipses)
                {
                    double phi = e.PhiDeg * Math.PI / 180;
                    double ct = Math.Cos(theta - phi), st = Math.Sin(theta - phi);
                    double a2 = e.A * e.A * ct * ct + e.B * e.B * st * st;
                    double s = t - (e.X0 * Math.Cos(theta) + e.Y0 * Math.Sin(theta));
                    if (s * s < a2)
                        sum += 2 * e.Density * e.A * e.B * Math.Sqrt(a2 - s * s) / a2;
                }
                sino[a * cols + u] = (float)(sum * half);
            }
        }
        return sino;
    }

    /// <summary><paramref name="count"/> equally spaced angles over [0, <paramref name="rangeDeg"/>) degrees, in radians.</summary>
    public static double[] Angles(int count, double rangeDeg = 180)
    {
        var angles = new double[count];
        for (int i = 0; i < count; i++)
            angles[i] = i * rangeDeg / count * Math.PI / 180;
        return angles;
    }
}
