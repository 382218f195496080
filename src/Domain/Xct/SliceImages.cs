using SkiaSharp;

namespace XcsCt.Domain.Xct;

/// <summary>
/// PNG images of volume slices for a quick look: grey values stretched between two levels, and
/// optionally the outlines of labelled components drawn in colour (a voxel is on an outline when a
/// 4-neighbour has another label).
/// </summary>
public static class SliceImages
{
    private static readonly SKColor[] Palette =
    [
        new(230, 25, 75), new(60, 180, 75), new(255, 225, 25), new(0, 130, 200), new(245, 130, 48),
        new(145, 30, 180), new(70, 240, 240), new(240, 50, 230), new(210, 245, 60), new(250, 190, 212),
    ];

    /// <summary>
    /// Writes a slice as PNG (temporary name, then rename).
    /// </summary>
    /// <param name="grey">height x width grey values.</param>
    /// <param name="black">Grey value shown black; NaN for the 1st percentile of the slice.</param>
    /// <param name="white">Grey value shown white; NaN for the 99th percentile.</param>
    /// <param name="labels">Optional labels of the same slice; outlines of labels &gt; 0 are drawn.</param>
    public static void WritePng(string path, ReadOnlySpan<float> grey, int width, int height, float black = float.NaN, float white = float.NaN, ReadOnlySpan<int> labels = default)
    {
        if (grey.Length != width * height || (!labels.IsEmpty && labels.Length != grey.Length))
            throw new ArgumentException($"slice image {path}: {grey.Length} grey values and {labels.Length} labels for {width} x {height}");
        if (float.IsNaN(black) || float.IsNaN(white))
        {
            var sorted = grey.ToArray().Where(float.IsFinite).ToArray();
            Array.Sort(sorted);
            if (sorted.Length > 0)
            {
                if (float.IsNaN(black)) black = sorted[(int)(0.01 * (sorted.Length - 1))];
                if (float.IsNaN(white)) white = sorted[(int)(0.99 * (sorted.Length - 1))];
            }
            if (!(white > black))
                white = black + 1;
        }
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var pixels = new SKColor[width * height];
        float scale = 255 / (white - black);
        for (int i = 0; i < pixels.Length; i++)
        {
            float v = grey[i];
            byte g = float.IsFinite(v) ? (byte)Math.Clamp((v - black) * scale, 0, 255) : (byte)0;
            pixels[i] = new SKColor(g, g, g);
        }
        if (!labels.IsEmpty)
        {
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    int l = labels[y * width + x];
                    if (l <= 0)
                        continue;
                    bool edge = x == 0 || y == 0 || x == width - 1 || y == height - 1
                        || labels[y * width + x - 1] != l || labels[y * width + x + 1] != l
                        || labels[(y - 1) * width + x] != l || labels[(y + 1) * width + x] != l;
                    if (edge)
                        pixels[y * width + x] = Palette[(l - 1) % Palette.Length];
                }
            }
        }
        bitmap.Pixels = pixels;
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
            Directory.CreateDirectory(dir);
        string temp = path + $".{Guid.NewGuid():N}.partial";
        try
        {
            using (var stream = File.Create(temp))
            {
                if (!bitmap.Encode(stream, SKEncodedImageFormat.Png, 100))
                    throw new IOException($"slice image {path}: PNG encoding failed");
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }
}
