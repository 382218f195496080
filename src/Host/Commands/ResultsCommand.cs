using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using XcsCt.Domain;
using XcsCt.Host.Api;
using XcsCt.Host.Client;
using XcsCt.Host.Serve;

namespace XcsCt.Host.Commands;

/// <summary>
/// <c>xcsct results ID --out DIR</c>: downloads an experiment's outputs into the same layout the
/// node writes (<c>DIR/&lt;id&gt;/&lt;scan&gt;/...</c>, <c>DIR/&lt;id&gt;/series.*</c>). Scans not written yet are
/// listed and skipped; exit code 1 when the experiment is not complete.
/// </summary>
public sealed class ResultsCommand : AsyncCommand<ResultsCommand.Settings>
{
    public sealed class Settings : NodeCommandSettings
    {
        [CommandArgument(0, "<ID>"), Description("Experiment id.")]
        public string Id { get; init; } = "";

        [CommandOption("--out <DIR>"), Description("Where to put the files (default: the working directory).")]
        [DefaultValue(".")]
        public string Out { get; init; } = ".";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.Client();
        var e = await client.GetAsync(settings.Id, cancellationToken);
        string root = Path.Combine(Path.GetFullPath(settings.Out), e.Id);
        if (File.Exists(Path.GetFullPath(settings.Out))) throw new InputException($"--out {settings.Out}: is a file, not a directory");
        var written = new List<string>();
        var missing = new List<string>();
        string id = Uri.EscapeDataString(e.Id);
        foreach (var scan in e.Scans)
        {
            if (scan.State != ScanState.Done)
            {
                missing.Add($"{scan.Id} ({scan.State.ToString().ToLowerInvariant()})");
                continue;
            }
            foreach (var name in ApiEndpoints.ScanFiles.Keys)
            {
                string path = Path.Combine(root, scan.Id, name);
                if (await client.DownloadAsync($"api/experiments/{id}/scans/{Uri.EscapeDataString(scan.Id)}/files/{name}", path, cancellationToken))
                    written.Add(path);
                else missing.Add($"{scan.Id}/{name}");
            }
        }
        if (e.SeriesWritten)
            foreach (var name in ApiEndpoints.ExperimentFiles.Keys)
            {
                string path = Path.Combine(root, name);
                if (await client.DownloadAsync($"api/experiments/{id}/files/{name}", path, cancellationToken)) written.Add(path);
                else missing.Add(name);
            }
        else missing.Add("series (not written yet)");

        if (settings.Json)
            ClientOutput.Json(new { e.Id, State = e.State, Directory = root, Files = written, Missing = missing });
        else
        {
            AnsiConsole.MarkupLine($"{written.Count} files of [bold]{Markup.Escape(e.Id)}[/] ({ClientOutput.State(e.State)}) in [blue]{Markup.Escape(root)}[/]");
            if (missing.Count > 0) AnsiConsole.MarkupLine($"[yellow]not there yet:[/] {Markup.Escape(string.Join(", ", missing))}");
        }
        return e.State == ExperimentState.Completed && missing.Count == 0 ? 0 : 1;
    }
}
