using PureHDF;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;

namespace XcsCt.Domain.Tests.Formats;

public class FrameSourceTests
{
    private static ushort[] RandomFrames(DetectorShape shape, int frames, int seed)
    {
        var random = new Random(seed);
        var values = new ushort[frames * shape.Pixels];
        for (int i = 0; i < values.Length; i++) values[i] = (ushort)random.Next(0, 65536);
        return values;
    }

    [Fact]
    public void RealOdinFixtureReadsAs30RawFramesOf160x160WithTestPulses()
    {
        using var source = FrameSources.Open(Fixtures.Hexitec("160_160_vcaled_30_frames.h5"), DetectorShape.Hexitec);
        Assert.Equal(FrameKind.RawAdu, source.Kind);
        Assert.Equal(new DetectorShape(160, 160), source.Shape);
        Assert.Equal(30, source.FrameCount);

        var frames = new ushort[30 * source.Shape.Pixels];
        source.ReadRaw(0, 30, frames);
        // FORMATS.md: offset-corrected test pulses of ~4000-4800 ADU. In this file every third frame,
        // starting at frame 1, carries the pulses; the frames between hold only residual signal.
        const int lowestPulseMaximumAdu = 4000, highestPulseMaximumAdu = 4900, quietFrameCeilingAdu = 1000;
        for (int f = 0; f < 30; f++)
        {
            ushort max = 0;
            foreach (ushort v in frames.AsSpan(f * source.Shape.Pixels, source.Shape.Pixels)) max = Math.Max(max, v);
            if (f % 3 == 1) Assert.InRange(max, lowestPulseMaximumAdu, highestPulseMaximumAdu);
            else Assert.InRange(max, 0, quietFrameCeilingAdu);
        }

        // A sub-range read equals the same frames of the whole read.
        var part = new ushort[4 * source.Shape.Pixels];
        source.ReadRaw(7, 4, part);
        Assert.Equal(frames.AsSpan(7 * source.Shape.Pixels, part.Length).ToArray(), part);
    }

    [Fact]
    public void BinRoundTripIsExactAndRangeReadsMatch()
    {
        using var dir = new TempDir();
        var shape = new DetectorShape(8, 12);
        var frames = RandomFrames(shape, 25, seed: 11);
        string path = dir.File("run.bin");
        BinFrameFile.Write(path, frames);
        Assert.Equal(frames.Length * 2L, new FileInfo(path).Length);
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left behind

        using var source = FrameSources.Open(path, shape);
        Assert.Equal(25, source.FrameCount);
        Assert.Equal(FrameKind.RawAdu, source.Kind);
        var all = new ushort[frames.Length];
        source.ReadRaw(0, 25, all);
        Assert.Equal(frames, all);

        var part = new ushort[3 * shape.Pixels];
        source.ReadRaw(20, 3, part);
        Assert.Equal(frames.AsSpan(20 * shape.Pixels, part.Length).ToArray(), part);
    }

    [Fact]
    public void BinConcurrentReadsOfDifferentRangesAreConsistent()
    {
        using var dir = new TempDir();
        var shape = new DetectorShape(16, 16);
        var frames = RandomFrames(shape, 64, seed: 5);
        string path = dir.File("run.bin");
        BinFrameFile.Write(path, frames);
        using var source = FrameSources.Open(path, shape);
        Parallel.For(0, 64, f =>
        {
            var one = new ushort[shape.Pixels];
            source.ReadRaw(f, 1, one);
            Assert.Equal(frames.AsSpan(f * shape.Pixels, shape.Pixels).ToArray(), one);
        });
    }

    [Fact]
    public void BinAppendAndStreamedWriterProduceTheSameFile()
    {
        using var dir = new TempDir();
        var shape = new DetectorShape(4, 4);
        var frames = RandomFrames(shape, 10, seed: 3);
        string appended = dir.File("a.bin"), streamed = dir.File("s.bin");
        BinFrameFile.Append(appended, frames.AsSpan(0, 4 * shape.Pixels));
        BinFrameFile.Append(appended, frames.AsSpan(4 * shape.Pixels));
        using (var writer = BinFrameFile.Create(streamed))
        {
            writer.Write(frames.AsSpan(0, 7 * shape.Pixels));
            Assert.False(File.Exists(streamed)); // invisible until committed
            writer.Write(frames.AsSpan(7 * shape.Pixels));
            writer.Commit();
        }
        Assert.Equal(File.ReadAllBytes(appended), File.ReadAllBytes(streamed));
    }

    [Fact]
    public void AbandonedStreamedWriterLeavesNothing()
    {
        using var dir = new TempDir();
        using (var writer = BinFrameFile.Create(dir.File("s.bin")))
            writer.Write(new ushort[16]);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void TruncatedBinIsRejectedNamingFileSizeAndFrameSize()
    {
        using var dir = new TempDir();
        var shape = DetectorShape.Hexitec;
        string path = dir.File("cut.bin");
        File.WriteAllBytes(path, new byte[3 * 12800 + 100]);
        var e = Assert.Throws<InputException>(() => FrameSources.Open(path, shape));
        Assert.Contains(path, e.Message);
        Assert.Contains("38500", e.Message);
        Assert.Contains("12800", e.Message);
    }

    [Fact]
    public void EmptyBinAndUnknownExtensionAndMissingFileAreRejected()
    {
        using var dir = new TempDir();
        string empty = dir.File("empty.bin");
        File.WriteAllBytes(empty, []);
        Assert.Contains("empty", Assert.Throws<InputException>(() => FrameSources.Open(empty, DetectorShape.Hexitec)).Message);
        string other = dir.Write("frames.raw", "x");
        Assert.Contains(".raw", Assert.Throws<InputException>(() => FrameSources.Open(other, DetectorShape.Hexitec)).Message);
        Assert.Contains("not found", Assert.Throws<InputException>(() => FrameSources.Open(dir.File("none.bin"), DetectorShape.Hexitec)).Message);
    }

    [Fact]
    public void ReadingBeyondTheEndOrTheWrongKindIsRejected()
    {
        using var dir = new TempDir();
        var shape = new DetectorShape(2, 2);
        string path = dir.File("run.bin");
        BinFrameFile.Write(path, new ushort[5 * 4]);
        using var source = FrameSources.Open(path, shape);
        var e = Assert.Throws<InputException>(() => source.ReadRaw(3, 3, new ushort[12]));
        Assert.Contains("holds 5 frames", e.Message);
        Assert.Throws<ArgumentException>(() => source.ReadRaw(0, 2, new ushort[7]));
        Assert.Contains("raw ADU", Assert.Throws<InputException>(() => source.ReadProcessed(0, 1, new float[4])).Message);
    }

    [Fact]
    public void OdinRawRoundTrip()
    {
        using var dir = new TempDir();
        var shape = new DetectorShape(20, 24);
        var frames = RandomFrames(shape, 150, seed: 21); // several chunks
        string path = dir.File("raw.h5");
        OdinFrameFile.WriteRaw(path, shape, frames);

        using var source = FrameSources.Open(path, DetectorShape.Hexitec);
        Assert.Equal(FrameKind.RawAdu, source.Kind);
        Assert.Equal(shape, source.Shape);
        Assert.Equal(150, source.FrameCount);
        var all = new ushort[frames.Length];
        source.ReadRaw(0, 150, all);
        Assert.Equal(frames, all);
        Parallel.For(0, 15, k =>
        {
            var part = new ushort[10 * shape.Pixels];
            source.ReadRaw(k * 10 + 3 > 140 ? 140 : k * 10 + 3, 10, part);
            long first = k * 10 + 3 > 140 ? 140 : k * 10 + 3;
            Assert.Equal(frames.AsSpan((int)first * shape.Pixels, part.Length).ToArray(), part);
        });
    }

    [Fact]
    public void OdinProcessedRoundTrip()
    {
        using var dir = new TempDir();
        var shape = new DetectorShape(6, 5);
        var random = new Random(8);
        var frames = new float[12 * shape.Pixels];
        for (int i = 0; i < frames.Length; i++) frames[i] = (float)(random.NextDouble() * 150);
        string path = dir.File("processed.hdf5");
        OdinFrameFile.WriteProcessed(path, shape, frames);

        using var source = FrameSources.Open(path, DetectorShape.Hexitec);
        Assert.Equal(FrameKind.ProcessedKeV, source.Kind);
        Assert.Equal(12, source.FrameCount);
        var part = new float[5 * shape.Pixels];
        source.ReadProcessed(4, 5, part);
        Assert.Equal(frames.AsSpan(4 * shape.Pixels, part.Length).ToArray(), part);
        Assert.Contains("processed", Assert.Throws<InputException>(() => source.ReadRaw(0, 1, new ushort[shape.Pixels])).Message);
    }

    [Fact]
    public void HdfWithoutFrameDatasetIsRejectedListingWhatIsThere()
    {
        using var dir = new TempDir();
        string path = dir.File("other.h5");
        new PureHDF.H5File { ["something_else"] = new double[] { 1, 2, 3 } }.Write(path);
        var e = Assert.Throws<InputException>(() => FrameSources.Open(path, DetectorShape.Hexitec));
        Assert.Contains(path, e.Message);
        Assert.Contains("/raw_frames", e.Message);
        Assert.Contains("/something_else", e.Message);
    }

    [Fact]
    public void HdfFramesOfTheWrongTypeOrRankAreRejected()
    {
        using var dir = new TempDir();
        string signed = dir.File("signed.h5");
        new PureHDF.H5File { ["raw_frames"] = new PureHDF.H5Dataset(new short[8], fileDims: [2, 2, 2]) }.Write(signed);
        Assert.Contains("int16", Assert.Throws<InputException>(() => FrameSources.Open(signed, DetectorShape.Hexitec)).Message);
        string flat = dir.File("flat.h5");
        new PureHDF.H5File { ["raw_frames"] = new ushort[8] }.Write(flat);
        Assert.Contains("rank 3", Assert.Throws<InputException>(() => FrameSources.Open(flat, DetectorShape.Hexitec)).Message);
        string garbage = dir.Write("garbage.h5", "this is not HDF5");
        Assert.Contains("HDF5", Assert.Throws<InputException>(() => FrameSources.Open(garbage, DetectorShape.Hexitec)).Message);
    }

    [Fact]
    public void OdinWriterStoresChunkedCompressedFrames()
    {
        using var dir = new TempDir();
        var shape = DetectorShape.Hexitec;
        var frames = new ushort[200 * shape.Pixels]; // mostly empty frames, as real data
        for (int f = 0; f < 200; f++) frames[f * shape.Pixels + (f * 37) % shape.Pixels] = (ushort)(1000 + f);
        string path = dir.File("sparse.h5");
        OdinFrameFile.WriteRaw(path, shape, frames);
        using (var file = PureHDF.H5File.OpenRead(path))
            Assert.Equal(PureHDF.H5DataLayoutClass.Chunked, file.Dataset("raw_frames").Layout.Class);
        const double mostlyEmptyCompressesTenfold = 0.1;
        Assert.True(new FileInfo(path).Length < mostlyEmptyCompressesTenfold * frames.Length * 2, $"{new FileInfo(path).Length} bytes");
        using var source = FrameSources.Open(path, shape);
        var back = new ushort[frames.Length];
        source.ReadRaw(0, 200, back);
        Assert.Equal(frames, back);
    }

    [Fact]
    public void BinFileTruncatedAfterOpeningIsReportedOnRead()
    {
        using var dir = new TempDir();
        var shape = new DetectorShape(4, 4);
        string path = dir.File("run.bin");
        BinFrameFile.Write(path, new ushort[10 * shape.Pixels]);
        using var source = FrameSources.Open(path, shape);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            stream.SetLength(5 * shape.Pixels * 2);
        var e = Assert.Throws<InputException>(() => source.ReadRaw(4, 3, new ushort[3 * shape.Pixels]));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("byte 160", e.Message);
    }
}
