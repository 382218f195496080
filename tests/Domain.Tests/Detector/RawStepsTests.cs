using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Detector;

/// <summary>Steps 1-5 of ANALYSIS section 3 on hand-made raw frames.</summary>
public class RawStepsTests
{
    private static readonly HistogramAxis OneKeV = new(1.0, 200);

    private static FrameCorrections Flat(int rows, int cols, float gain = 0.5f, float intercept = 0f) =>
        new(new DetectorShape(rows, cols), OneKeV, Filled(rows * cols, gain), Filled(rows * cols, intercept))
        { ChargeSharing = ChargeSharingMode.None };

    private static float[] Filled(int n, float v)
    {
        var a = new float[n];
        Array.Fill(a, v);
        return a;
    }

    private static FrameAccumulator Run(FrameCorrections c, ushort[] frames, long first = 0)
    {
        var kernel = FrameKernel.Create(c);
        var reference = FrameKernelReference.Create(c);
        var fast = new FrameAccumulator(kernel);
        var slow = new FrameAccumulator(reference);
        kernel.ProcessRaw(frames, first, fast);
        reference.ProcessRaw(frames, first, slow);
        KernelTestData.AssertSame(slow, fast, "hand-made");
        KernelTestData.AssertBookkeeping(fast);
        return fast;
    }

    [Fact]
    public void OffsetThenThresholdKeepsValuesAtOrAboveTheThreshold()
    {
        // value = raw - 100.25; threshold 20: raw 121 gives 20.75 (kept), 120 gives 19.75 (below), 100 gives -0.25 (no reading).
        var c = Flat(1, 4) with { OffsetsAdu = Filled(4, 100.25f), ThresholdAdu = 20f };
        var acc = Run(c, [121, 120, 100, 300]);
        Assert.Equal(new EventCounts(In: 3, Kept: 2, Merged: 0, Discarded: 0, BelowThreshold: 1, 0, 0), acc.Events);
        // E = 0.5 * 20.75 = 10.375 keV -> bin 10; 0.5 * 199.75 = 99.875 -> bin 99.
        Assert.Equal(1u, acc.Counts[0 * 200 + 10]);
        Assert.Equal(1u, acc.Counts[3 * 200 + 99]);
    }

    [Fact]
    public void ThresholdExactlyReachedIsKeptAndMapTakesPrecedence()
    {
        var c = Flat(1, 3) with { OffsetsAdu = Filled(3, 10f), ThresholdAdu = 1000f, ThresholdMapAdu = [5f, 5.5f, -3f] };
        // values 5 (= 5: kept), 5 (< 5.5: below), 1 (>= -3 and positive: kept)
        var acc = Run(c, [15, 15, 11]);
        Assert.Equal(new EventCounts(3, 2, 0, 0, 1, 0, 0), acc.Events);
    }

    [Fact]
    public void WithoutThresholdEveryPositiveValueIsKept()
    {
        var c = Flat(1, 3) with { OffsetsAdu = [0.5f, 1f, -2f] };
        // raw 1 - 0.5 = 0.5 kept; 1 - 1 = 0 not a reading; 0 + 2 = 2 kept
        var acc = Run(c, [1, 1, 0]);
        Assert.Equal(new EventCounts(2, 2, 0, 0, 0, 0, 0), acc.Events);
    }

    [Fact]
    public void NextFrameZeroesPixelsHitInThePreviousThresholdedFrame()
    {
        var c = Flat(1, 2) with { NextFrame = true, ThresholdAdu = 10f };
        // pixel 0: hit in frames 0, 1, 2 -> kept, dropped, dropped (frame 1 had it after threshold).
        // pixel 1: 5 ADU (below threshold) in frame 0 does not block frame 1.
        var acc = Run(c, [100, 5, 100, 100, 100, 0]);
        Assert.Equal(new EventCounts(In: 5, Kept: 2, Merged: 0, Discarded: 2, BelowThreshold: 1, 0, 0), acc.Events);
        Assert.Equal(1u, acc.Counts[0 * 200 + 50]);
        Assert.Equal(1u, acc.Counts[1 * 200 + 50]);
    }

    [Fact]
    public void PixelsWhoseOffsetIsAboveFullScaleNeverRead()
    {
        // Offset 70000 ADU: even a saturated 65535 reading is negative after subtraction. Pixels in
        // SIMD words (3, 64) and in the scalar tail (129), at every vector width.
        var offsets = new float[130];
        offsets[3] = offsets[64] = offsets[129] = 70000f;
        var c = Flat(1, 130) with { OffsetsAdu = offsets, ThresholdMapAdu = Filled(130, 10f) };
        c.ThresholdMapAdu![5] = 1e6f; // a threshold no reading reaches
        var frame = new ushort[130];
        Array.Fill(frame, ushort.MaxValue);
        var reference = FrameKernelReference.Create(c);
        var expected = new FrameAccumulator(reference);
        reference.ProcessRaw(frame, 0, expected);
        Assert.Equal(new EventCounts(In: 127, Kept: 126, Merged: 0, Discarded: 0, BelowThreshold: 1, 0, Overflow: 126), expected.Events);
        var kernel = FrameKernel.Create(c);
        foreach (var width in KernelTestData.Widths)
        {
            var actual = new FrameAccumulator(kernel);
            kernel.ProcessRaw(frame, 0, actual, width);
            KernelTestData.AssertSame(expected, actual, width.ToString());
        }
    }

    [Fact]
    public void DeadPixelsAreDiscarded()
    {
        var c = Flat(1, 3) with { GradientsKeVPerAdu = [0.5f, 0f, 0.5f] };
        var acc = Run(c, [10, 10, 10]);
        Assert.Equal(new EventCounts(3, 2, 0, 1, 0, 0, 0), acc.Events);
        Assert.Equal(0u, acc.Counts[1 * 200 + 5]);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(160)]
    public void ReorderMovesRawColumnCTimes4PlusBToSpatialBTimes20PlusC(int cols)
    {
        var c = Flat(2, cols) with { Reorder = true };
        var kernel = FrameKernel.Create(c);
        for (int module = 0; module < cols / 80; module++)
            for (int cc = 0; cc < 20; cc++)
                for (int b = 0; b < 4; b++)
                {
                    var frame = new ushort[2 * cols];
                    frame[cols + module * 80 + cc * 4 + b] = 20; // row 1
                    var acc = new FrameAccumulator(kernel);
                    kernel.ProcessRaw(frame, 0, acc);
                    int spatial = cols + module * 80 + b * 20 + cc;
                    Assert.Equal(1u, acc.Counts[spatial * 200 + 10]);
                }
    }

    /// <summary>
    /// The integer-domain cut (raw &gt;= cut) equals the float rule (raw - offset &gt; 0 and &gt;= threshold)
    /// for every one of the 65536 readings, on offsets and thresholds chosen to sit on rounding edges.
    /// </summary>
    [Fact]
    public void CutMapEqualsTheFloatRuleForEveryReading()
    {
        float[] offsets = [0f, 0.1f, 1e-8f, 99.5f, -3.7f, 65534.5f, 65535f, 70000f, 4096.0005f, 16777215f, -1e9f, 1.5f, 33.333f, 2048.25f];
        float[] thresholds = [0f, -5f, 0.5f, 1e9f, 17f, 1e-7f, 65535f, 123.456f, -1e9f, 3f, 0.75f, 2.9999998f, 10.1f, 1f];
        int n = offsets.Length;
        var c = new FrameCorrections(new DetectorShape(1, n), OneKeV, Filled(n, 0.03f), Filled(n, 0f))
        {
            OffsetsAdu = offsets,
            ThresholdMapAdu = thresholds,
        };
        var kernel = FrameKernel.Create(c);
        for (int p = 0; p < n; p++)
            for (int raw = 0; raw <= ushort.MaxValue; raw++)
            {
                float value = (ushort)raw - offsets[p];
                Assert.True((value > 0f) == kernel.CountsReading(p, (ushort)raw), $"reading: offset {offsets[p]}, raw {raw}");
                Assert.True((value > 0f && value >= thresholds[p]) == kernel.KeepsReading(p, (ushort)raw), $"keep: offset {offsets[p]}, threshold {thresholds[p]}, raw {raw}");
            }
    }

    [Fact]
    public void WrongShapedMapsAreRejected()
    {
        var c = Flat(4, 4);
        Assert.Throws<InputException>(() => FrameKernel.Create(c with { ThresholdMapAdu = new float[15] }));
        Assert.Throws<InputException>(() => FrameKernel.Create(c with { OffsetsAdu = new float[17] }));
        Assert.Throws<InputException>(() => FrameKernel.Create(c with { Window = 4 }));
        Assert.Throws<InputException>(() => FrameKernel.Create(c with { Reorder = true }));
        var kernel = FrameKernel.Create(c);
        Assert.Throws<InputException>(() => kernel.ProcessRaw(new ushort[17], 0, new FrameAccumulator(kernel)));
    }

    [Fact]
    public void MoveToAddsIntoSpectraAndClearsTheAccumulator()
    {
        var c = Flat(1, 2);
        var kernel = FrameKernel.Create(c);
        var acc = new FrameAccumulator(kernel);
        var spectra = new PixelSpectra(c.Shape, c.Axis);
        kernel.ProcessRaw([20, 40, 20, 0], 0, acc);
        acc.MoveTo(spectra);
        kernel.ProcessRaw([20, 0], 2, acc);
        acc.MoveTo(spectra);
        Assert.Equal(3u, spectra.Counts[0 * 200 + 10]);
        Assert.Equal(1u, spectra.Counts[1 * 200 + 20]);
        Assert.Equal(3, spectra.Frames);
        Assert.Equal(new EventCounts(4, 4, 0, 0, 0, 0, 0), spectra.Events);
        Assert.All(acc.Counts, x => Assert.Equal(0u, x));
        Assert.Equal(0, acc.Frames);
        Assert.Equal(default, acc.Events);
    }
}
