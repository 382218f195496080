using System.Text;
using XcsCt.Domain.Formats;
using XcsCt.Domain.Formats.Output;
using XcsCt.Domain.Pipeline;
using XcsCt.Host.Serve;

namespace XcsCt.Host.Api;

/// <summary>An error as every endpoint reports it: status, one-line message, and each problem.</summary>
public sealed record ApiError(int Status, string Error, IReadOnlyList<string> Problems);

/// <summary>Answer to a submission, retry or cancel: the experiment and where to follow it.</summary>
public sealed record Accepted(string Id, int Run, ExperimentState State, string Url, ExperimentView Experiment);

/// <summary>A node address to leave or down.</summary>
public sealed record AddressRequest(string Address);

/// <summary>What a node says about itself.</summary>
public sealed record NodeInfo(string Version, string Node, string Runner, bool TokenRequired, IReadOnlyList<string> DataRoots, string OutputDirectory, int QueueDepth);

/// <summary>
/// The node's HTTP API (<c>/api/...</c>). Reads are open; every mutating call passes
/// <see cref="TokenGuard"/>. Unknown ids are 404, bad input 400 with the list of problems.
/// </summary>
public static class ApiEndpoints
{
    /// <summary>Files a scan's output directory may serve, with their media types.</summary>
    public static readonly IReadOnlyDictionary<string, string> ScanFiles = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ScanOutputs.SummaryName] = "application/json",
        [ScanOutputs.NexusName] = "application/x-hdf5",
        [ScanFigures.SpectrumName] = "image/png",
        [ScanFigures.ProfileName] = "image/png",
        [ScanFigures.EmfMapName] = "image/png",
    };

    /// <summary>Files an experiment's output directory may serve.</summary>
    public static readonly IReadOnlyDictionary<string, string> ExperimentFiles = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [SeriesFiles.CsvName] = "text/csv",
        [SeriesFiles.JsonName] = "application/json",
        [ExperimentRunner.SeriesFigureName] = "image/png",
    };

    public static WebApplication MapXcsApi(this WebApplication app)
    {
        app.UseMiddleware<ApiErrorMiddleware>();
        var guard = new TokenGuard(app.Services.GetRequiredService<ServeOptions>().Token);

        var api = app.MapGroup("/api");
        api.MapGet("/node", (ServeOptions o, IExperimentService s) => new NodeInfo(
                typeof(ApiEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
                $"{Environment.MachineName}:{o.HttpUri.Port}", o.Runner.ToString().ToLowerInvariant(),
                !string.IsNullOrEmpty(o.Token), o.ResolvedDataRoots, o.FullOutputDirectory, s.QueueDepth))
            .WithName("GetNode").WithSummary("This node: version, runner, data roots, whether mutating calls need a token.");

        var experiments = api.MapGroup("/experiments").WithTags("experiments");
        experiments.MapPost("/", SubmitAsync)
            .AddEndpointFilter(guard)
            .Accepts<string>("application/yaml", "application/json", "text/yaml", "text/plain")
            .Produces<Accepted>(StatusCodes.Status202Accepted)
            .Produces<ApiError>(StatusCodes.Status400BadRequest).Produces<ApiError>(StatusCodes.Status401Unauthorized)
            .Produces<ApiError>(StatusCodes.Status409Conflict).Produces<ApiError>(StatusCodes.Status413PayloadTooLarge)
            .WithName("SubmitExperiment")
            .WithSummary("Submit an experiment manifest (YAML or JSON body). Query: base = absolute directory for relative paths (inside a data root), replace = true to replace an existing id.");
        experiments.MapGet("/", (IExperimentService s) => s.List())
            .WithName("ListExperiments").WithSummary("Every experiment of this node, newest first.");
        experiments.MapGet("/{id}", (string id, IExperimentService s) => s.Get(id))
            .Produces<ApiError>(StatusCodes.Status404NotFound)
            .WithName("GetExperiment").WithSummary("Status, per-scan progress and failures with reasons.");
        experiments.MapDelete("/{id}", async (string id, IExperimentService s, HttpContext http) => Respond(http, await s.CancelAsync(id)))
            .AddEndpointFilter(guard)
            .Produces<Accepted>(StatusCodes.Status202Accepted).Produces<ApiError>(StatusCodes.Status404NotFound).Produces<ApiError>(StatusCodes.Status409Conflict)
            .WithName("CancelExperiment").WithSummary("Cancel a queued or running experiment; scans already written are kept. On the cluster runner, batches already handed out finish in the background and stay durable (a retry resumes from them).");
        experiments.MapGet("/{id}/files/{name}", (string id, string name, IExperimentService s, HttpContext http) =>
                ServeFile(http, s.OutputDirectory(id), name, ExperimentFiles, $"experiment {id}"))
            .Produces<ApiError>(StatusCodes.Status404NotFound)
            .WithName("GetExperimentFile").WithSummary("Series outputs: series.csv, series.json, series.png.");
        experiments.MapGet("/{id}/scans/{scan}", (string id, string scan, IExperimentService s, HttpContext http) =>
                ServeFile(http, ScanDirectory(s, id, scan), ScanOutputs.SummaryName, ScanFiles, $"scan {id}/{scan}"))
            .Produces<ApiError>(StatusCodes.Status404NotFound)
            .WithName("GetScanSummary").WithSummary("The scan's summary.json (404 until the scan is written).");
        experiments.MapGet("/{id}/scans/{scan}/files/{name}", (string id, string scan, string name, IExperimentService s, HttpContext http) =>
                ServeFile(http, ScanDirectory(s, id, scan), name, ScanFiles, $"scan {id}/{scan}"))
            .Produces<ApiError>(StatusCodes.Status404NotFound)
            .WithName("GetScanFile").WithSummary("A scan output: summary.json, result.nxs, spectrum.png, profile.png, emf_map.png.");
        experiments.MapPost("/{id}/scans/{scan}/retry", (string id, string scan, IExperimentService s, HttpContext http) => Respond(http, s.RetryScan(id, scan)))
            .AddEndpointFilter(guard)
            .Produces<Accepted>(StatusCodes.Status202Accepted).Produces<ApiError>(StatusCodes.Status404NotFound).Produces<ApiError>(StatusCodes.Status409Conflict)
            .WithName("RetryScan").WithSummary("Run a stopped experiment again from a failed or cancelled scan.");

        var cluster = api.MapGroup("/cluster").WithTags("cluster");
        cluster.MapGet("/members", (ClusterAdmin a) => a.Members())
            .WithName("ClusterMembers").WithSummary("Cluster members: address, status, roles, reachability, leader.");
        cluster.MapPost("/leave", (AddressRequest r, ClusterAdmin a) => Results.Accepted(value: a.Leave(Required(r))))
            .AddEndpointFilter(guard)
            .Produces<MemberView>(StatusCodes.Status202Accepted).Produces<ApiError>(StatusCodes.Status404NotFound)
            .WithName("ClusterLeave").WithSummary("A member leaves gracefully (its shards are handed off).");
        cluster.MapPost("/down", (AddressRequest r, ClusterAdmin a) => Results.Accepted(value: a.Down(Required(r))))
            .AddEndpointFilter(guard)
            .Produces<MemberView>(StatusCodes.Status202Accepted).Produces<ApiError>(StatusCodes.Status404NotFound)
            .WithName("ClusterDown").WithSummary("Mark a member down (a node that is gone for good).");
        cluster.MapGet("/shards", (ClusterAdmin a, CancellationToken ct) => a.ShardsAsync(ct))
            .WithName("ClusterShards").WithSummary("Per entity type: shards and entity counts per node, and this node's region.");
        app.MapFallback("/api/{**path}", (string? path) => Results.Json(new ApiError(404, $"no API route /api/{path}", [$"no API route /api/{path}"]), ApiJson.Options, statusCode: 404))
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> SubmitAsync(HttpContext http, IExperimentService service, string? @base, bool? replace, CancellationToken ct)
    {
        string body;
        using (var reader = new StreamReader(http.Request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
            body = await reader.ReadToEndAsync(ct);
        if (string.IsNullOrWhiteSpace(body)) throw new ApiException(400, "the request body is empty: send a manifest (YAML or JSON)");
        var view = await service.SubmitAsync(body, @base, replace ?? false, ct);
        return Respond(http, view);
    }

    private static IResult Respond(HttpContext http, ExperimentView view)
    {
        string url = $"/api/experiments/{view.Id}";
        return Results.Accepted(url, new Accepted(view.Id, view.Run, view.State, url, view));
    }

    private static string Required(AddressRequest? r) =>
        string.IsNullOrWhiteSpace(r?.Address) ? throw new ApiException(400, "the body must be {\"address\": \"akka.tcp://xcsct@host:port\"}") : r.Address;

    private static string ScanDirectory(IExperimentService s, string id, string scan)
    {
        var view = s.Get(id);
        if (!ManifestReader.IsValidId(scan) || view.Scans.All(x => x.Id != scan))
            throw ApiException.NotFound($"experiment {id} has no scan '{scan}'");
        return Path.Combine(s.OutputDirectory(id), scan);
    }

    /// <summary>Serves one of the allowed names from <paramref name="directory"/> (names outside the list are 404: no path ever comes from the request).</summary>
    private static IResult ServeFile(HttpContext http, string directory, string name, IReadOnlyDictionary<string, string> allowed, string what)
    {
        if (!allowed.TryGetValue(name, out var contentType))
            throw ApiException.NotFound($"{what} has no file '{name}': expected one of {string.Join(", ", allowed.Keys)}");
        string path = Path.Combine(directory, name);
        if (!File.Exists(path)) throw ApiException.NotFound($"{what}: {name} is not written yet");
        http.Response.Headers.CacheControl = "no-cache";
        return Results.File(path, contentType, enableRangeProcessing: true);
    }
}
