using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using XcsCt.Host.Client;

namespace XcsCt.Host.Commands;

/// <summary>
/// <c>xcsct cluster members | leave ADDRESS | down ADDRESS | shards</c>: what Petabridge.Cmd's
/// cluster and sharding commands give, through a node's HTTP API.
/// </summary>
public static class ClusterCommand
{
    public static void Configure(IConfigurator<CommandSettings> cluster)
    {
        cluster.SetDescription("Operate the cluster: members, leave, down, shards.");
        cluster.AddCommand<Members>("members").WithDescription("List the cluster's members.");
        cluster.AddCommand<Leave>("leave").WithDescription("A member leaves gracefully (its shards are handed off).");
        cluster.AddCommand<Down>("down").WithDescription("Mark a member down (a node that is gone for good).");
        cluster.AddCommand<Shards>("shards").WithDescription("Shards and entities per node, per entity type.");
    }

    public sealed class AddressSettings : NodeCommandSettings
    {
        [CommandArgument(0, "<ADDRESS>"), Description("Member address, akka.tcp://xcsct@host:port (see cluster members).")]
        public string Address { get; init; } = "";
    }

    public sealed class Members : AsyncCommand<NodeCommandSettings>
    {
        public override async Task<int> ExecuteAsync(CommandContext context, NodeCommandSettings settings, CancellationToken cancellationToken)
        {
            using var client = settings.Client();
            var members = await client.MembersAsync(cancellationToken);
            if (settings.Json)
            {
                ClientOutput.Json(members);
                return 0;
            }
            var table = new Table().AddColumn(new TableColumn("address").NoWrap()).AddColumns("status", "");
            foreach (var m in members)
            {
                var notes = new List<string>();
                if (m.Leader) notes.Add("leader");
                if (m.Self) notes.Add("this node");
                if (m.Roles.Count > 0) notes.Add("roles " + string.Join(",", m.Roles));
                if (!string.IsNullOrEmpty(m.AppVersion)) notes.Add("version " + m.AppVersion);
                table.AddRow(Markup.Escape(m.Address), Markup.Escape(m.Status) + (m.Reachable ? "" : " [red]unreachable[/]"), Markup.Escape(string.Join(", ", notes)));
            }
            AnsiConsole.Write(table);
            return 0;
        }
    }

    public sealed class Leave : AsyncCommand<AddressSettings>
    {
        public override async Task<int> ExecuteAsync(CommandContext context, AddressSettings settings, CancellationToken cancellationToken)
        {
            using var client = settings.Client();
            var m = await client.LeaveAsync(settings.Address, cancellationToken);
            if (settings.Json) ClientOutput.Json(m);
            else AnsiConsole.MarkupLine($"{Markup.Escape(m.Address)}: leaving");
            return 0;
        }
    }

    public sealed class Down : AsyncCommand<AddressSettings>
    {
        public override async Task<int> ExecuteAsync(CommandContext context, AddressSettings settings, CancellationToken cancellationToken)
        {
            using var client = settings.Client();
            var m = await client.DownAsync(settings.Address, cancellationToken);
            if (settings.Json) ClientOutput.Json(m);
            else AnsiConsole.MarkupLine($"{Markup.Escape(m.Address)}: marked down");
            return 0;
        }
    }

    public sealed class Shards : AsyncCommand<NodeCommandSettings>
    {
        public override async Task<int> ExecuteAsync(CommandContext context, NodeCommandSettings settings, CancellationToken cancellationToken)
        {
            using var client = settings.Client();
            var regions = await client.ShardsAsync(cancellationToken);
            if (settings.Json)
            {
                ClientOutput.Json(regions);
                return 0;
            }
            var table = new Table().AddColumn("entity type").AddColumn(new TableColumn("node").NoWrap()).AddColumns("shards", "entities");
            foreach (var r in regions)
            {
                if (r.Nodes.Count == 0) table.AddRow(Markup.Escape(r.TypeName), "[grey]no shards allocated[/]", "0", "0");
                foreach (var n in r.Nodes)
                    table.AddRow(Markup.Escape(r.TypeName), Markup.Escape(n.Address), n.Shards.ToString(), n.Entities.ToString("N0"));
                if (r.Unreachable.Count > 0)
                    table.AddRow(Markup.Escape(r.TypeName), "[red]shards not answering[/]", Markup.Escape(string.Join(",", r.Unreachable)), "");
            }
            AnsiConsole.Write(table);
            return 0;
        }
    }
}
