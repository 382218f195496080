namespace XcsCt.Domain.Xct.Reconstruction;

/// <summary>
/// Flat- and dark-field correction and the Beer-Lambert logarithm: p = -ln((I - D) / (F - D)) for
/// every sinogram value I, with D and F the mean dark and flat counts of its detector pixel.
/// Transmissions are floored at 1e-6 (p &lt;= 13.8) so dead pixels and photon starvation stay finite.
/// </summary>
public static class FlatDarkCorrection
{
    /// <summary>Smallest transmission kept (larger attenuations are clipped to -ln of it).</summary>
    public const float MinTransmission = 1e-6f;

    /// <summary>
    /// Converts one detector row's sinogram (angles x cols raw counts) to attenuation in place.
    /// </summary>
    /// <param name="flat">Mean open-beam counts per column, or empty when there are no flats: then the
    /// 99.9th percentile of the dark-subtracted sinogram stands for the open beam.</param>
    /// <param name="dark">Mean dark counts per column, or empty for none (0).</param>
    public static void ToAttenuation(Span<float> sinogram, int angles, int cols, ReadOnlySpan<float> flat, ReadOnlySpan<float> dark)
    {
        if (sinogram.Length != angles * cols)
            throw new InputException($"flat/dark correction: {sinogram.Length} values are not {angles} angles x {cols} columns");
        if (!flat.IsEmpty && flat.Length != cols || !dark.IsEmpty && dark.Length != cols)
            throw new InputException($"flat/dark correction: flat ({flat.Length}) and dark ({dark.Length}) rows must have {cols} columns");
        if (!dark.IsEmpty)
        {
            for (int a = 0; a < angles; a++)
            {
                var row = sinogram.Slice(a * cols, cols);
                for (int u = 0; u < cols; u++)
                    row[u] -= dark[u];
            }
        }
        float openBeam = flat.IsEmpty ? Percentile(sinogram, 0.999) : 0;
        for (int a = 0; a < angles; a++)
        {
            var row = sinogram.Slice(a * cols, cols);
            for (int u = 0; u < cols; u++)
            {
                float open = flat.IsEmpty ? openBeam : flat[u] - (dark.IsEmpty ? 0 : dark[u]);
                float t = open > 0 ? row[u] / open : 0;
                row[u] = -MathF.Log(MathF.Max(t, MinTransmission));
            }
        }
    }

    /// <summary>Approximate quantile of the values (sampled, at most 100,000 of them).</summary>
    private static float Percentile(ReadOnlySpan<float> values, double quantile)
    {
        int step = Math.Max(1, values.Length / 100_000);
        var sample = new float[(values.Length + step - 1) / step];
        for (int i = 0, j = 0; i < values.Length; i += step, j++)
            sample[j] = values[i];
        Array.Sort(sample);
        return sample[Math.Clamp((int)(quantile * (sample.Length - 1)), 0, sample.Length - 1)];
    }
}
