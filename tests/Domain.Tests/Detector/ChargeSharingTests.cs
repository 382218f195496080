using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Detector;

/// <summary>Hand-made frames for each charge-sharing mode (ANALYSIS section 3, step 6), on energies in keV.</summary>
public class ChargeSharingTests
{
    /// <summary>1 keV bins, 0-200 keV: an event of E keV lands in bin floor(E).</summary>
    private static readonly HistogramAxis OneKeV = new(1.0, 200);

    private static (FrameAccumulator Fast, FrameAccumulator Reference) Run(int rows, int cols, ChargeSharingMode mode, int window, params (int Row, int Col, float KeV)[] events)
    {
        var shape = new DetectorShape(rows, cols);
        var frame = new float[shape.Pixels];
        foreach (var (r, c, e) in events) frame[r * cols + c] = e;
        var corrections = new FrameCorrections(shape, OneKeV, Filled(shape.Pixels, 0.028f), new float[shape.Pixels])
        {
            ChargeSharing = mode,
            Window = window,
        };
        var kernel = FrameKernel.Create(corrections);
        var fast = new FrameAccumulator(kernel);
        kernel.ProcessEnergies(frame, 0, fast);
        var reference = FrameKernelReference.Create(corrections);
        var slow = new FrameAccumulator(reference);
        reference.ProcessEnergies(frame, 0, slow);
        KernelTestData.AssertSame(slow, fast, mode.ToString());
        KernelTestData.AssertBookkeeping(fast);
        return (fast, slow);
    }

    private static float[] Filled(int n, float v)
    {
        var a = new float[n];
        Array.Fill(a, v);
        return a;
    }

    /// <summary>(row, col, bin) of every histogrammed event, in pixel order.</summary>
    private static List<(int Row, int Col, int Bin)> Histogrammed(FrameAccumulator acc)
    {
        var list = new List<(int, int, int)>();
        int bins = acc.Axis.Bins, cols = acc.Shape.Cols;
        for (int i = 0; i < acc.Counts.Length; i++)
            for (uint k = 0; k < acc.Counts[i]; k++)
                list.Add((i / bins / cols, i / bins % cols, i % bins));
        return list;
    }

    [Fact]
    public void ClusterKeepsSinglesSumsPairsOntoTheLargerAndDropsTriples()
    {
        var (acc, _) = Run(8, 8, ChargeSharingMode.Cluster, 3,
            (1, 1, 50.5f),                     // single: kept
            (3, 3, 30f), (3, 4, 60f),          // horizontal pair: 90 on (3,4)
            (5, 0, 70f), (6, 1, 20f),          // diagonal pair (8-connected): 90 on (5,0)
            (0, 6, 40f), (1, 7, 40f),          // tie: first in raster order, (0,6)
            (6, 5, 10f), (7, 5, 10f), (7, 6, 10f)); // L-shaped triple: discarded
        Assert.Equal([(0, 6, 80), (1, 1, 50), (3, 4, 90), (5, 0, 90)], Histogrammed(acc));
        Assert.Equal(new EventCounts(In: 10, Kept: 4, Merged: 3, Discarded: 3, BelowThreshold: 0, Underflow: 0, Overflow: 0), acc.Events);
    }

    [Fact]
    public void ClusterDropsChainsThatOnlyTouchDiagonallyAndAtEdges()
    {
        var (acc, _) = Run(5, 6, ChargeSharingMode.Cluster, 3,
            (0, 5, 20f), (1, 4, 20f), (2, 5, 20f),  // zig-zag at the right edge: one cluster of 3
            (4, 0, 33f), (3, 0, 11f),               // vertical pair at the left edge: 44 on (4,0)
            (4, 2, 5f));                            // single two columns away: kept
        Assert.Equal([(4, 0, 44), (4, 2, 5)], Histogrammed(acc));
        Assert.Equal(new EventCounts(6, 2, 1, 3, 0, 0, 0), acc.Events);
    }

    [Fact]
    public void AdditionChainsWindowsInRasterOrder()
    {
        // (2,2)'s window takes (2,3): 40 on (2,3). Visiting (2,3) later, its window takes (3,4): 45.
        var (acc, _) = Run(8, 8, ChargeSharingMode.Addition, 3, (2, 2, 10f), (2, 3, 30f), (3, 4, 5f), (6, 6, 7f));
        Assert.Equal([(2, 3, 45), (6, 6, 7)], Histogrammed(acc));
        Assert.Equal(new EventCounts(4, 2, 2, 0, 0, 0, 0), acc.Events);

        // The same three pixels are one 8-connected triple for the cluster rule: dropped.
        var (cluster, _) = Run(8, 8, ChargeSharingMode.Cluster, 3, (2, 2, 10f), (2, 3, 30f), (3, 4, 5f), (6, 6, 7f));
        Assert.Equal([(6, 6, 7)], Histogrammed(cluster));
    }

    [Fact]
    public void AdditionWindowFiveReachesTwoPixelsAway()
    {
        (int, int, float)[] events = [(2, 2, 10f), (2, 4, 20f), (4, 0, 12f)];
        var (three, _) = Run(7, 7, ChargeSharingMode.Addition, 3, events);
        Assert.Equal([(2, 2, 10), (2, 4, 20), (4, 0, 12)], Histogrammed(three));
        // 5 x 5 around (2,2) holds all three: 42 keV on the maximum (2,4).
        var (five, _) = Run(7, 7, ChargeSharingMode.Addition, 5, events);
        Assert.Equal([(2, 4, 42)], Histogrammed(five));
        Assert.Equal(new EventCounts(3, 1, 2, 0, 0, 0, 0), five.Events);
    }

    [Fact]
    public void AdditionTiesGoToTheFirstPixelOfTheWindow()
    {
        // (0,1) is visited first; its window holds (1,0) and (1,2), both 25 keV: 60 keV on (1,0).
        var (acc, _) = Run(4, 4, ChargeSharingMode.Addition, 3, (0, 1, 10f), (1, 0, 25f), (1, 2, 25f));
        Assert.Equal([(1, 0, 60)], Histogrammed(acc));
        Assert.Equal(new EventCounts(3, 1, 2, 0, 0, 0, 0), acc.Events);
    }

    [Fact]
    public void DiscriminationDropsEventsWithNeighboursAndTheirWindow()
    {
        (int, int, float)[] events = [(1, 1, 10f), (1, 2, 20f), (5, 5, 30f), (5, 7, 40f), (7, 0, 50f)];
        var (three, _) = Run(8, 8, ChargeSharingMode.Discrimination, 3, events);
        Assert.Equal([(5, 5, 30), (5, 7, 40), (7, 0, 50)], Histogrammed(three));
        Assert.Equal(new EventCounts(5, 3, 0, 2, 0, 0, 0), three.Events);

        var (five, _) = Run(8, 8, ChargeSharingMode.Discrimination, 5, events);
        Assert.Equal([(7, 0, 50)], Histogrammed(five));
        Assert.Equal(new EventCounts(5, 1, 0, 4, 0, 0, 0), five.Events);
    }

    [Fact]
    public void NoneKeepsEverything()
    {
        var (acc, _) = Run(3, 3, ChargeSharingMode.None, 3, (0, 0, 1.5f), (0, 1, 2.5f), (1, 1, 3.5f));
        Assert.Equal([(0, 0, 1), (0, 1, 2), (1, 1, 3)], Histogrammed(acc));
        Assert.Equal(new EventCounts(3, 3, 0, 0, 0, 0, 0), acc.Events);
    }

    [Fact]
    public void HistogramEdgesGoToUnderAndOverflowNeverOutOfRange()
    {
        var (acc, _) = Run(1, 7, ChargeSharingMode.None, 3,
            (0, 0, -0.5f), (0, 1, 0f), (0, 2, 1e-30f), (0, 3, 199.99f), (0, 4, 200f), (0, 5, 1e30f), (0, 6, -1e-30f));
        // 0 keV is no event in a processed frame; 1e-30 is bin 0; 199.99 the last bin; 200 and 1e30 overflow; negatives underflow.
        Assert.Equal([(0, 2, 0), (0, 3, 199)], Histogrammed(acc));
        Assert.Equal(new EventCounts(6, 6, 0, 0, 0, Underflow: 2, Overflow: 2), acc.Events);
    }

    [Fact]
    public void NonFiniteProcessedEnergyIsBadInput()
    {
        var shape = new DetectorShape(3, 70);
        var corrections = new FrameCorrections(shape, OneKeV, Filled(shape.Pixels, 0.028f), new float[shape.Pixels]);
        var kernel = FrameKernel.Create(corrections);
        foreach (int at in new[] { 5, 200 }) // in a SIMD word and in the scalar tail
        {
            var frames = new float[2 * shape.Pixels];
            frames[shape.Pixels + at] = float.NaN;
            foreach (var width in KernelTestData.Widths)
            {
                var e = Assert.Throws<InputException>(() => kernel.ProcessEnergies(frames, 40, new FrameAccumulator(kernel), width));
                Assert.Contains($"processed frame 41: pixel (row {at / 70}, col {at % 70})", e.Message);
            }
        }
    }
}
