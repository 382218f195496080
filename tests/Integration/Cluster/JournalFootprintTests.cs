using XcsCt.Actors.Client;
using XcsCt.Actors.Hosting;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;
using XcsCt.Domain.Pipeline;
using static XcsCt.Integration.Cluster.ClusterTesting;

namespace XcsCt.Integration.Cluster;

/// <summary>Guarantee 3, small journal: it grows with batches and tiles, never with photons.</summary>
public sealed class JournalFootprintTests
{
    private const int Frames = 1024;
    private const int BatchFrames = 128;

    /// <summary>Journal bytes of the same scan at 1 % and 5 % occupancy may differ by this fraction (they should not differ at all).</summary>
    private const double Margin = 0.02;

    [Fact]
    public async Task The_same_frames_count_at_five_times_the_occupancy_leaves_the_same_journal()
    {
        var low = await RunOnce(0.01);
        var high = await RunOnce(0.05);
        Assert.True(high.Kept > 3 * low.Kept, $"events kept: {low.Kept:N0} at 1 %, {high.Kept:N0} at 5 %");
        var (l, h) = (low.Journal.Events, high.Journal.Events);
        Assert.Equal(l.Rows, h.Rows);
        Assert.InRange(h.PayloadBytes, l.PayloadBytes * (1 - Margin), l.PayloadBytes * (1 + Margin));
        // a completed scan's tiles drop their snapshots: no spectra stay in the journal
        Assert.Equal(0, low.Journal.Table("snapshot").Rows);
        Assert.Equal(0, high.Journal.Table("snapshot").Rows);
    }

    private static async Task<(long Kept, JournalFootprint Journal)> RunOnce(double occupancy)
    {
        var root = TempDirectory("footprint");
        var synthetic = new SyntheticFrames(DetectorShape.Hexitec, occupancy, seed: 9);
        var frames = new ushort[Frames * DetectorShape.Hexitec.Pixels];
        synthetic.Fill(frames);
        string file = Path.Combine(root, "frames.bin");
        BinFrameFile.Write(file, frames);
        var job = new ScanJob("footprint", "s1", [file], synthetic.Corrections, BatchFrames);
        // one checkpoint, when the last batch is in: the number of scan events does not depend on timing
        var options = Node(Path.Combine(root, "data")) with { SnapshotInterval = 64, TileIdleCheckpoint = TimeSpan.FromMinutes(5) };
        long kept;
        await using (var node = await EmbeddedCluster.StartAsync(options))
        {
            var result = await Within(node.Client.RunAsync(job));
            AssertIdentical(DirectScanRunner.Run(job, threads: 1), result.Spectra);
            kept = result.Spectra.Events.Kept;
            // the tiles release their snapshots right after the scan completes
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (JournalFootprint.Measure(options).Table("snapshot").Rows > 0 && DateTime.UtcNow < deadline)
                await Task.Delay(100);
        }
        var journal = JournalFootprint.Measure(options);
        Directory.Delete(root, recursive: true);
        return (kept, journal);
    }
}
