using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;
using XcsCt.Domain.Pipeline;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Pipeline;

/// <summary>
/// The direct path is the reference the cluster is held to: its spectra must not depend on how the
/// frames are cut into batches, on the number of threads, or on how they are split across files.
/// </summary>
public sealed class DirectScanRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xcsct-direct-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (string Path, ushort[] Frames, SyntheticFrames Gen) WriteFrames(int frames, string name, ulong seed)
    {
        var gen = new SyntheticFrames(DetectorShape.Hexitec, 0.03, seed);
        var data = new ushort[frames * gen.Shape.Pixels];
        gen.Fill(data);
        string path = Path.Combine(_dir, name);
        BinFrameFile.Write(path, data);
        return (path, data, gen);
    }

    [Theory]
    [InlineData(ChargeSharingMode.Cluster, false)]
    [InlineData(ChargeSharingMode.Addition, true)]
    [InlineData(ChargeSharingMode.Discrimination, true)]
    public void Spectra_do_not_depend_on_batch_size_or_threads(ChargeSharingMode mode, bool nextFrame)
    {
        var (path, frames, gen) = WriteFrames(700, "a.bin", 11);
        var corrections = gen.Corrections with { ChargeSharing = mode, NextFrame = nextFrame };

        // Reference: one pass of the plain scalar chain over all frames.
        var refAcc = new FrameAccumulator(FrameKernel.Create(corrections));
        FrameKernelReference.Create(corrections).ProcessRaw(frames, 0, refAcc);
        var expected = new PixelSpectra(corrections.Shape, corrections.Axis);
        refAcc.MoveTo(expected);

        // 700 and 500 frames span several of BatchComputer's read chunks (327 frames of 80 x 80).
        foreach (var (batch, threads) in new[] { (700, 1), (500, 2), (64, 2), (7, 2), (1, 1) })
        {
            var job = new ScanJob("e", "s", [path], corrections, batch);
            var got = DirectScanRunner.Run(job, threads: threads);
            Assert.Equal(expected.Frames, got.Frames);
            Assert.Equal(expected.Events, got.Events);
            Assert.True(expected.Counts.AsSpan().SequenceEqual(got.Counts), $"batch {batch}, threads {threads}: spectra differ");
            Assert.True(got.Events.IsBalanced);
        }
    }

    [Fact]
    public void Files_are_separate_acquisitions_for_next_frame_correction()
    {
        var (a, fa, gen) = WriteFrames(50, "a.bin", 3);
        var (b, fb, _) = WriteFrames(50, "b.bin", 4);
        var corrections = gen.Corrections with { NextFrame = true };
        var both = DirectScanRunner.Run(new ScanJob("e", "s", [a, b], corrections, 16));
        var first = DirectScanRunner.Run(new ScanJob("e", "s", [a], corrections, 16));
        var second = DirectScanRunner.Run(new ScanJob("e", "s", [b], corrections, 16));
        first.Add(second);
        Assert.True(first.Counts.AsSpan().SequenceEqual(both.Counts));
        Assert.Equal(first.Events, both.Events);
    }

    [Fact]
    public void A_missing_frame_file_is_named()
    {
        var gen = new SyntheticFrames(DetectorShape.Hexitec, 0.02, 1);
        var job = new ScanJob("e", "s", [Path.Combine(_dir, "nope.bin")], gen.Corrections);
        var e = Assert.ThrowsAny<Exception>(() => DirectScanRunner.Run(job));
        Assert.Contains("nope.bin", e.Message);
    }
}
