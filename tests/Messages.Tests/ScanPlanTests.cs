using XcsCt.Domain.Detector;
using XcsCt.Domain.Pipeline;
using XcsCt.Domain.Spectra;
using XcsCt.Messages.Scans;
using ScanPlan = XcsCt.Messages.Scans.ScanPlan;

namespace XcsCt.Messages.Tests;

public sealed class ScanPlanTests
{
    private static FrameCorrections Corrections(int rows, int cols) =>
        new(new DetectorShape(rows, cols), HistogramAxis.Default, new float[rows * cols], new float[rows * cols]);

    [Fact]
    public void Batches_are_cut_exactly_as_ScanJob_Plan_cuts_them()
    {
        long[] counts = [10_000, 0, 4096, 1];
        var job = new ScanJob("e", "s", ["a", "b", "c", "d"], Corrections(8, 8), 4096);
        var plan = new ScanPlan(8, 8, 1000, 16, 4096, counts);
        Assert.Equal(job.Plan(counts), plan.Batches);
        Assert.Equal(5, plan.BatchCount);
        Assert.Equal(14_097, plan.TotalFrames);
    }

    [Fact]
    public void Tiles_cover_the_detector_once_with_smaller_edge_tiles()
    {
        var plan = new ScanPlan(40, 33, 10, 16, 100, [1]);
        Assert.Equal(3 * 3, plan.TileCount);
        var covered = new int[40 * 33];
        for (int t = 0; t < plan.TileCount; t++)
        {
            var r = plan.Tile(t);
            for (int y = r.Row; y < r.Row + r.Rows; y++)
                for (int x = r.Col; x < r.Col + r.Cols; x++)
                    covered[y * 33 + x]++;
        }
        Assert.All(covered, c => Assert.Equal(1, c));
        Assert.Equal(new TileRect(32, 32, 8, 1), plan.Tile(8));
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.Tile(9));
    }

    [Fact]
    public void Equality_compares_frame_counts_by_value()
    {
        Assert.Equal(new ScanPlan(8, 8, 10, 4, 5, [1, 2]), new ScanPlan(8, 8, 10, 4, 5, [1, 2]));
        Assert.NotEqual(new ScanPlan(8, 8, 10, 4, 5, [1, 2]), new ScanPlan(8, 8, 10, 4, 5, [1, 3]));
    }

    [Fact]
    public void Job_files_round_trip_and_detect_changes()
    {
        var dir = Directory.CreateTempSubdirectory("xcsct-jobs").FullName;
        try
        {
            var corrections = Corrections(4, 4) with { ThresholdAdu = 12.5f, NextFrame = true, ChargeSharing = ChargeSharingMode.Addition, Window = 5 };
            corrections.GradientsKeVPerAdu[3] = 0.028f;
            var job = new ScanJob("e", "s", ["/x/a.h5"], corrections, 512);
            var reference = JobFile.Write(job, dir);
            Assert.Equal(reference, JobFile.Write(job, dir)); // same job, same reference
            var back = JobFile.Read(reference);
            Assert.Equal(job.FrameFiles, back.FrameFiles);
            Assert.Equal(512, back.BatchFrames);
            Assert.Equal(0.028f, back.Corrections.GradientsKeVPerAdu[3]);
            Assert.Equal(12.5f, back.Corrections.ThresholdAdu);
            Assert.True(back.Corrections.NextFrame);
            Assert.Equal(ChargeSharingMode.Addition, back.Corrections.ChargeSharing);
            Assert.Equal(5, back.Corrections.Window);
            File.WriteAllBytes(reference.Path, [1, 2, 3]);
            var e = Assert.Throws<XcsCt.Domain.InputException>(() => JobFile.Read(reference));
            Assert.Contains(reference.Path, e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }
}
