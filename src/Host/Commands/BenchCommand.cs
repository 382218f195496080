using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using Spectre.Console.Cli;
using System.Diagnostics;
using XcsCt.Actors.Client;
using XcsCt.Actors.Hosting;
using XcsCt.Domain;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;
using XcsCt.Domain.Pipeline;
using XcsCt.Domain.Spectra;

namespace XcsCt.Host.Commands;

/// <summary>
/// <c>xcsct bench</c>: speed of the frame-correction kernel (ANALYSIS section 3, cluster mode, full
/// chain with offsets and threshold) on synthetic 80 x 80 frames at 1, 2 and 5 % occupancy, on one
/// thread and on all threads, against a memory-read baseline over the same buffer, and as a multiple
/// of one detector's 9.1 kHz frame rate.
/// </summary>
/// <remarks>With <c>--cluster</c>, end-to-end throughput through the embedded cluster instead (see <see cref="ClusterBench"/>).</remarks>
public sealed class BenchCommand : Command<BenchCommand.Settings>
{
    /// <summary>Frame rate of one HEXITEC detector, Hz (ARCHITECTURE "The frame kernel").</summary>
    public const double DetectorFrameRateHz = 9100;

    private static readonly double[] Occupancies = [0.01, 0.02, 0.05];

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print one JSON object instead of a table.")]
        public bool Json { get; init; }

        [CommandOption("--frames <N>")]
        [Description("Frames in the buffer per occupancy (default 8192, 105 MB: larger than the caches).")]
        public int Frames { get; init; } = 8192;

        [CommandOption("--threads <N>")]
        [Description("Threads for the parallel run (default: all processors).")]
        public int? Threads { get; init; }

        [CommandOption("--seconds <S>")]
        [Description("Minimum measuring time per path, seconds (default 0.4).")]
        public double Seconds { get; init; } = 0.4;

        [CommandOption("--cluster")]
        [Description("End to end instead: the same generated .bin scan through the embedded cluster (SQLite) and --direct, frames/s of each and their ratio, and the journal's size.")]
        public bool Cluster { get; init; }

        [CommandOption("--cluster-frames <N>")]
        [Description("Frames of the --cluster scan (default 100000, 1.3 GB written to a temporary directory and deleted).")]
        public long ClusterFrames { get; init; } = 100_000;

        [CommandOption("--cluster-passes <N>")]
        [Description("The --cluster scan lists the generated file N times (default 10: a 1e6-frame scan, as at the beamline, from a 1.3 GB file that stays in the page cache).")]
        public int ClusterPasses { get; init; } = 10;

        [CommandOption("--occupancy <P>")]
        [Description("Occupancy of the --cluster frames (default 0.02).")]
        public double Occupancy { get; init; } = 0.02;

        [CommandOption("--batch-frames <N>")]
        [Description("Frames per batch of the --cluster scan (default 8192, as xcsct process).")]
        public int BatchFrames { get; init; } = XcsCt.Domain.Pipeline.ScanJob.DefaultBatchFrames;

        [CommandOption("--journal-footprint")]
        [Description("With --cluster: also run a scan ten times as long (the same file listed ten times) and print the journal bytes of both.")]
        public bool JournalFootprint { get; init; }

        public override ValidationResult Validate() =>
            Frames < 64 ? ValidationResult.Error($"--frames {Frames}: at least 64 frames are needed")
            : ClusterFrames < 1 ? ValidationResult.Error($"--cluster-frames {ClusterFrames}: at least 1 frame is needed")
            : ClusterPasses < 1 ? ValidationResult.Error($"--cluster-passes {ClusterPasses}: at least 1 pass is needed")
            : !(Occupancy > 0 && Occupancy <= 0.5) ? ValidationResult.Error($"--occupancy {Occupancy}: must be in (0, 0.5]")
            : BatchFrames < 1 ? ValidationResult.Error($"--batch-frames {BatchFrames}: at least 1 frame is needed")
            : JournalFootprint && !Cluster ? ValidationResult.Error("--journal-footprint needs --cluster")
            : Threads is < 1 ? ValidationResult.Error($"--threads {Threads}: at least 1 thread is needed")
            : !(Seconds > 0 && Seconds <= 60) ? ValidationResult.Error($"--seconds {Seconds}: must be in (0, 60]")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Cluster) return ClusterBench.Run(settings, cancellationToken);
        int threads = settings.Threads ?? Environment.ProcessorCount;
        var minimum = TimeSpan.FromSeconds(settings.Seconds);
        var shape = DetectorShape.Hexitec;
        var buffer = new ushort[(long)settings.Frames * shape.Pixels];
        var results = new List<OccupancyResult>();
        foreach (double occupancy in Occupancies)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var synthetic = new SyntheticFrames(shape, occupancy, seed: 20240101);
            synthetic.Fill(buffer);
            var bench = new KernelBenchmark(FrameKernel.Create(synthetic.Corrections), buffer);
            var baseline = bench.Baseline(minimum);
            var one = bench.SingleThread(minimum);
            var events = bench.EventsPerPass;
            var all = bench.Parallel(threads, minimum);
            results.Add(OccupancyResult.From(occupancy, bench, events, baseline, one, all));
        }

        var report = new BenchReport(results.Single(r => r.Occupancy == 0.02), results, settings.Frames, threads,
            Environment.ProcessorCount, FrameKernel.VectorBits == 0 ? "scalar" : $"{FrameKernel.VectorBits}-bit SIMD");
        if (settings.Json) Console.WriteLine(JsonSerializer.Serialize(report, JsonOptions));
        else PrintTable(report);
        return 0;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    private static void PrintTable(BenchReport report)
    {
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 110); // no terminal: do not wrap at 80
        AnsiConsole.WriteLine($"frame kernel: 80 x 80, full chain, cluster mode; {report.Frames} frames per buffer; {report.VectorWidth}; {report.Processors} processors");
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "occupancy", "path", "frames/s", "MB/s", "x read", "x 9.1k", "per CPU-s", "CPU" })
            table.AddColumn(new TableColumn(column).RightAligned().NoWrap());
        foreach (var r in report.ByOccupancy)
        {
            AddRow(table, $"{r.Occupancy:P0}", "read 1t", r.Baseline1t, r.Baseline1t);
            AddRow(table, $"hit {r.MeasuredOccupancy:P1}", "kernel 1t", r.Kernel1t, r.Baseline1t);
            AddRow(table, "", $"kernel {report.Threads}t", r.KernelAll, r.Baseline1t);
        }
        AnsiConsole.Write(table);
        var two = report.Headline;
        AnsiConsole.WriteLine($"2 %: kernel / memory read = {two.RatioToBaseline1t:F2} (wall clock), {two.CpuRatioToBaseline1t:F2} (CPU time); " +
            $"{report.Threads} threads / 1 thread = {two.ScalingAllOver1t:F2}.");
        AnsiConsole.WriteLine("Best pass of each path. per CPU-s: frames per second of this process's CPU time, which does not depend on other " +
            "programs sharing the machine; CPU is the share of the wall-clock time the process got per path (1 per thread when alone).");
    }

    private static void AddRow(Table table, string occupancy, string path, PathResult r, PathResult baseline) =>
        table.AddRow(occupancy, path, $"{r.FramesPerS:N0}", $"{r.MbPerS:N0}", $"{r.FramesPerS / baseline.FramesPerS:F2}",
            $"{r.MultipleOfDetectorRate:F1}", $"{r.FramesPerCpuS:N0}", $"{r.CpuShare:F2}");

    /// <summary>The whole run; the 2 % figures are repeated at the top level.</summary>
    public sealed record BenchReport(
        [property: JsonIgnore] OccupancyResult Headline,
        IReadOnlyList<OccupancyResult> ByOccupancy,
        int Frames,
        int Threads,
        int Processors,
        string VectorWidth)
    {
        public double Occupancy => Headline.Occupancy;
        [JsonPropertyName("frames_per_s_1t")] public double FramesPerS1t => Headline.Kernel1t.FramesPerS;
        [JsonPropertyName("frames_per_s_all")] public double FramesPerSAll => Headline.KernelAll.FramesPerS;
        [JsonPropertyName("baseline_frames_per_s_1t")] public double BaselineFramesPerS1t => Headline.Baseline1t.FramesPerS;
        [JsonPropertyName("cpu_frames_per_s_1t")] public double CpuFramesPerS1t => Headline.Kernel1t.FramesPerCpuS;
        [JsonPropertyName("cpu_baseline_frames_per_s_1t")] public double CpuBaselineFramesPerS1t => Headline.Baseline1t.FramesPerCpuS;
        [JsonPropertyName("ratio_to_baseline_1t")] public double RatioToBaseline1t => Headline.RatioToBaseline1t;
        [JsonPropertyName("cpu_ratio_to_baseline_1t")] public double CpuRatioToBaseline1t => Headline.CpuRatioToBaseline1t;
        [JsonPropertyName("scaling_all_over_1t")] public double ScalingAllOver1t => Headline.ScalingAllOver1t;
        [JsonPropertyName("cpu_share_1t")] public double CpuShare1t => Headline.Kernel1t.CpuShare;
        public double DetectorFrameRateHz => BenchCommand.DetectorFrameRateHz;
    }

    /// <summary>One measured path (see <see cref="BenchmarkRate"/>).</summary>
    public sealed record PathResult(
        double FramesPerS,
        double MedianFramesPerS,
        double FramesPerCpuS,
        double CpuShare,
        double MbPerS,
        double MultipleOfDetectorRate)
    {
        public static PathResult From(BenchmarkRate rate, int bytesPerFrame) => new(
            rate.FramesPerSecond, rate.MedianFramesPerSecond, rate.FramesPerCpuSecond, rate.CpuShare,
            rate.FramesPerSecond * bytesPerFrame / 1e6, rate.FramesPerSecond / DetectorFrameRateHz);
    }

    /// <summary>Figures for one occupancy.</summary>
    public sealed record OccupancyResult(
        double Occupancy,
        double MeasuredOccupancy,
        int BytesPerFrame,
        [property: JsonPropertyName("baseline_1t")] PathResult Baseline1t,
        [property: JsonPropertyName("kernel_1t")] PathResult Kernel1t,
        [property: JsonPropertyName("kernel_all")] PathResult KernelAll,
        [property: JsonPropertyName("ratio_to_baseline_1t")] double RatioToBaseline1t,
        [property: JsonPropertyName("cpu_ratio_to_baseline_1t")] double CpuRatioToBaseline1t,
        [property: JsonPropertyName("scaling_all_over_1t")] double ScalingAllOver1t,
        EventsPerFrame EventsPerFrame)
    {
        public static OccupancyResult From(double occupancy, KernelBenchmark bench, EventCounts events,
            BenchmarkRate baseline, BenchmarkRate one, BenchmarkRate all)
        {
            double frames = bench.FrameCount;
            double pixels = bench.BytesPerFrame / sizeof(ushort);
            return new OccupancyResult(
                occupancy,
                (events.In - events.BelowThreshold) / frames / pixels,
                bench.BytesPerFrame,
                PathResult.From(baseline, bench.BytesPerFrame),
                PathResult.From(one, bench.BytesPerFrame),
                PathResult.From(all, bench.BytesPerFrame),
                one.FramesPerSecond / baseline.FramesPerSecond,
                one.FramesPerCpuSecond / baseline.FramesPerCpuSecond,
                all.FramesPerSecond / one.FramesPerSecond,
                new EventsPerFrame(events.In / frames, events.Kept / frames, events.Merged / frames,
                    events.Discarded / frames, events.BelowThreshold / frames));
        }
    }

    /// <summary>Mean bookkeeping per frame (ANALYSIS section 3).</summary>
    public sealed record EventsPerFrame(double In, double Kept, double Merged, double Discarded, double BelowThreshold);
}

/// <summary>
/// <c>xcsct bench --cluster</c>: one generated scan of synthetic frames (a <c>.bin</c> file) processed
/// by <see cref="DirectScanRunner"/> and by the embedded one-node cluster (SQLite journal) in the
/// same run, on the same file (read from the page cache by both), each result checked bit-identical.
/// After a short warm-up scan on each path (JIT, journal tables and connections, shards), the two
/// paths alternate <see cref="Rounds"/> times and the medians are compared, so that a machine shared
/// with other work does not favour one path. Frames per second are end to end: submit to spectra
/// in hand. With <c>--journal-footprint</c>, a fresh node runs the scan alone, then one ten times
/// as long (the same file listed ten times), and the journal's size after each is printed.
/// </summary>
internal static class ClusterBench
{
    public const int Rounds = 3;
    private const int FramesPerWrite = 512;

    public static int Run(BenchCommand.Settings settings, CancellationToken cancellationToken)
    {
        int threads = settings.Threads ?? Environment.ProcessorCount;
        string root = Directory.CreateTempSubdirectory("xcsct-bench-").FullName;
        try
        {
            var synthetic = new SyntheticFrames(DetectorShape.Hexitec, settings.Occupancy, seed: 20240101);
            var clock = Stopwatch.StartNew();
            string file = Write(Path.Combine(root, "frames.bin"), synthetic, settings.ClusterFrames, cancellationToken);
            AnsiConsole.MarkupLine($"generated {settings.ClusterFrames:N0} frames at {settings.Occupancy:P0} occupancy in {clock.Elapsed.TotalSeconds:F1} s ({new FileInfo(file).Length / 1e9:F2} GB)");
            int batchFrames = settings.BatchFrames;
            var job = new ScanJob("bench", "s", Enumerable.Repeat(file, settings.ClusterPasses).ToArray(), synthetic.Corrections, batchFrames);
            var warmup = job with { Scan = "warmup", FrameFiles = [Write(Path.Combine(root, "warmup.bin"), synthetic, 2L * batchFrames, cancellationToken)] };

            var options = Node(Path.Combine(root, "data"), threads);
            DirectScanRunner.Run(warmup, null, cancellationToken, threads);
            clock.Restart();
            var cluster = EmbeddedCluster.StartAsync(options, cancellationToken: cancellationToken).GetAwaiter().GetResult();
            var direct = new List<double>();
            var clustered = new List<double>();
            double startSeconds;
            try
            {
                Run(cluster, warmup, cancellationToken);
                startSeconds = clock.Elapsed.TotalSeconds;
                for (int round = 1; round <= Rounds; round++)
                {
                    clock.Restart();
                    var expected = DirectScanRunner.Run(job, null, cancellationToken, threads);
                    direct.Add(clock.Elapsed.TotalSeconds);
                    clock.Restart();
                    var result = Run(cluster, job with { Scan = $"s{round}" }, cancellationToken);
                    clustered.Add(clock.Elapsed.TotalSeconds);
                    Check(expected, result.Spectra, job.Scan);
                }
            }
            finally
            {
                cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            PrintThroughput(settings.ClusterFrames * settings.ClusterPasses, batchFrames, threads, direct, clustered, startSeconds);

            if (settings.JournalFootprint)
            {
                var scans = new[] { job with { Scan = "x1", FrameFiles = [file] }, job with { Scan = "x10", FrameFiles = Enumerable.Repeat(file, 10).ToArray() } };
                var footprints = new List<Footprint>();
                foreach (var scan in scans)
                {
                    clock.Restart();
                    var expected = DirectScanRunner.Run(scan, null, cancellationToken, threads);
                    double directSeconds = clock.Elapsed.TotalSeconds;
                    var alone = Node(Path.Combine(root, "data-" + scan.Scan), threads);
                    var node = EmbeddedCluster.StartAsync(alone, cancellationToken: cancellationToken).GetAwaiter().GetResult();
                    ClusterScanResult result;
                    double clusterSeconds;
                    try
                    {
                        clock.Restart();
                        result = Run(node, scan, cancellationToken);
                        clusterSeconds = clock.Elapsed.TotalSeconds;
                    }
                    finally { node.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
                    Check(expected, result.Spectra, scan.Scan);
                    footprints.Add(new Footprint(result.Spectra.Frames, result.BatchesTotal, directSeconds, clusterSeconds, JournalFootprint.Measure(alone)));
                }
                PrintFootprints(footprints);
            }
            return 0;
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static XcsClusterOptions Node(string data, int threads) =>
        new XcsClusterOptions { DataDirectory = data, MaxBatchesInFlight = threads }.Validated();

    private static ClusterScanResult Run(EmbeddedCluster cluster, ScanJob job, CancellationToken cancellationToken) =>
        cluster.Client.RunAsync(job, null, cancellationToken).GetAwaiter().GetResult();

    private static void Check(PixelSpectra expected, PixelSpectra actual, string scan)
    {
        if (!expected.Counts.AsSpan().SequenceEqual(actual.Counts) || expected.Events != actual.Events || expected.Frames != actual.Frames)
            throw new AnalysisException($"bench {scan}: the cluster's spectra differ from the direct run's");
    }

    /// <summary>Writes <paramref name="frames"/> synthetic frames to a <c>.bin</c> file.</summary>
    private static string Write(string path, SyntheticFrames synthetic, long frames, CancellationToken cancellationToken)
    {
        int pixels = synthetic.Shape.Pixels;
        var chunk = new ushort[FramesPerWrite * pixels];
        using var writer = BinFrameFile.Create(path);
        for (long done = 0; done < frames; done += FramesPerWrite)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = (int)Math.Min(FramesPerWrite, frames - done);
            synthetic.Fill(chunk.AsSpan(0, n * pixels));
            writer.Write(chunk.AsSpan(0, n * pixels));
        }
        writer.Commit();
        return path;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static void PrintThroughput(long frames, int batchFrames, int threads, List<double> direct, List<double> clustered, double startSeconds)
    {
        long batches = (frames + batchFrames - 1) / batchFrames;
        var table = new Table().Title($"end to end: {frames:N0} frames (80 x 80), {batches} batches of {batchFrames}, {threads} threads / batches in flight");
        foreach (var column in new[] { "round", "direct s", "direct frames/s", "cluster s", "cluster frames/s", "cluster / direct" })
            table.AddColumn(new TableColumn(column).RightAligned());
        for (int i = 0; i < direct.Count; i++)
            table.AddRow($"{i + 1}", $"{direct[i]:F2}", $"{frames / direct[i]:N0}", $"{clustered[i]:F2}", $"{frames / clustered[i]:N0}", $"{direct[i] / clustered[i]:F2}");
        double d = Median(direct), c = Median(clustered);
        table.AddRow("median", $"{d:F2}", $"{frames / d:N0}", $"{c:F2}", $"{frames / c:N0}", $"{d / c:F2}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"spectra bit-identical in every round; node start + warm-up scan {startSeconds:F1} s (not counted)");
        AnsiConsole.MarkupLine($"cluster / direct (medians) = [bold]{d / c:F2}[/] (target >= 0.85)");
    }

    private sealed record Footprint(long Frames, int Batches, double DirectSeconds, double ClusterSeconds, JournalFootprint Journal);

    private static void PrintFootprints(List<Footprint> footprints)
    {
        var time = new Table().Title("one scan on a fresh node (node start not counted, no warm-up)");
        foreach (var column in new[] { "frames", "batches", "direct frames/s", "cluster frames/s", "cluster / direct" })
            time.AddColumn(new TableColumn(column).RightAligned());
        foreach (var f in footprints)
            time.AddRow($"{f.Frames:N0}", $"{f.Batches:N0}", $"{f.Frames / f.DirectSeconds:N0}", $"{f.Frames / f.ClusterSeconds:N0}", $"{f.DirectSeconds / f.ClusterSeconds:F2}");
        AnsiConsole.Write(time);
        var journal = new Table().Title("its SQLite journal afterwards (file = database + WAL: near its peak, freed pages are reused, not returned)");
        foreach (var column in new[] { "frames", "file bytes", "event rows", "event bytes", "snapshot bytes", "sharding bytes" })
            journal.AddColumn(new TableColumn(column).RightAligned());
        foreach (var f in footprints)
        {
            var j = f.Journal;
            journal.AddRow($"{f.Frames:N0}", $"{j.FileBytes:N0}", $"{j.Events.Rows:N0}", $"{j.Events.PayloadBytes:N0}",
                $"{j.Table("snapshot").PayloadBytes:N0}", $"{j.Table("sharding_journal").PayloadBytes + j.Table("sharding_snapshot").PayloadBytes:N0}");
        }
        AnsiConsole.Write(journal);
    }
}
