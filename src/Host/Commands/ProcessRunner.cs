using Spectre.Console;
using XcsCt.Actors.Client;
using XcsCt.Actors.Hosting;
using XcsCt.Domain.Formats.Output;
using XcsCt.Domain.Pipeline;

namespace XcsCt.Host.Commands;

/// <summary>Runs an experiment plan with a progress display: a bar per job when the terminal is interactive, a line per job otherwise.</summary>
internal static class ProcessRunner
{
    /// <summary>
    /// Runs the plan on the embedded one-node cluster (SQLite journal under <paramref name="dataDirectory"/>),
    /// or with <paramref name="direct"/> on the plain in-process pipeline. Both give bit-identical spectra.
    /// Re-running the same command after a crash resumes: batches already durable are not computed again.
    /// </summary>
    public static async Task<ExperimentOutcome> RunAsync(ExperimentPlan plan, string outRoot, bool direct, int? threads,
        CancellationToken cancellationToken, string dataDirectory = DefaultDataDirectory)
    {
        if (direct)
            return await WithProgress(plan, outRoot,
                (job, progress, ct) => Task.Run(() => DirectScanRunner.Run(job, progress, ct, threads), ct), cancellationToken);
        var options = new XcsClusterOptions
        {
            DataDirectory = dataDirectory,
            MaxBatchesInFlight = Math.Max(1, threads ?? Environment.ProcessorCount),
        };
        await using var cluster = await EmbeddedCluster.StartAsync(options.Validated());
        return await WithProgress(plan, outRoot, async (job, progress, ct) =>
        {
            var result = await cluster.Client.RunAsync(job, progress, ct);
            if (result.BatchesResumed > 0)
                Console.Error.WriteLine($"{job.Experiment}/{job.Scan}: resumed: {result.BatchesResumed} of {result.BatchesTotal} batches already durable");
            return result.Spectra;
        }, cancellationToken);
    }

    /// <summary>Default data directory of the embedded cluster (journal, snapshots, job files).</summary>
    public const string DefaultDataDirectory = "xcsct-data";

    private static async Task<ExperimentOutcome> WithProgress(ExperimentPlan plan, string outRoot, SpectraRunner runner, CancellationToken cancellationToken)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return await ExperimentRunner.RunAsync(plan, outRoot, runner, new LineObserver(), cancellationToken);
        ExperimentOutcome? outcome = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                outcome = await ExperimentRunner.RunAsync(plan, outRoot, runner, new BarObserver(ctx), cancellationToken);
            });
        return outcome!;
    }

    private sealed class BarObserver(ProgressContext ctx) : IExperimentObserver
    {
        public IProgress<ScanProgress> Starting(string job, string description)
        {
            var task = ctx.AddTask(Markup.Escape(description), maxValue: 1.0);
            return new Progress<ScanProgress>(p => task.Value = p.Fraction);
        }

        public void Written(ScanOutcome outcome) { }
    }

    private sealed class LineObserver : IExperimentObserver
    {
        public IProgress<ScanProgress>? Starting(string job, string description)
        {
            Console.Error.WriteLine($"processing {description}");
            return null;
        }

        public void Written(ScanOutcome outcome) =>
            Console.Error.WriteLine($"  wrote {outcome.Directory}");
    }
}

/// <summary>Prints what a run produced: a table per scan (or JSON for scripts).</summary>
internal static class ProcessReport
{
    public static void Print(ExperimentOutcome outcome, bool json)
    {
        if (json)
        {
            Console.Out.Write('[');
            for (int i = 0; i < outcome.Scans.Count; i++)
            {
                if (i > 0) Console.Out.Write(',');
                Console.Out.Write(SummaryJson.ToJson(outcome.Scans[i].Summary));
            }
            Console.Out.WriteLine(']');
            return;
        }
        var table = new Table().Title($"[bold]{Markup.Escape(outcome.Directory)}[/]")
            .AddColumns("scan", "frames", "events kept", "peak keV", "region", "EMF", "sigma", "x", "x sigma");
        foreach (var s in outcome.Scans)
        {
            var sum = s.Summary;
            string F(double v, string f) => double.IsFinite(v) ? v.ToString(f) : "n/a";
            string N(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("F3") : "";
            table.AddRow(sum.Scan, sum.Frames.ToString("N0"), sum.Events.Kept.ToString("N0"), F(sum.ComptonPeakKeV, "F3"),
                "global", F(sum.Emf.Value, "F4"), F(sum.Emf.Sigma, "F4"), N(sum.LiFraction?.Global?.Value), N(sum.LiFraction?.Global?.Sigma));
            foreach (var c in sum.Components)
            {
                var li = sum.LiFraction?.Components.FirstOrDefault(l => l.Name == c.Name);
                table.AddRow("", "", "", "", Markup.Escape(c.Name), F(c.Value, "F4"), F(c.Sigma, "F4"), N(li?.Value), N(li?.Sigma));
            }
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"series: [blue]{Markup.Escape(Path.Combine(outcome.Directory, SeriesFiles.CsvName))}[/], figures and result.nxs per scan under [blue]{Markup.Escape(outcome.Directory)}[/]");
    }
}
