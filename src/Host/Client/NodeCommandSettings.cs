using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using XcsCt.Host.Serve;

namespace XcsCt.Host.Client;

/// <summary>Flags every client command takes: which node, and JSON output for scripts.</summary>
public class NodeCommandSettings : CommandSettings
{
    [CommandOption("--node <URL>"), Description("Node HTTP URL (default http://127.0.0.1:5080). Token from XCSCT_TOKEN.")]
    public string? Node { get; init; }

    [CommandOption("--json"), Description("Print JSON instead of tables.")]
    public bool Json { get; init; }

    public NodeClient Client() => new(Node);
}

/// <summary>How the client commands print experiments for people.</summary>
public static class ClientOutput
{
    public static void Json<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, ApiJson.Options));

    public static string State(ExperimentState s) => Colour(s.ToString().ToLowerInvariant(), s switch
    {
        ExperimentState.Completed => "green",
        ExperimentState.Failed => "red",
        ExperimentState.Cancelled => "yellow",
        ExperimentState.Running => "blue",
        _ => "grey",
    });

    public static string State(ScanState s) => Colour(s.ToString().ToLowerInvariant(), s switch
    {
        ScanState.Done => "green",
        ScanState.Failed => "red",
        ScanState.Cancelled => "yellow",
        ScanState.Running => "blue",
        _ => "grey",
    });

    private static string Colour(string text, string colour) => $"[{colour}]{Markup.Escape(text)}[/]";

    public static void Experiments(IReadOnlyList<ExperimentView> list)
    {
        if (list.Count == 0)
        {
            AnsiConsole.MarkupLine("[grey]no experiments[/]");
            return;
        }
        var table = new Table().AddColumns("id", "state", "progress", "scans", "submitted", "error");
        foreach (var e in list)
            table.AddRow(Markup.Escape(e.Id), State(e.State), $"{e.Progress:P0}", $"{e.ScansDone}/{e.Scans.Count}",
                e.SubmittedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"), Markup.Escape(e.Error ?? ""));
        AnsiConsole.Write(table);
    }

    public static void Experiment(ExperimentView e)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(e.Id)}[/] {State(e.State)} {e.Progress:P0} (run {e.Run} on {Markup.Escape(e.Node)})");
        if (e.Error is not null) AnsiConsole.MarkupLine($"  [red]{Markup.Escape(e.Error)}[/]");
        var table = new Table().AddColumns("scan", "t (h)", "z (mm)", "state", "progress", "frames", "error");
        foreach (var s in e.Scans)
            table.AddRow(Markup.Escape(s.Id), (s.TimeS / 3600).ToString("F2"), (s.ZUm / 1000).ToString("F2"), State(s.State),
                $"{s.Progress:P0}", $"{s.FramesDone:N0}/{s.FramesTotal:N0}", Markup.Escape(s.Error ?? ""));
        AnsiConsole.Write(table);
    }
}
