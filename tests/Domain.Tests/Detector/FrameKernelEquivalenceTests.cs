using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Detector;

/// <summary>
/// The fast kernel, at every SIMD width, is bit-identical to <see cref="FrameKernelReference"/>:
/// same counts in every pixel and bin, same bookkeeping, on seeded random sparse frames.
/// </summary>
public class FrameKernelEquivalenceTests
{
    private static readonly (ChargeSharingMode Mode, int Window)[] Modes =
    [
        (ChargeSharingMode.None, 3), (ChargeSharingMode.Cluster, 3),
        (ChargeSharingMode.Addition, 3), (ChargeSharingMode.Addition, 5),
        (ChargeSharingMode.Discrimination, 3), (ChargeSharingMode.Discrimination, 5),
    ];

    /// <summary>Every mode x every option combination on a 5 x 80 detector (reorder needs 80 columns).</summary>
    public static TheoryData<KernelCase> AllOptions()
    {
        var data = new TheoryData<KernelCase>();
        int seed = 1;
        foreach (var (mode, window) in Modes)
            foreach (bool offsets in new[] { false, true })
                foreach (var threshold in Enum.GetValues<ThresholdKind>())
                    foreach (bool next in new[] { false, true })
                        foreach (bool reorder in new[] { false, true })
                            data.Add(new KernelCase(5, 80, mode, window, offsets, threshold, next, reorder, Dead: seed % 2 == 0, Frames: 120, Seed: seed++));
        return data;
    }

    /// <summary>Every mode on full and odd shapes, options drawn from the seed.</summary>
    public static TheoryData<KernelCase> Shapes()
    {
        var data = new TheoryData<KernelCase>();
        (int Rows, int Cols, int Frames)[] shapes = [(80, 80, 300), (160, 160, 60), (7, 13, 2000), (13, 7, 1000), (1, 1, 300), (1, 130, 300), (64, 1, 300), (9, 64, 500), (2, 160, 500)];
        int seed = 1000;
        foreach (var (rows, cols, frames) in shapes)
            foreach (var (mode, window) in Modes)
            {
                seed++;
                data.Add(new KernelCase(rows, cols, mode, window,
                    Offsets: seed % 2 == 0, Threshold: (ThresholdKind)(seed % 3), NextFrame: seed % 4 < 2,
                    Reorder: cols % 80 == 0 && seed % 5 < 3, Dead: true, frames, seed));
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllOptions))]
    public void EveryOptionMatchesReference(KernelCase k) => AssertMatchesReference(k);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryShapeMatchesReference(KernelCase k) => AssertMatchesReference(k);

    private static void AssertMatchesReference(KernelCase k)
    {
        var corrections = KernelTestData.Corrections(k);
        var frames = KernelTestData.Frames(k, corrections);
        var reference = FrameKernelReference.Create(corrections);
        var expected = new FrameAccumulator(reference);
        reference.ProcessRaw(frames, 0, expected);
        KernelTestData.AssertBookkeeping(expected);
        Assert.True(expected.Events.Kept > 0, $"{k}: nothing kept, the case tests nothing");

        var kernel = FrameKernel.Create(corrections);
        foreach (var width in KernelTestData.Widths)
        {
            var actual = new FrameAccumulator(kernel);
            kernel.ProcessRaw(frames, 0, actual, width);
            KernelTestData.AssertSame(expected, actual, $"{k} {width}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ProcessedFramesMatchReference(KernelCase k)
    {
        var corrections = KernelTestData.Corrections(k);
        var frames = KernelTestData.EnergyFrames(k.Rows, k.Cols, Math.Min(k.Frames, 300), k.Seed);
        var reference = FrameKernelReference.Create(corrections);
        var expected = new FrameAccumulator(reference);
        reference.ProcessEnergies(frames, 0, expected);
        KernelTestData.AssertBookkeeping(expected);

        var kernel = FrameKernel.Create(corrections);
        foreach (var width in KernelTestData.Widths)
        {
            var actual = new FrameAccumulator(kernel);
            kernel.ProcessEnergies(frames, 0, actual, width);
            KernelTestData.AssertSame(expected, actual, $"{k} {width}");
        }
    }

    /// <summary>A file cut into primed batches gives exactly one pass's result (next-frame across batch edges).</summary>
    [Theory]
    [InlineData(ChargeSharingMode.Cluster, 3, false)]
    [InlineData(ChargeSharingMode.Addition, 5, true)]
    [InlineData(ChargeSharingMode.Discrimination, 3, false)]
    [InlineData(ChargeSharingMode.None, 3, true)]
    public void PrimedBatchesEqualOnePass(ChargeSharingMode mode, int window, bool reorder)
    {
        var k = new KernelCase(10, 80, mode, window, Offsets: true, ThresholdKind.PerPixel, NextFrame: true, reorder, Dead: true, Frames: 400, Seed: 77);
        var corrections = KernelTestData.Corrections(k);
        var frames = KernelTestData.Frames(k, corrections);
        int n = corrections.Shape.Pixels;
        var kernel = FrameKernel.Create(corrections);
        var reference = FrameKernelReference.Create(corrections);

        var onePass = new FrameAccumulator(kernel);
        kernel.ProcessRaw(frames, 1000, onePass);

        var merged = new PixelSpectra(corrections.Shape, corrections.Axis);
        var mergedByReference = new PixelSpectra(corrections.Shape, corrections.Axis);
        var acc = new FrameAccumulator(kernel);
        var referenceAcc = new FrameAccumulator(reference);
        int[] starts = [0, 1, 37, 38, 150, 399];
        for (int b = starts.Length - 1; b >= 0; b--) // out of order, one reused accumulator, like a worker
        {
            int first = starts[b], end = b + 1 < starts.Length ? starts[b + 1] : 400;
            acc.Reset();
            referenceAcc.Reset();
            if (first > 0)
            {
                kernel.Prime(frames.AsSpan((first - 1) * n, n), 1000 + first - 1, acc);
                reference.Prime(frames.AsSpan((first - 1) * n, n), 1000 + first - 1, referenceAcc);
            }
            kernel.ProcessRaw(frames.AsSpan(first * n, (end - first) * n), 1000 + first, acc);
            reference.ProcessRaw(frames.AsSpan(first * n, (end - first) * n), 1000 + first, referenceAcc);
            acc.MoveTo(merged);
            referenceAcc.MoveTo(mergedByReference);
        }

        Assert.True(onePass.Events.Discarded > 0);
        Assert.Equal(onePass.Events, merged.Events);
        Assert.Equal(onePass.Events, mergedByReference.Events);
        Assert.Equal(400, merged.Frames);
        Assert.Equal(onePass.Counts, merged.Counts);
        Assert.Equal(onePass.Counts, mergedByReference.Counts);
    }

    /// <summary>Without priming, a batch does not link to a frame it never saw; numbers that skip do not link either.</summary>
    [Fact]
    public void NextFrameLinksOnlyConsecutiveNumbers()
    {
        var k = new KernelCase(4, 80, ChargeSharingMode.None, 3, Offsets: false, ThresholdKind.None, NextFrame: true, Reorder: false, Dead: false, Frames: 2, Seed: 5);
        var corrections = KernelTestData.Corrections(k);
        var frame = new ushort[320];
        frame[10] = 1000;
        var kernel = FrameKernel.Create(corrections);
        var acc = new FrameAccumulator(kernel);
        kernel.ProcessRaw(frame, 5, acc);
        kernel.ProcessRaw(frame, 7, acc); // 7 does not follow 5
        Assert.Equal(new EventCounts(2, 2, 0, 0, 0, acc.Events.Underflow, acc.Events.Overflow), acc.Events);
        kernel.ProcessRaw(frame, 8, acc); // 8 follows 7
        Assert.Equal(1, acc.Events.Discarded);
    }
}
