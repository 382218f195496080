using BitMiracle.LibTiff.Classic;
using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Formats;

/// <summary>
/// Fractional component masks on the detector grid (ANALYSIS section 7): values in [0, 1] per pixel,
/// NaN for a pixel the XCT field of view does not cover (unknown, not zero).
/// </summary>
/// <remarks>
/// Accepted files: a text map (<see cref="PixelMapText"/>, <c>nan</c> allowed) or a single-page,
/// single-channel TIFF of <c>rows x cols</c>: 1-bit (0/1), 8-bit (0-255 scaled by 1/255), 16-bit
/// (0-65535 scaled by 1/65535) unsigned, or 32-bit float already in [0, 1] (NaN allowed). Stored
/// values are used as they are; the TIFF photometric interpretation (display polarity) is ignored.
/// </remarks>
public static class MaskFiles
{
    /// <summary>Reads a mask; wrong shape, values outside [0, 1] or an unsupported TIFF layout throw <see cref="InputException"/>.</summary>
    /// <param name="path">Text or <c>.tif</c>/<c>.tiff</c> file.</param>
    /// <param name="expected">Detector shape.</param>
    /// <returns>Weights in [0, 1] or NaN, <c>[row * cols + col]</c>.</returns>
    public static float[] Read(string path, DetectorShape expected)
    {
        string full = Path.GetFullPath(path);
        string ext = Path.GetExtension(full).ToLowerInvariant();
        float[] mask = ext is ".tif" or ".tiff"
            ? ReadTiff(full, expected)
            : PixelMapText.Read(full, expected, "mask", allowNaN: true);
        for (int i = 0; i < mask.Length; i++)
        {
            float v = mask[i];
            if (!float.IsNaN(v) && v is < 0f or > 1f)
                throw new InputException($"mask {full}: value {v} at row {i / expected.Cols}, col {i % expected.Cols} is outside [0, 1]");
        }
        return mask;
    }

    private static float[] ReadTiff(string path, DetectorShape expected)
    {
        if (!File.Exists(path)) throw new InputException($"mask {path}: not found");
        using var tiff = Tiff.Open(path, "r")
            ?? throw new InputException($"mask {path}: cannot be read as a TIFF image");
        int width = Field(tiff, TiffTag.IMAGEWIDTH, 0);
        int height = Field(tiff, TiffTag.IMAGELENGTH, 0);
        int bits = Field(tiff, TiffTag.BITSPERSAMPLE, 1);
        int samples = Field(tiff, TiffTag.SAMPLESPERPIXEL, 1);
        var format = (SampleFormat)Field(tiff, TiffTag.SAMPLEFORMAT, (int)SampleFormat.UINT);
        int pages = tiff.NumberOfDirectories();

        if (pages != 1)
            throw new InputException($"mask {path}: TIFF has {pages} pages, expected a single 2D image");
        if (width != expected.Cols || height != expected.Rows)
            throw new InputException($"mask {path}: TIFF is {height} rows x {width} cols, expected {expected} (the detector grid)");
        if (samples != 1)
            throw new InputException($"mask {path}: TIFF has {samples} samples per pixel, expected 1 (grey)");
        bool supported = (format, bits) is (SampleFormat.UINT, 1 or 8 or 16) or (SampleFormat.IEEEFP, 32);
        if (!supported)
            throw new InputException($"mask {path}: TIFF of {bits}-bit {format} samples is not supported; use 8 or 16-bit unsigned (0 = outside, max = inside) or 32-bit float in [0, 1]");

        byte[] raster = tiff.IsTiled() ? ReadTiles(tiff, path, width, height, bits) : ReadStrips(tiff, path, width, height, bits);
        int rowBytes = (width * bits + 7) / 8;
        var mask = new float[width * height];
        for (int row = 0; row < height; row++)
        {
            var line = raster.AsSpan(row * rowBytes, rowBytes);
            for (int col = 0; col < width; col++)
            {
                mask[row * width + col] = bits switch
                {
                    1 => (line[col >> 3] >> (7 - (col & 7))) & 1,
                    8 => line[col] / 255f,
                    16 => BitConverter.ToUInt16(line.Slice(col * 2, 2)) / 65535f,
                    _ => BitConverter.ToSingle(line.Slice(col * 4, 4)),
                };
            }
        }
        return mask;
    }

    /// <summary>Rows back to back, each <c>ceil(width * bits / 8)</c> bytes, in host byte order (LibTiff swaps).</summary>
    private static byte[] ReadStrips(Tiff tiff, string path, int width, int height, int bits)
    {
        int rowBytes = (width * bits + 7) / 8;
        var raster = new byte[rowBytes * height];
        var line = new byte[Math.Max(tiff.ScanlineSize(), rowBytes)];
        for (int row = 0; row < height; row++)
        {
            if (!tiff.ReadScanline(line, row))
                throw new InputException($"mask {path}: TIFF row {row} cannot be read (truncated or corrupt)");
            Array.Copy(line, 0, raster, row * rowBytes, rowBytes);
        }
        return raster;
    }

    private static byte[] ReadTiles(Tiff tiff, string path, int width, int height, int bits)
    {
        if (bits == 1)
            throw new InputException($"mask {path}: tiled 1-bit TIFF is not supported; save the mask as 8-bit");
        int bytesPerPixel = bits / 8;
        int tileWidth = Field(tiff, TiffTag.TILEWIDTH, 0), tileHeight = Field(tiff, TiffTag.TILELENGTH, 0);
        if (tileWidth <= 0 || tileHeight <= 0)
            throw new InputException($"mask {path}: TIFF tiles of {tileWidth} x {tileHeight} pixels are not valid");
        var raster = new byte[width * height * bytesPerPixel];
        var tile = new byte[tiff.TileSize()];
        for (int y = 0; y < height; y += tileHeight)
        {
            for (int x = 0; x < width; x += tileWidth)
            {
                if (tiff.ReadTile(tile, 0, x, y, 0, 0) < 0)
                    throw new InputException($"mask {path}: TIFF tile at x {x}, y {y} cannot be read (truncated or corrupt)");
                int copyWidth = Math.Min(tileWidth, width - x), copyHeight = Math.Min(tileHeight, height - y);
                for (int r = 0; r < copyHeight; r++)
                    Array.Copy(tile, r * tileWidth * bytesPerPixel, raster, ((y + r) * width + x) * bytesPerPixel, copyWidth * bytesPerPixel);
            }
        }
        return raster;
    }

    private static int Field(Tiff tiff, TiffTag tag, int fallback)
    {
        FieldValue[]? value = tiff.GetField(tag);
        return value is { Length: > 0 } ? value[0].ToInt() : fallback;
    }
}
