using System.ComponentModel;
using Spectre.Console.Cli;
using XcsCt.Host.Client;

namespace XcsCt.Host.Commands;

/// <summary><c>xcsct status [ID]</c>: every experiment of a node, or one with its scans.</summary>
public sealed class StatusCommand : AsyncCommand<StatusCommand.Settings>
{
    public sealed class Settings : NodeCommandSettings
    {
        [CommandArgument(0, "[ID]"), Description("Experiment id; none: all experiments.")]
        public string? Id { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var client = settings.Client();
        if (settings.Id is null)
        {
            var list = await client.ListAsync(cancellationToken);
            if (settings.Json) ClientOutput.Json(list);
            else ClientOutput.Experiments(list);
            return 0;
        }
        var e = await client.GetAsync(settings.Id, cancellationToken);
        if (settings.Json) ClientOutput.Json(e);
        else ClientOutput.Experiment(e);
        return 0;
    }
}
