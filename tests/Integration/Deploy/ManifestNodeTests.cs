using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XcsCt.Host.Serve;

namespace XcsCt.Integration.Deploy;

/// <summary>
/// One node started in this process from the image's settings (paths and ports moved to a scratch
/// directory and free loopback ports), built with <c>--build-arg APP_VERSION=</c><see cref="AppVersion"/>.
/// </summary>
public sealed class ManifestNodeFixture : IAsyncLifetime
{
    public const string AppVersion = "7.8.9-rc1";

    private readonly string _root = Directory.CreateTempSubdirectory("xcsct-image-node-").FullName;

    public WebApplication App { get; private set; } = null!;

    public ServeOptions Options { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public ActorSystem System => App.Services.GetRequiredService<ActorSystem>();

    public async Task InitializeAsync()
    {
        var env = DockerfileTests.ImageEnvironment(new Dictionary<string, string> { ["APP_VERSION"] = AppVersion });
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        env["XCSCT__HTTP__URL"] = $"http://127.0.0.1:{FreePort()}";
        env["XCSCT__NODE__PORT"] = "0";
        env["XCSCT__DATADIRECTORY"] = data;
        env["XCSCT__DATAROOTS__0"] = data;
        env["XCSCT__JOURNAL__CONNECTIONSTRING"] = $"Data Source={Path.Combine(_root, "journal", "xcsct.db")};Default Timeout=60";
        Options = ManifestSettings.Bind(env, "image settings moved to a scratch directory").Validated();
        App = ServeHost.Build(Options, logging => logging.SetMinimumLevel(LogLevel.Warning));
        await App.StartAsync();
        Http.BaseAddress = Options.HttpUri;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await Http.GetAsync(ServeHost.ReadyPath);
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException e) { last = e.Message; }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the node did not become ready within 2 minutes: {last}");
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>
/// What the image and the manifests promise about a running node: the build argument reaches the
/// cluster's app-version, the image's healthcheck asks liveness, liveness does not depend on the
/// journal (a node without its database is not ready, not restarted), and the time a pod or
/// container is given to stop covers the node's coordinated shutdown.
/// </summary>
[Collection(DockerfileRunCollection.Name)]
public sealed class ManifestNodeTests(ManifestNodeFixture node) : IClassFixture<ManifestNodeFixture>
{
    [Fact]
    public void App_version_build_argument_is_the_cluster_members_app_version()
    {
        var self = Akka.Cluster.Cluster.Get(node.System).SelfMember;
        Assert.Equal(Akka.Util.AppVersion.Create(ManifestNodeFixture.AppVersion), self.AppVersion);
        Assert.Equal(Akka.Cluster.MemberStatus.Up, self.Status);
    }

    [Fact]
    public async Task Image_healthcheck_passes_on_a_live_node_and_fails_without_one()
    {
        var script = Path.Combine(ManifestPaths.Docker, "healthcheck.sh");
        var live = await DockerfileProcess.RunAsync("bash", [script], ManifestPaths.Root, TimeSpan.FromSeconds(30),
            new Dictionary<string, string> { ["XCSCT__HTTP__URL"] = node.Options.Http.Url });
        Assert.True(live.ExitCode == 0, $"healthcheck against the live node: exit {live.ExitCode}: {live.Output}");
        var nobody = await DockerfileProcess.RunAsync("bash", [script], ManifestPaths.Root, TimeSpan.FromSeconds(30),
            new Dictionary<string, string> { ["XCSCT__HTTP__URL"] = $"http://0.0.0.0:{ManifestNodeFixture.FreePort()}" });
        Assert.NotEqual(0, nobody.ExitCode);
    }

    [Fact]
    public async Task Liveness_does_not_depend_on_the_journal_and_readiness_does()
    {
        var live = await Checks(ServeHost.LivePath);
        var ready = await Checks(ServeHost.ReadyPath);
        Assert.NotEmpty(live);
        Assert.DoesNotContain(live, c => c.Contains("journal", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(ready, c => c.Contains("journal", StringComparison.OrdinalIgnoreCase));
        Assert.True(ready.Count > live.Count, $"readiness ({string.Join(", ", ready)}) adds cluster membership and the journal to liveness ({string.Join(", ", live)})");
    }

    [Fact]
    public void Time_given_to_stop_covers_coordinated_shutdown()
    {
        var akka = Akka.Actor.CoordinatedShutdown.Get(node.System).TotalTimeout;
        var host = node.App.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
        var needed = TimeSpan.FromTicks(Math.Max(akka.Ticks, host.Ticks)) + TimeSpan.FromSeconds(10);
        foreach (var overlay in KustomizeRender.Overlays)
        {
            var grace = KustomizeRender.Of(overlay).Node.Spec.Template.Spec.TerminationGracePeriodSeconds;
            Assert.True(grace >= needed.TotalSeconds,
                $"k8s/overlays/{overlay}: terminationGracePeriodSeconds {grace} s is less than the node's shutdown ({akka.TotalSeconds} s coordinated shutdown, {host.TotalSeconds} s host) plus 10 s");
        }
        var compose = DockerCompose.Load(Path.Combine(ManifestPaths.Docker, "compose.yaml"), new Dictionary<string, string> { ["XCSCT_TOKEN"] = "x" });
        foreach (var (name, service) in compose.Services.Where(s => s.Value.ContainsKey("build")))
        {
            var period = Regex.Match((string)service["stop_grace_period"], @"^(\d+)s$");
            Assert.True(period.Success && int.Parse(period.Groups[1].Value) >= needed.TotalSeconds,
                $"docker/compose.yaml {name}: stop_grace_period {service["stop_grace_period"]} is less than {needed.TotalSeconds} s");
        }
        var readme = File.ReadAllText(Path.Combine(ManifestPaths.Root, "README.md"));
        var stop = Regex.Match(readme, @"docker stop -t (\d+)");
        Assert.True(stop.Success && int.Parse(stop.Groups[1].Value) >= needed.TotalSeconds, $"README.md: `docker stop -t N` with N >= {needed.TotalSeconds}");
    }

    private async Task<List<string>> Checks(string path)
    {
        using var response = await node.Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToList();
    }
}
