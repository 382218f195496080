using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using XcsCt.Actors.Experiments;
using XcsCt.Actors.Hosting;
using XcsCt.Actors.Scans;
using XcsCt.Actors.Workers;

namespace XcsCt.Actors.Client;

/// <summary>
/// One node of the cluster in this process (a one-node cluster when no seeds are given): the
/// host the CLI's <c>process</c> and <c>demo</c> run on, and what tests start several of.
/// Dispose leaves the cluster gracefully (shards handed off).
/// </summary>
public sealed class EmbeddedCluster : IAsyncDisposable
{
    private readonly IHost _host;

    private EmbeddedCluster(IHost host, ActorSystem system, ScanClient client)
    {
        (_host, System, Client) = (host, system, client);
    }

    public ActorSystem System { get; }
    public ScanClient Client { get; }
    public Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>Starts the node and waits until it is an Up member of the cluster.</summary>
    /// <param name="computer">Batch computation; default the Domain frame chain.</param>
    /// <param name="planner">Frame counting; default the Domain frame sources.</param>
    /// <param name="configure">Extra Akka.Hosting configuration (logging, test plugins).</param>
    public static async Task<EmbeddedCluster> StartAsync(XcsClusterOptions options, IBatchComputer? computer = null, IScanPlanner? planner = null,
        Action<AkkaConfigurationBuilder>? configure = null, TimeSpan? joinTimeout = null, CancellationToken cancellationToken = default)
    {
        var domain = new DomainBatchComputer();
        var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka(XcsClusterHosting.SystemName, builder =>
            {
                builder.ConfigureLoggers(l => l.LogLevel = Akka.Event.LogLevel.WarningLevel);
                builder.AddXcsCluster(options, computer ?? domain, planner ?? domain);
                configure?.Invoke(builder);
            }))
            .Build();
        await host.StartAsync(cancellationToken);
        var system = host.Services.GetRequiredService<ActorSystem>();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        try
        {
            await up.Task.WaitAsync(joinTimeout ?? TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
            throw;
        }
        var registry = ActorRegistry.For(system);
        var client = new ScanClient(system, registry.Get<ExperimentRegion>(), registry.Get<ScanRegion>(), options);
        return new EmbeddedCluster(host, system, client);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }
}
