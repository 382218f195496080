using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using XcsCt.Domain;
using XcsCt.Host.Api;
using XcsCt.Host.Serve;

namespace XcsCt.Host.Tests.Serve;

/// <summary>A real node (direct runner, token set) on a free loopback port, shared by the API tests.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public const string Token = "test-token-0123456789abcdef";

    public SimulatedRoot Sim { get; } = new();
    public ServeOptions Options { get; private set; } = null!;
    public WebApplication App { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Options = ServeTesting.Options(Sim.Root, Path.Combine(Sim.Root, "data"), ServeTesting.FreePort(), Token);
        App = ServeHost.Build(Options, l => l.SetMinimumLevel(LogLevel.Warning));
        await App.StartAsync();
        Http = new HttpClient { BaseAddress = Options.HttpUri };
    }

    public HttpRequestMessage Authorized(HttpMethod method, string path, HttpContent? content = null)
    {
        var r = new HttpRequestMessage(method, path) { Content = content };
        r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return r;
    }

    public async Task<HttpResponseMessage> SubmitAsync(string manifest, string? query = null, string mediaType = "application/yaml") =>
        await Http.SendAsync(Authorized(HttpMethod.Post, "/api/experiments?base=" + Uri.EscapeDataString(Sim.SimDirectory) + (query is null ? "" : "&" + query),
            new StringContent(manifest, Encoding.UTF8, mediaType)));

    public async Task<ExperimentView> WaitAsync(string id) =>
        await ServeTesting.Until(async () => (await Http.GetFromJsonAsync<ExperimentView>($"/api/experiments/{id}", ApiJson.Options))!, v => v.IsFinished);

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Sim.Dispose();
    }
}

public sealed class ApiTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private static async Task<ApiError> ErrorOf(HttpResponseMessage r) => (await r.Content.ReadFromJsonAsync<ApiError>(ApiJson.Options))!;

    [Fact]
    public async Task A_submitted_experiment_runs_and_its_summaries_figures_and_series_are_served()
    {
        var response = await node.SubmitAsync(node.Sim.WithId("api-run"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = (await response.Content.ReadFromJsonAsync<Accepted>(ApiJson.Options))!;
        Assert.Equal("api-run", accepted.Id);
        Assert.Equal("/api/experiments/api-run", response.Headers.Location?.OriginalString);

        var done = await node.WaitAsync("api-run");
        Assert.Equal(ExperimentState.Completed, done.State);
        Assert.Contains(await node.Http.GetFromJsonAsync<ExperimentView[]>("/api/experiments", ApiJson.Options) ?? [], v => v.Id == "api-run");

        using var summary = JsonDocument.Parse(await node.Http.GetStringAsync("/api/experiments/api-run/scans/s000"));
        Assert.Equal(500, summary.RootElement.GetProperty("frames").GetInt64());
        Assert.Equal("s000", summary.RootElement.GetProperty("scan").GetString());
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G'];
        foreach (var name in new[] { "emf_map.png", "spectrum.png", "profile.png" })
        {
            var file = await node.Http.GetAsync($"/api/experiments/api-run/scans/s001/files/{name}");
            Assert.Equal("image/png", file.Content.Headers.ContentType?.MediaType);
            Assert.Equal(png, (await file.Content.ReadAsByteArrayAsync())[..4]);
        }
        var nexus = await node.Http.GetByteArrayAsync("/api/experiments/api-run/scans/s000/files/result.nxs");
        Assert.Equal(new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F' }, nexus[..4]);
        Assert.Equal(png, (await node.Http.GetByteArrayAsync("/api/experiments/api-run/files/series.png"))[..4]);
        Assert.StartsWith("scan,time_s,z_um,component", await node.Http.GetStringAsync("/api/experiments/api-run/files/series.csv"));

        string metrics = await node.Http.GetStringAsync("/metrics");
        Assert.Contains("xcsct_frames_processed_total", metrics);
        Assert.Contains("xcsct_queue_depth", metrics);
    }

    [Fact]
    public async Task Mutating_calls_without_the_token_are_refused_and_reads_are_open()
    {
        var anonymous = await node.Http.PostAsync("/api/experiments", new StringContent(node.Sim.WithId("no-token")));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/experiments") { Content = new StringContent(node.Sim.WithId("no-token")) };
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", NodeFixture.Token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await node.Http.SendAsync(wrong)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await node.Http.DeleteAsync("/api/experiments/no-token")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await node.Http.PostAsync("/api/experiments/x/scans/s000/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await node.Http.PostAsJsonAsync("/api/cluster/leave", new { address = "akka.tcp://xcsct@127.0.0.1:1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await node.Http.PostAsJsonAsync("/api/cluster/down", new { address = "akka.tcp://xcsct@127.0.0.1:1" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("/api/experiments/no-token")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await node.Http.GetAsync("/api/experiments")).StatusCode);
    }

    [Fact]
    public async Task Invalid_manifests_are_400_with_every_problem_listed()
    {
        var unknownKey = await node.SubmitAsync(node.Sim.WithId("bad-key").Replace("charge_sharing: cluster", "charge_sharing: cluster\n  colour: blue"));
        Assert.Equal(HttpStatusCode.BadRequest, unknownKey.StatusCode);
        Assert.Contains((await ErrorOf(unknownKey)).Problems, p => p.Contains("colour"));

        var malformedJson = await node.SubmitAsync("{\"experiment\": \"broken\", \"scans\": [", mediaType: "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, malformedJson.StatusCode);
        var malformedYaml = await node.SubmitAsync("experiment: [unclosed\nscans: {a: b");
        Assert.Equal(HttpStatusCode.BadRequest, malformedYaml.StatusCode);
        Assert.NotEmpty((await ErrorOf(malformedYaml)).Problems);
        var empty = await node.SubmitAsync("  ");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);

        var traversal = await node.SubmitAsync(node.Sim.WithId("escape").Replace("frames: [run/s000.bin]", "frames: [../../../../../../../etc/passwd]"));
        Assert.Equal(HttpStatusCode.BadRequest, traversal.StatusCode);
        Assert.Contains((await ErrorOf(traversal)).Problems, p => p.Contains("outside the data roots"));
        var baseOutside = await node.Http.SendAsync(node.Authorized(HttpMethod.Post, "/api/experiments?base=%2Fetc", new StringContent(node.Sim.WithId("etc"))));
        Assert.Equal(HttpStatusCode.BadRequest, baseOutside.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("/api/experiments/escape")).StatusCode);
    }

    [Fact]
    public async Task A_body_larger_than_the_limit_is_413()
    {
        var huge = new string('#', (int)node.Options.Http.MaxBodyBytes + 1024);
        var response = await node.SubmitAsync("# huge\n" + huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task An_existing_id_is_409_unless_replaced()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await node.SubmitAsync(node.Sim.WithId("dup"))).StatusCode);
        var again = await node.SubmitAsync(node.Sim.WithId("dup"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already exists", (await ErrorOf(again)).Error);
        var replaced = await node.SubmitAsync(node.Sim.WithId("dup"), "replace=true");
        Assert.Equal(HttpStatusCode.Accepted, replaced.StatusCode);
        Assert.Equal(2, (await replaced.Content.ReadFromJsonAsync<Accepted>(ApiJson.Options))!.Run);
        Assert.Equal(ExperimentState.Completed, (await node.WaitAsync("dup")).State);
    }

    [Theory]
    [InlineData("GET", "/api/experiments/unknown")]
    [InlineData("GET", "/api/experiments/unknown/scans/s000")]
    [InlineData("GET", "/api/experiments/unknown/scans/s000/files/emf_map.png")]
    [InlineData("GET", "/api/experiments/unknown/files/series.png")]
    [InlineData("GET", "/api/experiments/..%2F..%2Fetc")]
    [InlineData("GET", "/api/experiments/%2E%2E/scans/%2E%2E/files/summary.json")]
    [InlineData("DELETE", "/api/experiments/unknown")]
    [InlineData("POST", "/api/experiments/unknown/scans/s000/retry")]
    public async Task Unknown_experiments_are_404_never_500(string method, string path)
    {
        var response = await node.Http.SendAsync(node.Authorized(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(404, (await ErrorOf(response)).Status);
    }

    [Fact]
    public async Task Only_the_listed_output_files_are_served()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await node.SubmitAsync(node.Sim.WithId("files"))).StatusCode);
        await node.WaitAsync("files");
        foreach (var name in new[] { "record.json", "..%2F..%2Fexperiments%2Ffiles%2Frecord.json", "%2Fetc%2Fpasswd", "manifest.txt" })
            Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync($"/api/experiments/files/scans/s000/files/{name}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("/api/experiments/files/scans/s999")).StatusCode);
    }

    [Fact]
    public async Task A_client_that_sends_its_headers_too_slowly_is_cut_off()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, node.Options.HttpUri.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync("POST /api/experiments HTTP/1.1\r\nHost: 127.0.0.1\r\n"u8.ToArray());
        var buffer = new byte[4096];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int read;
        var received = new StringBuilder();
        try
        {
            while ((read = await stream.ReadAsync(buffer, limit.Token)) > 0) received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        catch (IOException)
        {
            // Reset by the server: cut off too.
        }
        Assert.False(limit.IsCancellationRequested, "the node kept a stalled request open");
        if (received.Length > 0) Assert.StartsWith("HTTP/1.1 408", received.ToString());
    }

    [Fact]
    public async Task The_OpenAPI_document_health_and_dashboard_are_served()
    {
        using var openapi = JsonDocument.Parse(await node.Http.GetStringAsync("/openapi/v1.json"));
        var paths = openapi.RootElement.GetProperty("paths");
        foreach (var p in new[] { "/api/experiments", "/api/experiments/{id}", "/api/experiments/{id}/scans/{scan}", "/api/experiments/{id}/scans/{scan}/files/{name}",
                     "/api/experiments/{id}/scans/{scan}/retry", "/api/cluster/members", "/api/cluster/leave", "/api/cluster/down", "/api/cluster/shards" })
            Assert.True(paths.TryGetProperty(p, out _), $"{p} is not in the OpenAPI document");

        Assert.Equal(HttpStatusCode.OK, (await node.Http.GetAsync("/healthz/live")).StatusCode);
        var ready = await ServeTesting.Until(() => node.Http.GetAsync("/healthz/ready"), r => r.StatusCode == HttpStatusCode.OK, 60);
        string readiness = await ready.Content.ReadAsStringAsync();
        Assert.Contains("akka.cluster.join", readiness);
        Assert.Contains("akka-journal", readiness);
        Assert.Contains("akka.actorsystem", readiness);

        var page = await node.Http.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        string html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", html.Replace("http-equiv", ""));
        Assert.DoesNotContain("https://", html);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.OK, (await node.Http.GetAsync("/app.js")).StatusCode);
    }

    [Fact]
    public async Task Cluster_members_lists_this_node_and_leave_of_a_stranger_is_404()
    {
        var members = (await node.Http.GetFromJsonAsync<MemberView[]>("/api/cluster/members", ApiJson.Options))!;
        var self = Assert.Single(members);
        Assert.True(self.Self);
        Assert.Equal("up", self.Status);
        var stranger = await node.Http.SendAsync(node.Authorized(HttpMethod.Post, "/api/cluster/leave",
            JsonContent.Create(new { address = "akka.tcp://xcsct@127.0.0.1:1" })));
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        var garbage = await node.Http.SendAsync(node.Authorized(HttpMethod.Post, "/api/cluster/down",
            new StringContent("{not json", Encoding.UTF8, "application/json")));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        var shards = (await node.Http.GetFromJsonAsync<RegionView[]>("/api/cluster/shards", ApiJson.Options))!;
        Assert.Equal(ClusterAdmin.RegionTypes, shards.Select(r => r.TypeName));
    }
}

public sealed class ServeOptionsTests
{
    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://192.0.2.10:5080")]
    [InlineData("http://[::]:5080")]
    [InlineData("http://example.org:5080")]
    public void A_node_bound_beyond_loopback_refuses_to_start_without_a_token(string url)
    {
        var options = new ServeOptions { Http = { Url = url } };
        Assert.False(options.IsLoopback);
        var e = Assert.Throws<InputException>(() => options.Validated());
        Assert.Contains("refusing to start without a token", e.Message);
        options.Token = "a-token-long-enough-1234";
        Assert.Same(options, options.Validated());
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://[::1]:5080")]
    public void Loopback_needs_no_token(string url) =>
        Assert.True(new ServeOptions { Http = { Url = url } }.Validated().IsLoopback);

    [Fact]
    public void Kubernetes_discovery_forms_the_cluster_through_bootstrap_instead_of_joining_itself()
    {
        Assert.True(new ServeOptions().ClusterOptions().JoinSelfWithoutSeeds);
        var k8s = new ServeOptions { Node = { Discovery = "kubernetes" } };
        Assert.False(k8s.Validated().ClusterOptions().JoinSelfWithoutSeeds);
        k8s.Node.Seeds = ["akka.tcp://xcsct@10.0.0.1:4053"];
        Assert.Contains("not both", Assert.Throws<InputException>(() => k8s.Validated()).Message);
        Assert.Contains("expected none or kubernetes", Assert.Throws<InputException>(() => new ServeOptions { Node = { Discovery = "dns" } }.Validated()).Message);
    }

    [Fact]
    public void Short_tokens_and_bad_urls_are_refused()
    {
        Assert.Contains("too short", Assert.Throws<InputException>(() => new ServeOptions { Token = "short" }.Validated()).Message);
        Assert.Contains("not valid", Assert.Throws<InputException>(() => new ServeOptions { Http = { Url = "ftp://x" } }.Validated()).Message);
    }

    [Fact]
    public void The_token_comparison_accepts_only_the_exact_bearer_token()
    {
        var guard = new TokenGuard("0123456789abcdef-token");
        Assert.True(guard.Allows("Bearer 0123456789abcdef-token"));
        Assert.True(guard.Allows("bearer 0123456789abcdef-token"));
        Assert.False(guard.Allows("Bearer 0123456789abcdef-toke"));
        Assert.False(guard.Allows("Bearer 0123456789abcdef-token0"));
        Assert.False(guard.Allows("Basic 0123456789abcdef-token"));
        Assert.False(guard.Allows(""));
        Assert.False(guard.Allows(null));
        Assert.True(new TokenGuard(null).Allows(null));
    }

    [Fact]
    public void Problems_of_a_multi_problem_message_are_listed_one_by_one()
    {
        var problems = ApiException.ProblemsOf("manifest m: 2 problems:\n  - scans[0].id: bad\n  - beam: missing");
        Assert.Equal(["scans[0].id: bad", "beam: missing"], problems);
        Assert.Equal(["one thing wrong"], ApiException.ProblemsOf("one thing wrong"));
    }
}
