using BitMiracle.LibTiff.Classic;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;

namespace XcsCt.Domain.Tests.Formats;

public class PixelMapTests
{
    [Fact]
    public void RealCalibrationMapsLoadAs80x80WithPlausibleValues()
    {
        float[] m = PixelMapText.Read(Fixtures.Hexitec("m_Cold_500V.txt"), DetectorShape.Hexitec, "gradient map");
        float[] c = PixelMapText.Read(Fixtures.Hexitec("c_Cold_500V.txt"), DetectorShape.Hexitec, "intercept map");
        Assert.Equal(6400, m.Length);
        Assert.Equal(6400, c.Length);
        Assert.Equal(0.02863f, m[0]); // first value of the file

        // ANALYSIS section 3: typical m ~ 0.028 keV/ADU, c ~ 0.2-1.6 keV.
        const double typicalGradient = 0.028, gradientTolerance = 0.002;
        Assert.InRange(Median(m), typicalGradient - gradientTolerance, typicalGradient + gradientTolerance);
        Assert.InRange(Median(c), 0.2, 1.6);
        int inRange = 0;
        foreach (float v in c) if (v is >= 0.2f and <= 1.6f) inRange++;
        const double mostPixels = 0.9;
        Assert.True(inRange >= mostPixels * c.Length, $"{inRange} of {c.Length} intercepts in 0.2-1.6 keV");
    }

    private static double Median(float[] values)
    {
        var sorted = (float[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    [Fact]
    public void TextMapRoundTripIsExactIncludingNaN()
    {
        using var dir = new TempDir();
        var shape = new DetectorShape(7, 9);
        var random = new Random(17);
        var values = new float[shape.Pixels];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 0.5) * 1e-3f * i;
        string path = dir.File("map.txt");
        PixelMapText.Write(path, shape, values);
        Assert.Equal(values, PixelMapText.Read(path, shape, "offset map"));

        values[5] = float.NaN;
        PixelMapText.Write(path, shape, values);
        var read = PixelMapText.Read(path, shape, "mask", allowNaN: true);
        Assert.True(float.IsNaN(read[5]));
        Assert.Equal(values[6], read[6]);
    }

    [Fact]
    public void WrongLineCountIsRejectedNamingFileAndCounts()
    {
        using var dir = new TempDir();
        string path = dir.Write("m.txt", "1 2 3\n4 5 6\n\n\n");
        var e = Assert.Throws<InputException>(() => PixelMapText.Read(path, new DetectorShape(3, 3), "gradient map"));
        Assert.Contains("gradient map", e.Message);
        Assert.Contains(path, e.Message);
        Assert.Contains("expected 3 lines", e.Message);
        Assert.Contains("found 2", e.Message);
    }

    [Fact]
    public void WrongColumnCountIsRejectedNamingTheLine()
    {
        using var dir = new TempDir();
        string path = dir.Write("m.txt", "1 2 3\n4 5\n7 8 9\n");
        var e = Assert.Throws<InputException>(() => PixelMapText.Read(path, new DetectorShape(3, 3), "threshold map"));
        Assert.Contains("line 2 has 2 numbers, expected 3", e.Message);
    }

    [Fact]
    public void NaNAndGarbageAreRejectedNamingLineAndColumn()
    {
        using var dir = new TempDir();
        string nan = dir.Write("nan.txt", "1 2\n3 nan\n");
        Assert.Contains("line 2, column 2", Assert.Throws<InputException>(() => PixelMapText.Read(nan, new DetectorShape(2, 2), "gradient map")).Message);
        string garbage = dir.Write("g.txt", "1 x7\r\n3 4\r\n");
        var e = Assert.Throws<InputException>(() => PixelMapText.Read(garbage, new DetectorShape(2, 2), "gradient map"));
        Assert.Contains("line 1, column 2: 'x7' is not a number", e.Message);
        string infinite = dir.Write("inf.txt", "1 1e60\n3 4\n");
        Assert.Contains("finite", Assert.Throws<InputException>(() => PixelMapText.Read(infinite, new DetectorShape(2, 2), "gradient map")).Message);
        string tabs = dir.Write("tabs.txt", "\t1\t2 \n 3   4\n");
        Assert.Equal(new float[] { 1, 2, 3, 4 }, PixelMapText.Read(tabs, new DetectorShape(2, 2), "gradient map"));
    }

    [Fact]
    public void TextMaskAllowsNaNButNotValuesOutsideUnitRange()
    {
        using var dir = new TempDir();
        string ok = dir.Write("ok.txt", "0 0.5\nnan 1\n");
        var mask = MaskFiles.Read(ok, new DetectorShape(2, 2));
        Assert.Equal(0.5f, mask[1]);
        Assert.True(float.IsNaN(mask[2]));
        string bad = dir.Write("bad.txt", "0 0.5\n1.5 1\n");
        Assert.Contains("row 1, col 0 is outside [0, 1]", Assert.Throws<InputException>(() => MaskFiles.Read(bad, new DetectorShape(2, 2))).Message);
    }

    private static void WriteTiff(string path, int width, int height, int bits, SampleFormat format, Func<int, int, byte[]> row, int pages = 1)
    {
        using var tiff = Tiff.Open(path, "w");
        for (int page = 0; page < pages; page++)
        {
            tiff.SetField(TiffTag.IMAGEWIDTH, width);
            tiff.SetField(TiffTag.IMAGELENGTH, height);
            tiff.SetField(TiffTag.BITSPERSAMPLE, bits);
            tiff.SetField(TiffTag.SAMPLESPERPIXEL, 1);
            tiff.SetField(TiffTag.SAMPLEFORMAT, format);
            tiff.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
            tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            tiff.SetField(TiffTag.ROWSPERSTRIP, height);
            if (pages > 1) tiff.SetField(TiffTag.SUBFILETYPE, FileType.PAGE);
            for (int r = 0; r < height; r++) tiff.WriteScanline(row(r, page), r);
            tiff.WriteDirectory();
        }
    }

    [Fact]
    public void EightBitTiffMaskScalesTo0To1()
    {
        using var dir = new TempDir();
        string path = dir.File("cathode.tif");
        WriteTiff(path, 4, 3, 8, SampleFormat.UINT, (r, _) => r == 1 ? [0, 255, 255, 51] : [0, 0, 0, 0]);
        var mask = MaskFiles.Read(path, new DetectorShape(3, 4));
        Assert.Equal(new float[] { 0, 0, 0, 0, 0, 1, 1, 0.2f, 0, 0, 0, 0 }, mask);
    }

    [Fact]
    public void SixteenBitTiffMaskScalesTo0To1()
    {
        using var dir = new TempDir();
        string path = dir.File("anode.tiff");
        WriteTiff(path, 2, 2, 16, SampleFormat.UINT, (r, _) =>
        {
            var line = new byte[4];
            BitConverter.TryWriteBytes(line.AsSpan(0, 2), (ushort)(r == 0 ? 65535 : 0));
            BitConverter.TryWriteBytes(line.AsSpan(2, 2), (ushort)(r == 0 ? 0 : 65535));
            return line;
        });
        Assert.Equal(new float[] { 1, 0, 0, 1 }, MaskFiles.Read(path, new DetectorShape(2, 2)));
    }

    [Fact]
    public void FloatTiffMaskKeepsFractionsAndNaN()
    {
        using var dir = new TempDir();
        string path = dir.File("f.tif");
        WriteTiff(path, 2, 1, 32, SampleFormat.IEEEFP, (_, _) => [.. BitConverter.GetBytes(0.25f), .. BitConverter.GetBytes(float.NaN)]);
        var mask = MaskFiles.Read(path, new DetectorShape(1, 2));
        Assert.Equal(0.25f, mask[0]);
        Assert.True(float.IsNaN(mask[1]));
    }

    [Fact]
    public void TiffMaskOfWrongShapeOrPagesOrDepthIsRejected()
    {
        using var dir = new TempDir();
        string shape = dir.File("shape.tif");
        WriteTiff(shape, 4, 3, 8, SampleFormat.UINT, (_, _) => new byte[4]);
        Assert.Contains("3 rows x 4 cols, expected 4 x 4", Assert.Throws<InputException>(() => MaskFiles.Read(shape, new DetectorShape(4, 4))).Message);

        string pages = dir.File("pages.tif");
        WriteTiff(pages, 2, 2, 8, SampleFormat.UINT, (_, _) => new byte[2], pages: 3);
        Assert.Contains("3 pages", Assert.Throws<InputException>(() => MaskFiles.Read(pages, new DetectorShape(2, 2))).Message);

        string signed = dir.File("signed.tif");
        WriteTiff(signed, 2, 2, 16, SampleFormat.INT, (_, _) => new byte[4]);
        Assert.Contains("not supported", Assert.Throws<InputException>(() => MaskFiles.Read(signed, new DetectorShape(2, 2))).Message);

        string notTiff = dir.Write("not.tif", "hello");
        Assert.Contains("TIFF", Assert.Throws<InputException>(() => MaskFiles.Read(notTiff, new DetectorShape(2, 2))).Message);
    }
}
