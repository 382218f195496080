using System.Buffers.Binary;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Formats;

public class SpectraFileTests
{
    private static double[] Edges(int bins, double width, double start = 0)
    {
        var e = new double[bins];
        for (int i = 0; i < bins; i++) e[i] = start + i * width;
        return e;
    }

    private static double[] RandomCounts(DetectorShape shape, int bins, int seed)
    {
        var random = new Random(seed);
        var c = new double[shape.Pixels * bins];
        for (int i = 0; i < c.Length; i++) c[i] = random.Next(0, 50);
        return c;
    }

    private static HxtSpectra SampleHxt(DetectorShape shape, int bins, int seed) => new(
        [1, -2, 3, 40000, 5, 6, -7, 8, 9], "run_0042", "20240315_142233", shape, Edges(bins, 0.25), RandomCounts(shape, bins, seed));

    [Fact]
    public void HxtVersion3RoundTripIsExact()
    {
        using var dir = new TempDir();
        var written = SampleHxt(new DetectorShape(5, 7), 40, seed: 1);
        string path = dir.File("s.hxt");
        HxtFile.Write(path, written);
        Assert.Equal(HxtFile.HeaderBytes + 8L * 40 + 8L * 35 * 40, new FileInfo(path).Length);

        var read = HxtFile.Read(path);
        Assert.Equal(written.MotorPositions, read.MotorPositions);
        Assert.Equal("run_0042", read.Prefix);
        Assert.Equal("20240315_142233", read.Timestamp);
        Assert.Equal(written.Shape, read.Shape);
        Assert.Equal(written.Bins, read.Bins);
        Assert.Equal(written.Counts, read.Counts);
    }

    [Fact]
    public void HxtHeaderLayoutMatchesFormatsMd()
    {
        using var dir = new TempDir();
        string path = dir.File("s.hxt");
        HxtFile.Write(path, SampleHxt(new DetectorShape(2, 3), 4, seed: 2));
        byte[] b = File.ReadAllBytes(path);
        Assert.Equal("HEXITECH", System.Text.Encoding.ASCII.GetString(b, 0, 8));
        Assert.Equal(3UL, BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(8)));
        Assert.Equal(40000, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(16 + 3 * 4)));
        Assert.Equal(8, BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(52)));             // prefix length
        Assert.Equal("run_0042", System.Text.Encoding.ASCII.GetString(b, 56, 8));
        Assert.Equal((byte)'2', b[156]);                                                  // timestamp
        Assert.Equal(2U, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(172)));         // rows
        Assert.Equal(3U, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(176)));         // cols
        Assert.Equal(4U, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(180)));         // bins
        Assert.Equal(0.25, BinaryPrimitives.ReadDoubleLittleEndian(b.AsSpan(184 + 8)));   // bins[1]
    }

    [Fact]
    public void HxtBadMagicWrongVersionTruncatedAndTrailingBytesAreRejected()
    {
        using var dir = new TempDir();
        string good = dir.File("good.hxt");
        HxtFile.Write(good, SampleHxt(new DetectorShape(3, 3), 10, seed: 3));
        byte[] bytes = File.ReadAllBytes(good);

        var magic = (byte[])bytes.Clone();
        magic[7] = (byte)'X';
        string badMagic = dir.File("magic.hxt");
        File.WriteAllBytes(badMagic, magic);
        var e = Assert.Throws<InputException>(() => HxtFile.Read(badMagic));
        Assert.Contains("offset 0", e.Message);
        Assert.Contains("HEXITECX", e.Message);

        var version = (byte[])bytes.Clone();
        version[8] = 2;
        string badVersion = dir.File("version.hxt");
        File.WriteAllBytes(badVersion, version);
        Assert.Contains("version at offset 8 is 2", Assert.Throws<InputException>(() => HxtFile.Read(badVersion)).Message);

        string truncated = dir.File("truncated.hxt");
        File.WriteAllBytes(truncated, bytes.AsSpan(0, bytes.Length - 20).ToArray());
        e = Assert.Throws<InputException>(() => HxtFile.Read(truncated));
        Assert.Contains("truncated", e.Message);
        Assert.Contains($"{bytes.Length}", e.Message);
        Assert.Contains($"{bytes.Length - 20}", e.Message);
        Assert.Contains($"offset {HxtFile.HeaderBytes + 80}", e.Message);

        string header = dir.File("header.hxt");
        File.WriteAllBytes(header, bytes.AsSpan(0, 100).ToArray());
        Assert.Contains("header", Assert.Throws<InputException>(() => HxtFile.Read(header)).Message);

        string trailing = dir.File("trailing.hxt");
        File.WriteAllBytes(trailing, [.. bytes, 0, 0, 0]);
        Assert.Contains("3 unexpected bytes", Assert.Throws<InputException>(() => HxtFile.Read(trailing)).Message);
    }

    [Fact]
    public void OdinSpectraRoundTripIsExact()
    {
        using var dir = new TempDir();
        var shape = new DetectorShape(6, 4);
        var written = new SpectraFile(shape, Edges(300, 0.2), RandomCounts(shape, 300, seed: 4));
        string path = dir.File("spectra.h5");
        OdinSpectraFile.Write(path, written);
        var read = OdinSpectraFile.Read(path);
        Assert.Equal(shape, read.Shape);
        Assert.Equal(written.BinLowerEdgesKeV, read.BinLowerEdgesKeV);
        Assert.Equal(written.Counts, read.Counts);
    }

    [Fact]
    public void OdinFloat32SpectraWithAccumulatedFloatEdgesLandOnTheDefaultAxis()
    {
        // odin's histogram plugin writes float32 counts and float32 edges built by repeated addition.
        using var dir = new TempDir();
        var shape = new DetectorShape(2, 2);
        const int bins = 1000;
        var edges = new float[bins];
        float current = 0;
        for (int i = 0; i < bins; i++, current += 0.2f) edges[i] = current;
        var counts = new float[shape.Pixels * bins];
        counts[(1 * 2 + 0) * bins + 468] = 7;     // row 1, col 0, 93.6-93.8 keV
        string path = dir.File("odin.h5");
        new PureHDF.H5File
        {
            ["pixel_spectra"] = new PureHDF.H5Dataset(counts, fileDims: [2, 2, bins]),
            ["spectra_bins"] = edges,
        }.Write(path);

        var spectra = SpectraFiles.ReadAsPixelSpectra(path);
        Assert.Equal(HistogramAxis.Default, spectra.Axis);
        Assert.Equal(7u, spectra.Pixel(1, 0)[468]);
        Assert.Equal(7, spectra.Events.Kept);
        Assert.Equal(0, spectra.Frames);
        Assert.Equal(spectra.Counts, SpectraFiles.ReadAsPixelSpectra(path, HistogramAxis.Default).Counts);
    }

    [Fact]
    public void HdfWithoutSpectraDatasetsIsRejected()
    {
        using var dir = new TempDir();
        string path = dir.File("frames.h5");
        OdinFrameFile.WriteRaw(path, new DetectorShape(2, 2), new ushort[8]);
        var e = Assert.Throws<InputException>(() => OdinSpectraFile.Read(path));
        Assert.Contains("/pixel_spectra", e.Message);
        Assert.Contains("/raw_frames", e.Message);

        string mismatch = dir.File("mismatch.h5");
        new PureHDF.H5File
        {
            ["pixel_spectra"] = new PureHDF.H5Dataset(new double[2 * 2 * 5], fileDims: [2, 2, 5]),
            ["spectra_bins"] = new double[4],
        }.Write(mismatch);
        Assert.Contains("4 bins", Assert.Throws<InputException>(() => OdinSpectraFile.Read(mismatch)).Message);
    }

    [Fact]
    public void HxtOnItsOwnAxisKeepsEveryCount()
    {
        using var dir = new TempDir();
        var hxt = SampleHxt(new DetectorShape(3, 2), 800, seed: 5);
        string path = dir.File("s.hxt");
        HxtFile.Write(path, hxt);
        var spectra = SpectraFiles.ReadAsPixelSpectra(path);
        Assert.Equal(new HistogramAxis(0.25, 800), spectra.Axis);
        for (int i = 0; i < hxt.Counts.Length; i++) Assert.Equal(hxt.Counts[i], spectra.Counts[i]);
        Assert.True(spectra.Events.IsBalanced);
    }

    [Fact]
    public void FineBinsRebinExactlyOntoAWholeMultipleAndBeyondTheAxisIsOverflow()
    {
        var shape = new DetectorShape(1, 2);
        var counts = RandomCounts(shape, 2100, seed: 6); // 0.1 keV bins to 210 keV
        var file = new SpectraFile(shape, Edges(2100, 0.1), counts);
        var spectra = SpectraFiles.ToPixelSpectra(file, "test", HistogramAxis.Default);
        for (int p = 0; p < 2; p++)
        {
            for (int b = 0; b < 1000; b++)
                Assert.Equal(counts[p * 2100 + 2 * b] + counts[p * 2100 + 2 * b + 1], spectra.Counts[p * 1000 + b]);
        }
        double beyond = 0;
        for (int p = 0; p < 2; p++) for (int i = 2000; i < 2100; i++) beyond += counts[p * 2100 + i];
        Assert.Equal((long)beyond, spectra.Events.Overflow);
        double total = 0;
        foreach (double c in counts) total += c;
        Assert.Equal((long)total, spectra.Events.Kept);
    }

    [Fact]
    public void BinsStraddlingAxisEdgesAreRejectedNotSplit()
    {
        var shape = new DetectorShape(1, 1);
        var file = new SpectraFile(shape, Edges(100, 0.3), new double[100]);
        var e = Assert.Throws<InputException>(() => SpectraFiles.ToPixelSpectra(file, "s.hxt", HistogramAxis.Default));
        Assert.Contains("s.hxt", e.Message);
        Assert.Contains("straddles", e.Message);
        var offset = new SpectraFile(shape, Edges(100, 0.2, start: 0.05), new double[100]);
        Assert.Contains("whole multiple", Assert.Throws<InputException>(() => SpectraFiles.ToPixelSpectra(offset, "x")).Message);
    }

    [Fact]
    public void IrregularBinsNeedAnAxisAndThenRebinWhenAligned()
    {
        var shape = new DetectorShape(1, 1);
        double[] edges = [0, 0.2, 0.4, 0.8, 1.0, 1.2];
        var file = new SpectraFile(shape, edges, [1, 2, 3, 4, 5, 6]);
        Assert.Contains("not regular", Assert.Throws<InputException>(() => SpectraFiles.ToPixelSpectra(file, "x")).Message);
        var spectra = SpectraFiles.ToPixelSpectra(file, "x", new HistogramAxis(0.4, 3));
        Assert.Equal(new uint[] { 3, 3, 9 }, spectra.Counts); // [0,0.4) [0.4,0.8) [0.8,1.2); [1.2,1.4) overflows
        Assert.Equal(6, spectra.Events.Overflow);
    }

    [Fact]
    public void NonCountValuesAreRejectedNamingThePixel()
    {
        var shape = new DetectorShape(2, 2);
        var counts = new double[4 * 3];
        counts[(1 * 2 + 1) * 3 + 2] = 2.5;
        var e = Assert.Throws<InputException>(() => SpectraFiles.ToPixelSpectra(new SpectraFile(shape, Edges(3, 1), counts), "f.h5"));
        Assert.Contains("row 1, col 1, bin 2", e.Message);
        counts[(1 * 2 + 1) * 3 + 2] = -1;
        Assert.Throws<InputException>(() => SpectraFiles.ToPixelSpectra(new SpectraFile(shape, Edges(3, 1), counts), "f.h5"));
        counts[(1 * 2 + 1) * 3 + 2] = double.NaN;
        Assert.Throws<InputException>(() => SpectraFiles.ToPixelSpectra(new SpectraFile(shape, Edges(3, 1), counts), "f.h5"));
    }

    [Fact]
    public void UnknownSpectraExtensionIsRejected()
    {
        using var dir = new TempDir();
        string path = dir.Write("s.txt", "1 2 3");
        Assert.Contains(".hxt", Assert.Throws<InputException>(() => SpectraFiles.ReadAsPixelSpectra(path)).Message);
    }
}
