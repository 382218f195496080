using Akka.Cluster.Hosting;
using Akka.Discovery.KubernetesApi;
using Akka.Hosting;
using Akka.Management;
using Akka.Management.Cluster.Bootstrap;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;
using XcsCt.Actors.Hosting;
using XcsCt.Actors.Workers;
using XcsCt.Host.Api;

namespace XcsCt.Host.Serve;

/// <summary>
/// Composes one node: an Akka cluster member (the XcsCt regions and worker pool), the experiment
/// service, the HTTP API, the dashboard, health checks and Prometheus metrics.
/// </summary>
public static class ServeHost
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    /// <summary>Liveness endpoint: the actor system runs (a node that cannot reach its journal stays live).</summary>
    public const string LivePath = "/healthz/live";

    /// <summary>Readiness endpoint: the node is an Up cluster member and its journal answers.</summary>
    public const string ReadyPath = "/healthz/ready";

    /// <summary>Service name cluster bootstrap looks up (the headless Service of the Kubernetes manifests).</summary>
    public const string BootstrapServiceName = "xcsct";

    /// <summary>Name of the container port Kubernetes discovery reads the Akka.Management port from.</summary>
    public const string ManagementPortName = "management";

    /// <summary>Builds the node (not started). Throws <see cref="XcsCt.Domain.InputException"/> for an unsafe or invalid configuration.</summary>
    public static WebApplication Build(ServeOptions options, Action<ILoggingBuilder>? logging = null)
    {
        options.Validated();
        var cluster = options.ClusterOptions().Validated();
        Directory.CreateDirectory(options.FullDataDirectory);
        Directory.CreateDirectory(options.FullOutputDirectory);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(c => { c.SingleLine = true; c.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        logging?.Invoke(builder.Logging);

        builder.WebHost.UseUrls(options.Http.Url);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.Http.MaxBodyBytes;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(options.Http.HeadersTimeoutS);
            k.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(Math.Min(5, options.Http.HeadersTimeoutS)));
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(Math.Max(30, options.Http.HeadersTimeoutS));
        });

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(cluster);
        services.AddMetrics();
        services.AddSingleton<ServeMetrics>();
        services.AddSingleton<JournalHealth>();
        services.AddSingleton<IScanRunnerSource>(sp => options.Runner == RunnerKind.Direct
            ? new DirectScanRunners()
            : new ClusterScanRunners(sp, cluster));
        services.AddHealthChecks();
        services.AddAkka(XcsClusterHosting.SystemName, (akka, sp) =>
        {
            akka.ConfigureLoggers(l => l.LogLevel = Akka.Event.LogLevel.WarningLevel);
            var domain = new DomainBatchComputer();
            akka.AddXcsCluster(cluster, domain, domain)
                .WithActorSystemLivenessCheck(tags: [LiveTag, ReadyTag])
                .WithAkkaClusterReadinessCheck(tags: [ReadyTag])
                .AddJournalProbe(sp.GetRequiredService<ServeMetrics>(), sp.GetRequiredService<JournalHealth>(), TimeSpan.FromSeconds(options.JournalProbeIntervalS));
            if (!string.IsNullOrEmpty(options.Node.AppVersion))
                akka.AddHocon($"akka.cluster.app-version = \"{options.Node.AppVersion}\"", HoconAddMode.Prepend);
            if (options.Node.Discovery == "kubernetes")
            {
                akka.WithAkkaManagement(port: options.Node.ManagementPort)
                    .WithClusterBootstrap(serviceName: BootstrapServiceName, portName: ManagementPortName, requiredContactPoints: options.Node.RequiredContactPoints)
                    .WithKubernetesDiscovery(options.Node.KubernetesSelector);
            }
        });
        services.AddSingleton<ExperimentService>();
        services.AddSingleton<IExperimentService>(sp => sp.GetRequiredService<ExperimentService>());
        services.AddHostedService(sp => sp.GetRequiredService<ExperimentService>());
        services.AddSingleton(sp => new ClusterAdmin(sp.GetRequiredService<Akka.Actor.ActorSystem>()));
        services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(ServeMetrics.MeterName).AddPrometheusExporter());
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "xcsct node API";
            doc.Info.Description = "Submit and follow XCS-CT experiments, fetch results, and operate the cluster. Mutating calls need Authorization: Bearer <token> when the node has a token.";
            return Task.CompletedTask;
        }));
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(j =>
        {
            j.SerializerOptions.PropertyNamingPolicy = ApiJson.Options.PropertyNamingPolicy;
            j.SerializerOptions.NumberHandling = ApiJson.Options.NumberHandling;
            foreach (var c in ApiJson.Options.Converters) j.SerializerOptions.Converters.Add(c);
        });

        var app = builder.Build();
        app.MapOpenApi();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(LiveTag), ResponseWriter = WriteHealthAsync });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteHealthAsync });
        app.MapXcsApi();
        app.MapDashboard();
        return app;
    }

    /// <summary>Health as JSON: the overall status and each check's status and description.</summary>
    private static Task WriteHealthAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        var body = new
        {
            Status = report.Status.ToString().ToLowerInvariant(),
            Checks = report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new
            {
                Name = e.Key,
                Status = e.Value.Status.ToString().ToLowerInvariant(),
                e.Value.Description,
                Error = e.Value.Exception?.Message,
            }),
        };
        return http.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(body, ApiJson.Options));
    }
}
