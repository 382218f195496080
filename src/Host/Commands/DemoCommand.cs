using System.ComponentModel;
using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Cli;
using XcsCt.Domain;
using XcsCt.Domain.Pipeline;
using XcsCt.Domain.Simulation;

namespace XcsCt.Host.Commands;

/// <summary>
/// <c>xcsct demo</c>: simulates a small operando series of a coin cell, processes it end to end and
/// compares every component EMF with the simulation's truth. The README's first command.
/// </summary>
public sealed class DemoCommand : AsyncCommand<DemoCommand.Settings>
{
    /// <summary>Frames of each reference run in the demo.</summary>
    public const long DemoReferenceFrames = 4096;

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>"), Description("Where the simulated data (sim/) and the results (results/) go (default ./xcsct-out/demo).")]
        [DefaultValue("xcsct-out/demo")]
        public string Out { get; init; } = "xcsct-out/demo";

        [CommandOption("--preset <NAME>"), Description("Coin cell: lib-nmc811 (default) or ssb-peo.")]
        [DefaultValue("lib-nmc811")]
        public string Preset { get; init; } = "lib-nmc811";

        [CommandOption("--scans <N>"), Description("Scans in the series (default 6: pristine, end of charge, rested, each at 2 heights; 6 or more give the lithium references).")]
        [DefaultValue(6)]
        public int Scans { get; init; } = 6;

        [CommandOption("--frames <F>"), Description("Frames per scan (default 13000; 12.8 kB each on disk).")]
        [DefaultValue(13_000L)]
        public long Frames { get; init; } = 13_000;

        [CommandOption("--seed <S>"), Description("Random seed (default 1).")]
        [DefaultValue(1UL)]
        public ulong Seed { get; init; } = 1;

        [CommandOption("--binning <K>"), Description("k x k binning of the EMF maps (default 4).")]
        [DefaultValue(4)]
        public int Binning { get; init; } = 4;

        [CommandOption("--direct"), Description("Process on the plain in-process pipeline instead of the embedded cluster.")]
        public bool Direct { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 132); // a log: do not wrap the table at 80
        var clock = Stopwatch.StartNew();
        string root = Path.GetFullPath(settings.Out);
        string simDir = Path.Combine(root, "sim"), resultsDir = Path.Combine(root, "results");
        if (File.Exists(root)) throw new InputException($"--out {settings.Out}: is a file, not a directory");

        // The demo owns its folder: a previous demo's journal and results are replaced with its data.
        foreach (var old in new[] { Path.Combine(root, "data"), resultsDir })
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);

        AnsiConsole.MarkupLine($"[bold]Simulating[/] {settings.Scans} scans x {settings.Frames:N0} frames of a {Markup.Escape(settings.Preset)} coin cell (seed {settings.Seed})");
        // Reference runs of 4,096 frames (dark, empty holder, PTFE): the empty holder scatters 0.04 photons
        // per frame, so its noise stays negligible after scaling, and the demo writes and reads 160 MB less.
        var options = new SimulationOptions(settings.Preset, settings.Scans, settings.Frames, settings.Seed)
        {
            Xct = false,
            ReferenceFrames = Math.Min(settings.Frames, DemoReferenceFrames),
        };
        // The demo owns its folder: a previous demo's data is replaced.
        var sim = ExperimentSimulator.Write(simDir, options, force: true,
            new Progress<string>(line => AnsiConsole.MarkupLine($"  [grey]{Markup.Escape(line)}[/]")));
        AnsiConsole.MarkupLine($"  simulated in {clock.Elapsed.TotalSeconds:F1} s: [blue]{Markup.Escape(sim.Manifest)}[/]");

        // A short demo has a few hundred counts per pixel: 4 x 4 binning (1 mm blocks) gives every
        // block of the cell an EMF; the component EMFs sum their pixels whatever the binning.
        var plan = ManifestPlan.Load(sim.Manifest);
        plan = plan with { Analysis = plan.Analysis with { Binning = settings.Binning } };
        var outcome = await ProcessRunner.RunAsync(plan, resultsDir, settings.Direct, null, cancellationToken, Path.Combine(root, "data"));
        PrintComparison(sim, outcome);
        AnsiConsole.MarkupLine($"Done in {clock.Elapsed.TotalSeconds:F1} s.");
        AnsiConsole.MarkupLine($"  results (result.nxs, spectrum.png, profile.png, emf_map.png, summary.json per scan): [blue]{Markup.Escape(outcome.Directory)}[/]");
        AnsiConsole.MarkupLine($"  series: [blue]{Markup.Escape(Path.Combine(outcome.Directory, "series.csv"))}[/], [blue]{Markup.Escape(Path.Combine(outcome.Directory, ExperimentRunner.SeriesFigureName))}[/]");
        AnsiConsole.MarkupLine($"  simulated input and truth (truth.json, truth.nxs): [blue]{Markup.Escape(sim.Directory)}[/]");
        return 0;
    }

    /// <summary>
    /// Measured EMF against truth per scan and component, with the pull (EMF - truth) / sigma, and the
    /// calibrated lithium fraction where the component holds active material (elsewhere the two-reference
    /// calibration has no lithium to measure; summary.json still carries it).
    /// </summary>
    private static void PrintComparison(SimulatedExperiment sim, ExperimentOutcome outcome)
    {
        var table = new Table().Title("[bold]EMF: measured vs simulated truth[/]");
        foreach (var (name, right) in new[] { ("scan", false), ("t (h)", true), ("z (mm)", true), ("region", false), ("EMF ± sigma", true),
                     ("truth", true), ("pull", true), ("Li x ± sigma", true), ("true x", true) })
        {
            var column = new TableColumn(name).NoWrap();
            table.AddColumn(right ? column.RightAligned() : column);
        }
        var truthByScan = sim.Scans.ToDictionary(s => s.Plan.Id, s => s.Truth);
        foreach (var scan in outcome.Scans)
        {
            var truth = truthByScan[scan.Scan.Id];
            var s = scan.Summary;
            void Row(string region, double emf, double sigma, double t, (double, double)? li, double trueX, bool first)
            {
                string pull = double.IsFinite(emf) && sigma > 0 && double.IsFinite(t) ? ((emf - t) / sigma).ToString("+0.00;-0.00") : "";
                table.AddRow(first ? s.Scan : "", first ? (scan.Scan.TimeS / 3600).ToString("F1") : "",
                    first ? (scan.Scan.ZUm / 1000).ToString("F2") : "", Markup.Escape(region),
                    PlusMinus(emf, sigma, "F4"), Fmt(t, "F4"), pull,
                    li is { } l && double.IsFinite(trueX) ? PlusMinus(l.Item1, l.Item2, "F3") : "", Fmt(trueX, "F3"));
            }
            var g = s.LiFraction?.Global;
            Row("global", s.Emf.Value, s.Emf.Sigma, truth.GlobalEmf, g is { } gv ? (gv.Value, gv.Sigma) : null, double.NaN, true);
            foreach (var c in s.Components)
            {
                var li = s.LiFraction?.Components.FirstOrDefault(x => x.Name == c.Name);
                Row(c.Name, c.Value, c.Sigma, truth.ComponentEmf.GetValueOrDefault(c.Name, double.NaN),
                    li is null ? null : (li.Value, li.Sigma), truth.ComponentLithium.GetValueOrDefault(c.Name, double.NaN), false);
            }
        }
        AnsiConsole.Write(table);
    }

    private static string PlusMinus(double v, double sigma, string format) =>
        double.IsFinite(v) ? $"{v.ToString(format)} ± {sigma.ToString(format)}" : "n/a";

    private static string Fmt(double v, string format) => double.IsFinite(v) ? v.ToString(format) : "";
}
