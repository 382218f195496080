using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using XcsCt.Domain;
using XcsCt.Host.Api;
using XcsCt.Host.Serve;

namespace XcsCt.Host.Client;

/// <summary>A refusal from a node: its status and problems, said in one line per problem.</summary>
public sealed class NodeRefusedException(int status, string message, IReadOnlyList<string> problems)
    : Exception(problems.Count > 1 || problems.Count == 1 && problems[0] != message
        ? $"{message} ({status}):{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}"
        : $"{message} ({status})")
{
    public int Status { get; } = status;
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// The HTTP API of one node, for the CLI (<c>submit</c>, <c>status</c>, <c>results</c>, <c>cluster</c>).
/// A node that does not answer is an <see cref="InputException"/> naming the URL; a refusal is a
/// <see cref="NodeRefusedException"/> with the node's problems.
/// </summary>
public sealed class NodeClient : IDisposable
{
    public const string DefaultNode = "http://127.0.0.1:5080";
    public const string TokenVariable = "XCSCT_TOKEN";

    private readonly HttpClient _http;

    /// <param name="node">Node URL; null: <see cref="DefaultNode"/>.</param>
    /// <param name="token">Bearer token; null: the <c>XCSCT_TOKEN</c> environment variable.</param>
    public NodeClient(string? node, string? token = null, TimeSpan? timeout = null)
    {
        string url = string.IsNullOrWhiteSpace(node) ? DefaultNode : node.TrimEnd('/');
        if (!Uri.TryCreate(url + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new InputException($"--node {node}: not an http(s) URL");
        Node = uri;
        _http = new HttpClient { BaseAddress = uri, Timeout = timeout ?? TimeSpan.FromSeconds(100) };
        token ??= Environment.GetEnvironmentVariable(TokenVariable);
        if (!string.IsNullOrEmpty(token)) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Uri Node { get; }

    public Task<NodeInfo> NodeInfoAsync(CancellationToken ct) => GetJsonAsync<NodeInfo>("api/node", ct);

    /// <summary>Submits manifest text; relative paths resolve against <paramref name="baseDirectory"/> on the node.</summary>
    public async Task<Accepted> SubmitAsync(string manifest, string? baseDirectory, bool replace, bool json, CancellationToken ct)
    {
        var query = new List<string>();
        if (baseDirectory is not null) query.Add("base=" + Uri.EscapeDataString(baseDirectory));
        if (replace) query.Add("replace=true");
        var content = new StringContent(manifest, Encoding.UTF8, json ? "application/json" : "application/yaml");
        return await SendJsonAsync<Accepted>(HttpMethod.Post, "api/experiments" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), content, ct);
    }

    public Task<ExperimentView[]> ListAsync(CancellationToken ct) => GetJsonAsync<ExperimentView[]>("api/experiments", ct);

    public Task<ExperimentView> GetAsync(string id, CancellationToken ct) => GetJsonAsync<ExperimentView>($"api/experiments/{Uri.EscapeDataString(id)}", ct);

    public Task<Accepted> CancelAsync(string id, CancellationToken ct) => SendJsonAsync<Accepted>(HttpMethod.Delete, $"api/experiments/{Uri.EscapeDataString(id)}", null, ct);

    public Task<Accepted> RetryAsync(string id, string scan, CancellationToken ct) =>
        SendJsonAsync<Accepted>(HttpMethod.Post, $"api/experiments/{Uri.EscapeDataString(id)}/scans/{Uri.EscapeDataString(scan)}/retry", null, ct);

    public Task<MemberView[]> MembersAsync(CancellationToken ct) => GetJsonAsync<MemberView[]>("api/cluster/members", ct);

    public Task<MemberView> LeaveAsync(string address, CancellationToken ct) =>
        SendJsonAsync<MemberView>(HttpMethod.Post, "api/cluster/leave", JsonContent.Create(new AddressRequest(address), options: ApiJson.Options), ct);

    public Task<MemberView> DownAsync(string address, CancellationToken ct) =>
        SendJsonAsync<MemberView>(HttpMethod.Post, "api/cluster/down", JsonContent.Create(new AddressRequest(address), options: ApiJson.Options), ct);

    public Task<RegionView[]> ShardsAsync(CancellationToken ct) => GetJsonAsync<RegionView[]>("api/cluster/shards", ct);

    /// <summary>Downloads one output file to <paramref name="path"/> (temporary name, then rename); false when the node has no such file yet.</summary>
    public async Task<bool> DownloadAsync(string relative, string path, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, relative), ct, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await EnsureAsync(response, ct);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + ".part";
        await using (var file = File.Create(temporary))
            await response.Content.CopyToAsync(file, ct);
        File.Move(temporary, path, overwrite: true);
        return true;
    }

    private async Task<T> GetJsonAsync<T>(string relative, CancellationToken ct) =>
        await SendJsonAsync<T>(HttpMethod.Get, relative, null, ct);

    private async Task<T> SendJsonAsync<T>(HttpMethod method, string relative, HttpContent? content, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(method, relative) { Content = content }, ct);
        await EnsureAsync(response, ct);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct)
                ?? throw new InputException($"node {Node}: empty answer to {method} /{relative}");
        }
        catch (JsonException e)
        {
            throw new InputException($"node {Node}: answer to {method} /{relative} is not what an xcsct node sends ({e.Message})", e);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        try
        {
            return await _http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e)
        {
            string why = e.InnerException is SocketException s ? s.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData => "host not found",
                SocketError.TimedOut => "timed out",
                _ => s.Message,
            } : e.Message;
            throw new InputException($"node {Node} does not answer: {why}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new InputException($"node {Node} does not answer: no reply within {_http.Timeout.TotalSeconds:F0} s", e);
        }
    }

    private async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        ApiError? error = null;
        try
        {
            error = await response.Content.ReadFromJsonAsync<ApiError>(ApiJson.Options, ct);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Not an xcsct error body: report the status alone.
        }
        int status = (int)response.StatusCode;
        throw new NodeRefusedException(status, error?.Error ?? $"node {Node} answered {status} {response.ReasonPhrase}", error?.Problems ?? []);
    }

    public void Dispose() => _http.Dispose();
}
