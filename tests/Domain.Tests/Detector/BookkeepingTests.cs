using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Tests.Detector;

/// <summary>
/// ANALYSIS section 3: <c>events_in = kept + merged_away + discarded + below_threshold</c> per run, and
/// every histogram count (plus under/overflow) is one kept event, for every mode on random frames.
/// </summary>
public class BookkeepingTests
{
    [Theory]
    [InlineData(ChargeSharingMode.None, 3)]
    [InlineData(ChargeSharingMode.Cluster, 3)]
    [InlineData(ChargeSharingMode.Addition, 3)]
    [InlineData(ChargeSharingMode.Addition, 5)]
    [InlineData(ChargeSharingMode.Discrimination, 3)]
    [InlineData(ChargeSharingMode.Discrimination, 5)]
    public void EventsInEqualKeptPlusMergedPlusDiscardedPlusBelowThreshold(ChargeSharingMode mode, int window)
    {
        for (int seed = 0; seed < 24; seed++)
        {
            var k = new KernelCase(17 + seed % 5, 80, mode, window, Offsets: seed % 2 == 0, (ThresholdKind)(seed % 3),
                NextFrame: seed % 4 < 2, Reorder: seed % 3 == 0, Dead: true, Frames: 100, Seed: 500 + seed);
            var corrections = KernelTestData.Corrections(k);
            var kernel = FrameKernel.Create(corrections);
            var acc = new FrameAccumulator(kernel);
            kernel.ProcessRaw(KernelTestData.Frames(k, corrections, occupancy: 0.02 + 0.01 * (seed % 6)), 0, acc);
            KernelTestData.AssertBookkeeping(acc);
            Assert.Equal(100, acc.Frames);
            var e = acc.Events;
            Assert.True(e.Kept > 0 && e.In > e.Kept, $"{k}: {e}");
            if (mode != ChargeSharingMode.None) Assert.True(e.Merged + e.Discarded > 0, $"{k}: no charge sharing seen: {e}");
        }
    }
}
