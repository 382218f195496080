using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using XcsCt.Domain.Simulation;
using XcsCt.Host.Api;
using XcsCt.Host.Serve;
using XcsCt.Integration.Cluster;
using XcsCt.Integration.Serve;

namespace XcsCt.Integration.Deploy;

/// <summary>
/// What the multi-process tests share: a private PostgreSQL server (a database per cluster), one
/// simulated coin-cell scan whose frame file a manifest lists several times (a long scan without
/// writing gigabytes), and the <c>xcsct process --direct</c> run of that manifest: the reference
/// every cluster result must equal bit for bit, and the single-process throughput.
/// </summary>
public sealed class MultiProcessData : IAsyncLifetime
{
    /// <summary>Frames in the simulated file: five batches of the node's default 2048 frames.</summary>
    public const int FileFrames = 10240;

    /// <summary>Times the scan lists the file in the experiments compared with the direct run (80 batches).</summary>
    public const int Repeats = 16;

    public const int BatchFrames = 2048;

    public PostgresServer Postgres { get; } = new();
    public string Root { get; private set; } = "";
    public SimulatedExperiment Simulation { get; private set; } = null!;

    /// <summary>Output of the direct run (<c>DIRECT/&lt;experiment&gt;/s000/result.nxs</c>).</summary>
    public string DirectOut => Path.Combine(Root, "direct");

    public const string DirectExperiment = "direct";

    /// <summary>The direct run's scan: from "processing scan" to "wrote" on its stderr.</summary>
    public TimeSpan DirectScanTime { get; private set; }

    public long ScanFrames => (long)FileFrames * Repeats;

    public double DirectFramesPerSecond => ScanFrames / DirectScanTime.TotalSeconds;

    public async Task InitializeAsync()
    {
        await Postgres.InitializeAsync();
        Root = Directory.CreateTempSubdirectory("xcsct-procs-").FullName;
        Simulation = ExperimentSimulator.Write(Path.Combine(Root, "sim"),
            new SimulationOptions("lib-nmc811", Scans: 1, Frames: FileFrames, Seed: 17) { Xct = false, ReferenceFrames = 500 }, force: true);
        string manifest = Manifest(DirectExperiment, Repeats);
        var run = await TimedRun.RunAsync(Root, "process", "--manifest", manifest, "--direct", "--out", DirectOut, "--batch-frames", BatchFrames.ToString());
        Assert.True(run.Code == 0, run.Lines);
        DirectScanTime = run.Between("processing scan s000", "wrote ");
    }

    public async Task DisposeAsync()
    {
        await Postgres.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A copy of the simulated manifest as experiment <paramref name="experiment"/> whose scan lists the frame file <paramref name="repeats"/> times.</summary>
    public string Manifest(string experiment, int repeats)
    {
        string text = File.ReadAllText(Simulation.Manifest);
        string file = Path.GetRelativePath(Simulation.Directory, Simulation.Scans[0].FrameFiles[0]).Replace('\\', '/');
        string frames = $"frames: [{file}]";
        Assert.Contains(frames, text);
        text = Regex.Replace(text, "^experiment: .*$", $"experiment: {experiment}", RegexOptions.Multiline)
            .Replace(frames, $"frames: [{string.Join(", ", Enumerable.Repeat(file, repeats))}]");
        string path = Path.Combine(Simulation.Directory, experiment + ".yaml");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A fresh database on the test server (one per cluster: no cluster sees another's remembered entities).</summary>
    public async Task<string> DatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Postgres.Port};Username=postgres;Database=postgres;Pooling=false"))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return JournalAt(Postgres.Port, name);
    }

    /// <summary>
    /// The scan journal of cluster experiment <paramref name="experiment"/>, compact: batches made
    /// durable (<c>+N</c>), computed again and why (<c>again N cause</c>), resumed: where rework came from.
    /// </summary>
    public async Task<string> ScanJournalAsync(string database, string experiment)
    {
        await using var connection = new NpgsqlConnection(JournalAt(Postgres.Port, database));
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            "SELECT manifest, message FROM journal WHERE persistence_id LIKE @id ORDER BY ordering", connection);
        query.Parameters.AddWithValue("id", $"scan-{experiment}.r%/s000");
        var types = XcsCt.Messages.Serialization.XcsSerializer.Manifests.ToDictionary(kv => kv.Value, kv => kv.Key);
        var events = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            object e = MessagePack.MessagePackSerializer.Deserialize(types[reader.GetString(0)], (byte[])reader[1], XcsCt.Messages.Serialization.XcsSerializer.Options)!;
            events.Add(e switch
            {
                XcsCt.Messages.Scans.ScanEvents.BatchesCompleted c => $"+{c.Batches.Count}",
                XcsCt.Messages.Scans.ScanEvents.BatchesRequeued r => $"again {r.Count} ({r.Cause})",
                XcsCt.Messages.Scans.ScanEvents.ScanResumed r => $"resumed {r.BatchesDurable}",
                _ => e.GetType().Name,
            });
        }
        return string.Join(", ", events);
    }

    public static string JournalAt(int port, string database) =>
        $"Host=127.0.0.1;Port={port};Username=postgres;Database={database};Pooling=true;Timeout=5;Command Timeout=60";
}

/// <summary>A run of the <c>xcsct</c> program whose output lines carry the time they arrived.</summary>
internal sealed record TimedRun(int Code, IReadOnlyList<(DateTime At, string Line)> Output)
{
    public string Lines => string.Join('\n', Output.Select(o => o.Line));

    /// <summary>Time from the first line containing <paramref name="from"/> to the first later line containing <paramref name="to"/>.</summary>
    public TimeSpan Between(string from, string to)
    {
        int i = Output.ToList().FindIndex(o => o.Line.Contains(from, StringComparison.Ordinal));
        Assert.True(i >= 0, $"no line '{from}' in:\n{Lines}");
        var end = Output.Skip(i + 1).FirstOrDefault(o => o.Line.Contains(to, StringComparison.Ordinal));
        Assert.True(end.Line is not null, $"no line '{to}' after '{from}' in:\n{Lines}");
        return end.At - Output[i].At;
    }

    public static async Task<TimedRun> RunAsync(string root, params string[] args)
    {
        var output = new List<(DateTime, string)>();
        using var p = new Process { StartInfo = Xcsct.StartInfo(root, args) };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add((DateTime.UtcNow, e.Data)); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add((DateTime.UtcNow, e.Data)); };
        p.Start();
        p.StandardInput.Close();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await p.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill();
            throw new TimeoutException($"xcsct {string.Join(' ', args)} did not finish within 5 minutes");
        }
        p.WaitForExit();
        lock (output) return new TimedRun(p.ExitCode, output.ToArray());
    }
}

/// <summary>
/// Several <c>xcsct serve</c> processes forming one cluster on loopback, as Kubernetes would run
/// them: one PostgreSQL journal, one shared data directory (the ReadWriteMany volume), seed-node
/// discovery, a short split-brain resolver stable-after. Disposed: every process still running is
/// killed (also when the test failed).
/// </summary>
internal sealed class ServeCluster : IAsyncDisposable
{
    /// <summary>Keep-majority split-brain resolver stable-after for the tests, seconds.</summary>
    public const double StableAfterS = 3;

    private readonly string _root;
    private readonly string _journal;
    private readonly List<NodeProcess> _nodes = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(15) };

    public ServeCluster(string root, string name, string journal)
    {
        (_root, _journal) = (root, journal);
        Data = Path.Combine(root, name + "-data");
        Directory.CreateDirectory(Data);
    }

    /// <summary>The data directory every node shares.</summary>
    public string Data { get; }

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    /// <summary>Starts a node (seeded by the first node, if any) and waits until it is ready.</summary>
    public async Task<NodeProcess> StartNodeAsync(string? appVersion = null) => await Add(LaunchNode(appVersion));

    /// <summary>Starts a node without waiting; <see cref="NodeProcess.WaitReadyAsync"/> follows.</summary>
    /// <param name="appVersion">Its application version; null: the program's.</param>
    /// <param name="batchFrames">Frames per batch of the experiments submitted to it; null: 2048.</param>
    public NodeProcess LaunchNode(string? appVersion = null, int? batchFrames = null)
    {
        var nodeSettings = new Dictionary<string, object> { ["StableAfterS"] = StableAfterS };
        if (appVersion is not null) nodeSettings["AppVersion"] = appVersion;
        var settings = new Dictionary<string, object> { ["Node"] = nodeSettings };
        if (batchFrames is not null) settings["BatchFrames"] = batchFrames;
        string config = Path.Combine(_root, $"node-{Guid.NewGuid():N}.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new { Xcsct = settings }));
        var args = new List<string> { "--journal", _journal, "--config", config };
        if (_nodes.Count > 0) args.AddRange(["--seed", _nodes[0].Address]);
        var node = NodeProcess.Launch(_root, Data, [.. args]);
        _nodes.Add(node);
        return node;
    }

    private static async Task<NodeProcess> Add(NodeProcess node)
    {
        await node.WaitReadyAsync(TimeSpan.FromMinutes(3));
        return node;
    }

    public async Task<ExperimentView> SubmitAsync(NodeProcess node, string manifest)
    {
        var r = await Xcsct.RunAsync(_root, "submit", manifest, "--json", "--node", node.Url);
        Assert.True(r.ExitCode == 0, $"submit failed:\n{r.Stdout}\n{r.Stderr}\n{node.Log}");
        return JsonSerializer.Deserialize<Accepted[]>(r.Stdout, ApiJson.Options)![0].Experiment;
    }

    public async Task<ExperimentView> ExperimentAsync(NodeProcess node, string id) =>
        (await _http.GetFromJsonAsync<ExperimentView>($"{node.Url}/api/experiments/{id}", ApiJson.Options))!;

    /// <summary><c>xcsct cluster members --json</c> asked of <paramref name="node"/>.</summary>
    public async Task<MemberView[]> MembersAsync(NodeProcess node)
    {
        var r = await Xcsct.RunAsync(_root, "cluster", "members", "--json", "--node", node.Url);
        Assert.True(r.ExitCode == 0, $"cluster members failed:\n{r.Stderr}");
        return JsonSerializer.Deserialize<MemberView[]>(r.Stdout, ApiJson.Options)!;
    }

    /// <summary>Asks <paramref name="node"/> for the members until <paramref name="done"/> holds; returns them and how long it took.</summary>
    public async Task<(MemberView[] Members, TimeSpan After)> MembersUntilAsync(NodeProcess node, Func<MemberView[], bool> done, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var members = await MembersAsync(node);
            if (done(members)) return (members, clock.Elapsed);
            Assert.True(clock.Elapsed < limit,
                $"members never settled within {limit}: {string.Join(", ", members.Select(m => $"{m.Address} {m.Status}{(m.Reachable ? "" : " unreachable")}"))}\n{Logs()}");
            await Task.Delay(500);
        }
    }

    /// <summary><c>xcsct cluster shards --json</c> asked of <paramref name="node"/>: the node hosting each shard, by <c>type/shard</c>.</summary>
    public async Task<Dictionary<string, string>> ShardsAsync(NodeProcess node)
    {
        var r = await Xcsct.RunAsync(_root, "cluster", "shards", "--json", "--node", node.Url);
        Assert.True(r.ExitCode == 0, $"cluster shards failed:\n{r.Stderr}");
        var placement = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var region in JsonSerializer.Deserialize<RegionView[]>(r.Stdout, ApiJson.Options)!)
            foreach (var n in region.Nodes)
                foreach (var shard in n.EntitiesPerShard.Keys)
                    placement[$"{region.TypeName}/{shard}"] = n.Address;
        return placement;
    }

    /// <summary>Shards of <paramref name="before"/> hosted elsewhere in <paramref name="after"/>.</summary>
    public static IEnumerable<string> Moved(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        before.Where(kv => after.TryGetValue(kv.Key, out var now) && now != kv.Value).Select(kv => kv.Key);

    /// <summary>A node's counters of the batches and frames its workers computed (<c>/metrics</c>).</summary>
    public async Task<(long Batches, long Frames)> WorkAsync(NodeProcess node)
    {
        string text = await _http.GetStringAsync(node.Url + "/metrics");
        return ((long)Metric(text, "xcsct_worker_batches_computed_total"), (long)Metric(text, "xcsct_worker_frames_computed_total"));
    }

    /// <summary>Sum of a Prometheus counter's samples (0 before the first increment).</summary>
    public static double Metric(string text, string name)
    {
        double sum = 0;
        foreach (var line in text.Split('\n'))
            if (line.StartsWith(name, StringComparison.Ordinal) && (line.Length == name.Length || line[name.Length] is ' ' or '{'))
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        return sum;
    }

    public string Logs() => string.Join("\n", _nodes.Select((n, i) => $"--- node {i + 1} {n.Address} ---\n{n.Log}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        _http.Dispose();
    }
}

/// <summary>One experiment followed through the API of the node that runs it, sampled every 100 ms.</summary>
internal sealed class ExperimentWatch
{
    public required ExperimentView Final { get; init; }

    /// <summary>When the scan started (its job began) and when its outputs were written.</summary>
    public required DateTime ScanStarted { get; init; }

    public required DateTime ScanWritten { get; init; }

    public TimeSpan ScanTime => ScanWritten - ScanStarted;

    public ScanStatusView Scan => Final.Scans[0];

    /// <summary>
    /// Follows <paramref name="id"/> on <paramref name="node"/> until it finishes; <paramref name="during"/>
    /// sees every sample (to act mid-run); <paramref name="submit"/>, when given, submits it first.
    /// </summary>
    public static async Task<ExperimentWatch> FollowAsync(ServeCluster cluster, NodeProcess node, string id, TimeSpan limit,
        Func<ExperimentView, Task>? during = null, Func<Task>? submit = null)
    {
        if (submit is not null) await submit();
        var clock = Stopwatch.StartNew();
        DateTime? started = null, written = null;
        while (true)
        {
            var view = await cluster.ExperimentAsync(node, id);
            var scan = view.Scans[0];
            if (started is null && (scan.State != ScanState.Pending)) started = DateTime.UtcNow;
            if (written is null && scan.State == ScanState.Done) written = DateTime.UtcNow;
            if (during is not null) await during(view);
            if (view.IsFinished)
            {
                Assert.True(view.State == ExperimentState.Completed, $"experiment {id} {view.State}: {view.Error}\n{cluster.Logs()}");
                return new ExperimentWatch { Final = view, ScanStarted = started!.Value, ScanWritten = written!.Value };
            }
            Assert.True(clock.Elapsed < limit, $"experiment {id} not finished within {limit}: {JsonSerializer.Serialize(view, ApiJson.Options)}\n{cluster.Logs()}");
            await Task.Delay(100);
        }
    }
}

/// <summary>
/// A loopback TCP port that refuses connections until <see cref="Open"/>, then forwards them to
/// <paramref name="target"/>: a journal that cannot be reached at first and comes later.
/// </summary>
internal sealed class LateForwarder(int target) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private System.Net.Sockets.TcpListener? _listener;

    public int Port { get; } = Xcsct.FreePort();

    public void Open()
    {
        _listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, Port);
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            System.Net.Sockets.TcpClient client;
            try { client = await _listener!.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException) { return; }
            _ = Task.Run(() => PipeAsync(client));
        }
    }

    private async Task PipeAsync(System.Net.Sockets.TcpClient client)
    {
        using (client)
        using (var server = new System.Net.Sockets.TcpClient())
        {
            try
            {
                await server.ConnectAsync(System.Net.IPAddress.Loopback, target, _stop.Token);
                using var a = client.GetStream();
                using var b = server.GetStream();
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException) { }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener?.Stop();
        _stop.Dispose();
    }
}
