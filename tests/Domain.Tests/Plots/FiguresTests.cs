using SkiaSharp;
using Xunit.Abstractions;
using XcsCt.Domain.Plots;

namespace XcsCt.Domain.Tests.Plots;

/// <summary>
/// Each figure is a valid PNG of the documented size with real content. Set
/// XCSCT_KEEP_TEST_OUTPUT=1 to keep the PNGs (the directory is printed in the test output) and look at them.
/// </summary>
public sealed class FiguresTests : IDisposable
{
    /// <summary>Standard deviation of luminance (0-255) above which an image is not blank; a white canvas with only axes and text is around 20-40.</summary>
    private const double MinLuminanceStd = 25;

    /// <summary>Distance in RGB (0-255 per channel) within which a pixel counts as a colour-map colour.</summary>
    private const int ColourTolerance = 6;

    private readonly string _dir = Directory.CreateTempSubdirectory("xcsct-figures-").FullName;
    private readonly ITestOutputHelper _output;

    public FiguresTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("XCSCT_KEEP_TEST_OUTPUT") is null) Directory.Delete(_dir, recursive: true);
        else _output.WriteLine($"figures kept in {_dir}");
    }

    private static SKBitmap DecodePng(string path, int width, int height)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        Assert.Equal(width, bitmap.Width);
        Assert.Equal(height, bitmap.Height);
        return bitmap;
    }

    private static double LuminanceStd(SKBitmap bitmap)
    {
        double sum = 0, sum2 = 0;
        long n = 0;
        foreach (var c in bitmap.Pixels)
        {
            double l = 0.2126 * c.Red + 0.7152 * c.Green + 0.0722 * c.Blue;
            sum += l;
            sum2 += l * l;
            n++;
        }
        double mean = sum / n;
        return Math.Sqrt(sum2 / n - mean * mean);
    }

    /// <summary>Pixels within <see cref="ColourTolerance"/> of any of <paramref name="colours"/> (a lookup table over all 2^24 RGB values).</summary>
    private static int CountNear(SKBitmap bitmap, IEnumerable<(byte R, byte G, byte B)> colours)
    {
        var near = new bool[1 << 24];
        foreach (var (r, g, b) in colours)
            for (int dr = -ColourTolerance; dr <= ColourTolerance; dr++)
                for (int dg = -ColourTolerance; dg <= ColourTolerance; dg++)
                    for (int db = -ColourTolerance; db <= ColourTolerance; db++)
                    {
                        int rr = r + dr, gg = g + dg, bb = b + db;
                        if ((uint)rr < 256 && (uint)gg < 256 && (uint)bb < 256) near[(rr << 16) | (gg << 8) | bb] = true;
                    }
        int count = 0;
        foreach (var c in bitmap.Pixels)
            if (near[(c.Red << 16) | (c.Green << 8) | c.Blue]) count++;
        return count;
    }

    [Fact]
    public void Spectrum_is_a_png_with_the_data_and_the_marked_lines()
    {
        var (energy, counts) = FigureData.Spectrum();
        var path = Path.Combine(_dir, "spectrum.png");
        Figures.Spectrum(path, energy, counts, SpectrumLines.ForBeam(), "ee-2024-lib-nmc811 / s000");
        using var bitmap = DecodePng(path, Figures.Width, Figures.Height);
        Assert.True(LuminanceStd(bitmap) > MinLuminanceStd, $"luminance std {LuminanceStd(bitmap):F1}");
        Assert.True(CountNear(bitmap, [(0xd6, 0x27, 0x28)]) > 200, "the Compton line (red) is drawn");
        Assert.True(CountNear(bitmap, [(0x2c, 0xa0, 0x2c)]) > 200, "the W lines (green) are drawn");
        Assert.True(CountNear(bitmap, [(0xff, 0x7f, 0x0e)]) > 200, "the escape lines (orange) are drawn");
    }

    [Fact]
    public void Profile_is_a_png_with_both_windows_shaded()
    {
        var (pz, j) = FigureData.Profile();
        var path = Path.Combine(_dir, "profile.png");
        Figures.Profile(path, pz, j, (-1, 1), (1, 5));
        using var bitmap = DecodePng(path, Figures.Width, Figures.Height);
        Assert.True(LuminanceStd(bitmap) > MinLuminanceStd, $"luminance std {LuminanceStd(bitmap):F1}");
        // The shaded windows are the line colours at 22 % over white.
        static (byte, byte, byte) Over(int r, int g, int b) => ((byte)Math.Round(255 + 0.22 * (r - 255)), (byte)Math.Round(255 + 0.22 * (g - 255)), (byte)Math.Round(255 + 0.22 * (b - 255)));
        Assert.True(CountNear(bitmap, [Over(0x1f, 0x77, 0xb4)]) > 5000, "L window shaded");
        Assert.True(CountNear(bitmap, [Over(0xff, 0x7f, 0x0e)]) > 5000, "H window shaded");
    }

    [Fact]
    public void Emf_map_shows_colour_map_colours_grey_for_undefined_and_outlines()
    {
        var (emf, outlines) = FigureData.Map();
        var path = Path.Combine(_dir, "emf_map.png");
        Figures.EmfMap(path, FigureData.Rows, FigureData.Cols, emf, FigureData.PitchMm, outlines, "ee-2024-lib-nmc811 / s000");
        using var bitmap = DecodePng(path, Figures.MapWidth, Figures.MapSize);
        Assert.True(LuminanceStd(bitmap) > MinLuminanceStd, $"luminance std {LuminanceStd(bitmap):F1}");
        var viridis = new ScottPlot.Colormaps.Viridis();
        var colours = Enumerable.Range(0, 256).Select(i => viridis.GetColor(i / 255.0)).Select(c => (c.R, c.G, c.B)).ToArray();
        int mapPixels = CountNear(bitmap, colours);
        Assert.True(mapPixels > bitmap.Width * bitmap.Height / 5, $"only {mapPixels} pixels carry colour-map colours");
        Assert.True(CountNear(bitmap, [(0xb0, 0xb0, 0xb0)]) > 500, "undefined pixels are grey");
        Assert.True(CountNear(bitmap, [(0xff, 0x20, 0x20)]) > 300, "the first outline (red) is drawn");
    }

    [Fact]
    public void Series_has_an_emf_panel_and_an_x_panel_when_calibrated()
    {
        var path = Path.Combine(_dir, "series.png");
        Figures.Series(path, FigureData.Series(), "ee-2024-lib-nmc811");
        using var bitmap = DecodePng(path, Figures.Width, Figures.Height * 2 - 150);
        foreach (var half in new[] { new SKRectI(0, 0, bitmap.Width, bitmap.Height / 2), new SKRectI(0, bitmap.Height / 2, bitmap.Width, bitmap.Height) })
        {
            using var panel = new SKBitmap(half.Width, half.Height);
            Assert.True(bitmap.ExtractSubset(panel, half));
            Assert.True(LuminanceStd(panel) > MinLuminanceStd, $"panel {half}: luminance std {LuminanceStd(panel):F1}");
        }

        var emfOnly = Path.Combine(_dir, "series_emf_only.png");
        Figures.Series(emfOnly, FigureData.Series().Select(r => r with { X = null, XSigma = null }).ToList());
        using var single = DecodePng(emfOnly, Figures.Width, Figures.Height);
        Assert.True(LuminanceStd(single) > MinLuminanceStd, $"luminance std {LuminanceStd(single):F1}");
    }

    [Fact]
    public void Degenerate_data_still_renders_a_figure()
    {
        // An empty spectrum, a map without any EMF, a one-point series: figures, not exceptions.
        var energy = Enumerable.Range(0, 1000).Select(i => (i + 0.5) * 0.2).ToArray();
        Figures.Spectrum(Path.Combine(_dir, "empty_spectrum.png"), energy, new double[1000], SpectrumLines.ForBeam());
        var nan = Enumerable.Repeat(double.NaN, 16).ToArray();
        Figures.EmfMap(Path.Combine(_dir, "nan_map.png"), 4, 4, nan, 0.25, [("all", Enumerable.Repeat(1f, 16).ToArray())]);
        Figures.Series(Path.Combine(_dir, "one_point.png"), [new("s000", 0, 1200, "cathode", 0.9, 0.01, null, null)]);
        foreach (var name in new[] { "empty_spectrum.png", "nan_map.png", "one_point.png" })
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(_dir, name));
            Assert.NotNull(bitmap);
        }
        using var map = SKBitmap.Decode(Path.Combine(_dir, "nan_map.png"));
        Assert.True(CountNear(map, [(0xb0, 0xb0, 0xb0)]) > 10_000, "a map without EMF is grey");
    }

    [Fact]
    public void Bad_shapes_are_rejected_and_write_nothing()
    {
        var path = Path.Combine(_dir, "bad.png");
        Assert.Contains("same length", Assert.Throws<InputException>(() => Figures.Spectrum(path, [1, 2], [1], SpectrumLines.ForBeam())).Message);
        Assert.Contains("80 x 80", Assert.Throws<InputException>(() => Figures.EmfMap(path, 80, 80, new double[10], 0.25, [])).Message);
        Assert.Contains("mask of 'cathode'", Assert.Throws<InputException>(() => Figures.EmfMap(path, 2, 2, new double[4], 0.25, [("cathode", new float[3])])).Message);
        Assert.False(File.Exists(path));
    }
}
