using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using Spectre.Console.Cli;
using XcsCt.Domain.Detector;

namespace XcsCt.Host.Commands;

/// <summary>
/// <c>xcsct bench</c>: speed of the frame-correction kernel (ANALYSIS section 3, cluster mode, full
/// chain with offsets and threshold) on synthetic 80 x 80 frames at 1, 2 and 5 % occupancy, on one
/// thread and on all threads, against a memory-read baseline over the same buffer, and as a multiple
/// of one detector's 9.1 kHz frame rate.
/// </summary>
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

        public override ValidationResult Validate() =>
            Frames < 64 ? ValidationResult.Error($"--frames {Frames}: at least 64 frames are needed")
            : Threads is < 1 ? ValidationResult.Error($"--threads {Threads}: at least 1 thread is needed")
            : !(Seconds > 0 && Seconds <= 60) ? ValidationResult.Error($"--seconds {Seconds}: must be in (0, 60]")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
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
            var before = bench.Baseline(minimum);
            var one = bench.SingleThread(minimum);
            var events = bench.EventsPerPass;
            var all = bench.Parallel(threads, minimum);
            var baseline = Best(before, bench.Baseline(minimum)); // before and after: one disturbed window does not decide the ratio
            results.Add(OccupancyResult.From(occupancy, bench, events, baseline, one, all));
        }

        var report = new BenchReport(results.Single(r => r.Occupancy == 0.02), results, settings.Frames, threads,
            Environment.ProcessorCount, FrameKernel.VectorBits == 0 ? "scalar" : $"{FrameKernel.VectorBits}-bit SIMD");
        if (settings.Json) Console.WriteLine(JsonSerializer.Serialize(report, JsonOptions));
        else PrintTable(report);
        return 0;
    }

    private static BenchmarkRate Best(BenchmarkRate a, BenchmarkRate b) => new(
        Math.Max(a.FramesPerSecond, b.FramesPerSecond),
        Math.Max(a.MedianFramesPerSecond, b.MedianFramesPerSecond),
        Math.Max(a.FramesPerCpuSecond, b.FramesPerCpuSecond),
        a.FramesPerCpuSecond >= b.FramesPerCpuSecond ? a.CpuShare : b.CpuShare,
        a.Passes + b.Passes);

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
