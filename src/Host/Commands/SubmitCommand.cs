using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using XcsCt.Domain;
using XcsCt.Host.Api;
using XcsCt.Host.Client;
using XcsCt.Host.Serve;

namespace XcsCt.Host.Commands;

/// <summary>
/// <c>xcsct submit MANIFEST... [--wait]</c>: sends manifests to a node; with <c>--wait</c>, follows
/// every scan with a progress bar until the experiments stop. Exit code 1 when one did not complete.
/// </summary>
public sealed class SubmitCommand : AsyncCommand<SubmitCommand.Settings>
{
    public sealed class Settings : NodeCommandSettings
    {
        [CommandArgument(0, "<MANIFEST>"), Description("Manifest files (YAML or JSON); relative paths in them resolve against their directory, which must lie inside the node's data roots.")]
        public string[] Manifests { get; init; } = [];

        [CommandOption("--wait"), Description("Follow the experiments until they stop, with a progress bar per scan.")]
        public bool Wait { get; init; }

        [CommandOption("--replace"), Description("Replace an experiment of the same id (otherwise: 409 conflict).")]
        public bool Replace { get; init; }

        [CommandOption("--poll <SECONDS>"), Description("Seconds between status requests while waiting (default 1).")]
        [DefaultValue(1.0)]
        public double Poll { get; init; } = 1.0;

        public override ValidationResult Validate() =>
            Manifests.Length == 0 ? ValidationResult.Error("give at least one manifest file")
            : !(Poll is >= 0.05 and <= 60) ? ValidationResult.Error($"--poll {Poll}: must be between 0.05 and 60 s")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.Client();
        var accepted = new List<Accepted>();
        foreach (var manifest in settings.Manifests)
        {
            string path = Path.GetFullPath(manifest);
            if (!File.Exists(path)) throw new InputException($"manifest {manifest}: not found");
            string text = await File.ReadAllTextAsync(path, cancellationToken);
            var a = await client.SubmitAsync(text, Path.GetDirectoryName(path), settings.Replace,
                path.EndsWith(".json", StringComparison.OrdinalIgnoreCase), cancellationToken);
            accepted.Add(a);
            if (!settings.Json)
                AnsiConsole.MarkupLine($"submitted [bold]{Markup.Escape(a.Id)}[/] (run {a.Run}): {a.Experiment.Scans.Count} scans, {ClientOutput.State(a.State)} on {Markup.Escape(client.Node.ToString())}");
        }
        if (!settings.Wait)
        {
            if (settings.Json) ClientOutput.Json(accepted);
            return 0;
        }

        var ids = accepted.Select(a => a.Id).Distinct().ToArray();
        var poll = TimeSpan.FromSeconds(settings.Poll);
        IReadOnlyList<ExperimentView> final = !settings.Json && AnsiConsole.Profile.Capabilities.Interactive
            ? await WaitWithBarsAsync(client, ids, poll, cancellationToken)
            : await WaitWithLinesAsync(client, ids, poll, quiet: settings.Json, cancellationToken);
        if (settings.Json) ClientOutput.Json(final);
        else foreach (var e in final) ClientOutput.Experiment(e);
        return final.All(e => e.State == ExperimentState.Completed) ? 0 : 1;
    }

    private static async Task<IReadOnlyList<ExperimentView>> WaitWithBarsAsync(NodeClient client, string[] ids, TimeSpan poll, CancellationToken ct)
    {
        IReadOnlyList<ExperimentView> views = [];
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var tasks = new Dictionary<(string, string), ProgressTask>();
                while (true)
                {
                    views = await Task.WhenAll(ids.Select(id => client.GetAsync(id, ct)));
                    foreach (var e in views)
                        foreach (var s in e.Scans)
                        {
                            if (!tasks.TryGetValue((e.Id, s.Id), out var task))
                                tasks[(e.Id, s.Id)] = task = ctx.AddTask(Markup.Escape($"{e.Id}/{s.Id}"), maxValue: 1.0);
                            task.Value = s.Progress;
                            task.Description = $"{Markup.Escape($"{e.Id}/{s.Id}")} {ClientOutput.State(s.State)}";
                            if (s.State is ScanState.Done or ScanState.Failed or ScanState.Cancelled) task.StopTask();
                        }
                    if (views.All(v => v.IsFinished)) return;
                    await Task.Delay(poll, ct);
                }
            });
        return views;
    }

    private static async Task<IReadOnlyList<ExperimentView>> WaitWithLinesAsync(NodeClient client, string[] ids, TimeSpan poll, bool quiet, CancellationToken ct)
    {
        var seen = new Dictionary<(string, string), ScanState>();
        while (true)
        {
            var views = await Task.WhenAll(ids.Select(id => client.GetAsync(id, ct)));
            foreach (var e in views)
                foreach (var s in e.Scans)
                    if (!seen.TryGetValue((e.Id, s.Id), out var last) || last != s.State)
                    {
                        seen[(e.Id, s.Id)] = s.State;
                        if (!quiet) Console.Error.WriteLine($"{e.Id}/{s.Id}: {s.State.ToString().ToLowerInvariant()}{(s.Error is null ? "" : ": " + s.Error)}");
                    }
            if (views.All(v => v.IsFinished)) return views;
            await Task.Delay(poll, ct);
        }
    }
}
