using System.Globalization;

namespace XcsCt.Domain.Detector;

/// <summary>
/// The real 80 x 80 HEXITEC calibration maps shipped inside XcsCt.Domain (STFC hexitec-detector
/// <c>m_Cold_500V.txt</c>, <c>c_Cold_500V.txt</c>; see Resources/ATTRIBUTION.md), for synthetic
/// frames and benchmarks. A minimal reader of the known-good embedded text only; user files go
/// through the Formats text-map reader.
/// </summary>
internal static class EmbeddedCalibration
{
    public const int Size = 80;

    private static readonly Lazy<float[]> GradientsMap = new(() => Load("XcsCt.Domain.m_Cold_500V.txt"));
    private static readonly Lazy<float[]> InterceptsMap = new(() => Load("XcsCt.Domain.c_Cold_500V.txt"));

    /// <summary>Gain m per pixel, keV/ADU, row-major 80 x 80 (typical 0.028; 4 dead pixels with m = 0).</summary>
    public static ReadOnlySpan<float> Gradients => GradientsMap.Value;

    /// <summary>Intercept c per pixel, keV, row-major 80 x 80.</summary>
    public static ReadOnlySpan<float> Intercepts => InterceptsMap.Value;

    /// <summary>An 80 x 80 map repeated over <paramref name="shape"/> (pixel (r, c) takes (r mod 80, c mod 80)).</summary>
    public static float[] Tiled(ReadOnlySpan<float> map, DetectorShape shape)
    {
        var tiled = new float[shape.Pixels];
        for (int r = 0; r < shape.Rows; r++)
            for (int c = 0; c < shape.Cols; c++)
                tiled[r * shape.Cols + c] = map[(r % Size) * Size + c % Size];
        return tiled;
    }

    private static float[] Load(string resource)
    {
        using var stream = typeof(EmbeddedCalibration).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource {resource} is missing from XcsCt.Domain");
        using var reader = new StreamReader(stream);
        var tokens = reader.ReadToEnd().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length != Size * Size)
            throw new InvalidOperationException($"embedded resource {resource}: expected {Size * Size} numbers, found {tokens.Length}");
        var map = new float[tokens.Length];
        for (int i = 0; i < map.Length; i++)
            map[i] = float.Parse(tokens[i], NumberStyles.Float, CultureInfo.InvariantCulture);
        return map;
    }
}
