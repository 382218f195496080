using System.ComponentModel;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Spectre.Console.Cli;
using XcsCt.Domain;
using XcsCt.Host.Serve;

namespace XcsCt.Host.Commands;

/// <summary>
/// <c>xcsct serve</c>: one node of the cluster with the HTTP API and the dashboard. Settings come
/// from appsettings.json (beside the program, section <c>Xcsct</c>), an optional <c>--config</c> file,
/// environment variables (<c>XCSCT__HTTP__URL</c>, <c>XCSCT__TOKEN</c>, ...), then these flags.
/// </summary>
public sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--config <FILE>"), Description("Extra settings file (JSON, same layout as appsettings.json).")]
        public string? Config { get; init; }

        [CommandOption("--url <URL>"), Description("HTTP URL to listen on (default http://127.0.0.1:5080). Not loopback: a token is required.")]
        public string? Url { get; init; }

        [CommandOption("--token <TOKEN>"), Description("Bearer token for mutating calls (16+ characters; better: XCSCT__TOKEN).")]
        public string? Token { get; init; }

        [CommandOption("--host <HOST>"), Description("Akka remoting host name of this node (default 127.0.0.1).")]
        public string? Host { get; init; }

        [CommandOption("--port <PORT>"), Description("Akka remoting port (default 0: any free port).")]
        public int? Port { get; init; }

        [CommandOption("--seed <ADDRESS>"), Description("Seed node akka.tcp://xcsct@host:port; repeat. None: this node forms a cluster.")]
        public string[] Seeds { get; init; } = [];

        [CommandOption("--discovery <MODE>"), Description("none (seeds) or kubernetes (cluster bootstrap through the Kubernetes API).")]
        public string? Discovery { get; init; }

        [CommandOption("--data <DIR>"), Description("Data directory: journal (SQLite), job files, experiment records (default ./xcsct-data).")]
        public string? Data { get; init; }

        [CommandOption("--out <DIR>"), Description("Where experiment outputs are written (default DATA/output).")]
        public string? Out { get; init; }

        [CommandOption("--data-root <DIR>"), Description("Directory manifests and their files must lie in; repeat (default: the working directory).")]
        public string[] DataRoots { get; init; } = [];

        [CommandOption("--journal <CONNECTION>"), Description("PostgreSQL connection string (journal provider postgresql); default: SQLite under DATA.")]
        public string? Journal { get; init; }

        [CommandOption("--runner <KIND>"), Description("cluster (default: batches over the cluster) or direct (in this process).")]
        public string? Runner { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = Load(settings);
        await using var app = ServeHost.Build(options);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var self = Akka.Cluster.Cluster.Get(app.Services.GetRequiredService<Akka.Actor.ActorSystem>()).SelfAddress;
            Console.Error.WriteLine($"xcsct serve: http {string.Join(", ", addresses)} | node {self} | runner {options.Runner.ToString().ToLowerInvariant()} | data {options.FullDataDirectory}");
        });
        var metrics = app.Services.GetRequiredService<ServeMetrics>();
        await app.RunAsync(cancellationToken);
        Console.Error.WriteLine($"xcsct serve: stopped | this node's workers computed {metrics.WorkerBatchesTotal} batches ({metrics.WorkerFramesTotal} frames)");
        return 0;
    }

    /// <summary>appsettings.json, then --config, then environment, then flags.</summary>
    public static ServeOptions Load(Settings s)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        if (s.Config is not null)
        {
            string path = Path.GetFullPath(s.Config);
            if (!File.Exists(path)) throw new InputException($"--config {s.Config}: not found");
            builder.AddJsonFile(path, optional: false);
        }
        var configuration = builder.AddEnvironmentVariables().Build();
        var options = new ServeOptions();
        try
        {
            configuration.GetSection(ServeOptions.Section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new InputException($"settings: {e.Message}", e);
        }
        if (s.Url is not null) options.Http.Url = s.Url;
        if (s.Token is not null) options.Token = s.Token;
        if (s.Host is not null) options.Node.Hostname = s.Host;
        if (s.Port is { } port) options.Node.Port = port;
        if (s.Seeds.Length > 0) options.Node.Seeds = [.. s.Seeds];
        if (s.Discovery is not null) options.Node.Discovery = s.Discovery;
        if (s.Data is not null) options.DataDirectory = s.Data;
        if (s.Out is not null) options.OutputDirectory = s.Out;
        if (s.DataRoots.Length > 0) options.DataRoots = [.. s.DataRoots];
        if (s.Journal is not null)
        {
            options.Journal.Provider = "postgresql";
            options.Journal.ConnectionString = s.Journal;
        }
        if (s.Runner is not null)
            options.Runner = s.Runner switch
            {
                "cluster" => RunnerKind.Cluster,
                "direct" => RunnerKind.Direct,
                _ => throw new InputException($"--runner {s.Runner}: expected cluster or direct"),
            };
        return options.Validated();
    }
}
