using System.Net;
using XcsCt.Actors.Hosting;
using XcsCt.Domain;

namespace XcsCt.Host.Serve;

/// <summary>How a node's experiments are computed.</summary>
public enum RunnerKind
{
    /// <summary>Frame batches go through the cluster's sharded scans and tiles (resumable, spread over nodes).</summary>
    Cluster,
    /// <summary>Frames are processed in this process by the plain pipeline (no journal involved).</summary>
    Direct,
}

/// <summary>HTTP side of a node.</summary>
public sealed class HttpSettings
{
    /// <summary>Where the API and dashboard listen. Loopback unless configured otherwise.</summary>
    public string Url { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Largest accepted request body, bytes (a manifest is a few kB).</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>A client must send its request headers within this time, seconds (slow clients are cut off).</summary>
    public double HeadersTimeoutS { get; set; } = 15;
}

/// <summary>Akka side of a node.</summary>
public sealed class NodeSettings
{
    /// <summary>Address this node's remoting listens on and is reached at.</summary>
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>Remoting port; 0 picks a free one (a one-node cluster).</summary>
    public int Port { get; set; }

    /// <summary>Seed nodes, <c>akka.tcp://xcsct@host:port</c>; none and no discovery: the node forms a cluster by itself.</summary>
    public List<string> Seeds { get; set; } = [];

    /// <summary><c>none</c> (seeds) or <c>kubernetes</c> (Akka.Management cluster bootstrap with Kubernetes API discovery).</summary>
    public string Discovery { get; set; } = "none";

    /// <summary>Pod label selector for Kubernetes discovery.</summary>
    public string KubernetesSelector { get; set; } = "app=xcsct";

    /// <summary>Akka.Management HTTP port used by cluster bootstrap.</summary>
    public int ManagementPort { get; set; } = 8558;

    /// <summary>Kubernetes discovery: pods that must be found before the lowest-addressed one forms a new cluster.</summary>
    public int RequiredContactPoints { get; set; } = 2;

    /// <summary>
    /// Akka cluster <c>app-version</c> of this node (e.g. the image tag, <c>1.2.3</c>); empty: the
    /// program's assembly version. Nodes of a rolling update tell old from new by it.
    /// </summary>
    public string? AppVersion { get; set; }

    /// <summary>Frame batches this node computes at once.</summary>
    public int MaxBatchesInFlight { get; set; } = Math.Max(1, Environment.ProcessorCount);
}

/// <summary>Journal and snapshot store.</summary>
public sealed class JournalSettings
{
    /// <summary><c>sqlite</c> (file under the data directory) or <c>postgresql</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>Connection string; empty for SQLite means <c>DATA/xcsct.db</c>.</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>
/// Everything <c>xcsct serve</c> reads: section <c>Xcsct</c> of appsettings.json, then environment
/// variables (<c>XCSCT__HTTP__URL</c>, <c>XCSCT__TOKEN</c>, ...), then command-line flags.
/// </summary>
public sealed partial class ServeOptions
{
    public const string Section = "Xcsct";

    public HttpSettings Http { get; set; } = new();
    public NodeSettings Node { get; set; } = new();
    public JournalSettings Journal { get; set; } = new();

    /// <summary>Shared data directory: journal (SQLite), job files, cluster results, experiment records.</summary>
    public string DataDirectory { get; set; } = "./xcsct-data";

    /// <summary>Where experiment outputs go (<c>OUT/&lt;experiment&gt;/&lt;scan&gt;/...</c>); empty: <c>DATA/output</c>.</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>Directories manifests and their files must lie in; empty: the working directory.</summary>
    public List<string> DataRoots { get; set; } = [];

    /// <summary>Bearer token for mutating calls; required when the HTTP URL is not loopback.</summary>
    public string? Token { get; set; }

    /// <summary><c>cluster</c> (default) or <c>direct</c>.</summary>
    public RunnerKind Runner { get; set; } = RunnerKind.Cluster;

    /// <summary>Experiments this node runs at the same time; the rest wait in its queue.</summary>
    public int ConcurrentExperiments { get; set; } = 1;

    /// <summary>Seconds between journal write probes (the journal write latency metric).</summary>
    public double JournalProbeIntervalS { get; set; } = 15;

    public string FullDataDirectory => Path.GetFullPath(DataDirectory);

    public string FullOutputDirectory => Path.GetFullPath(string.IsNullOrWhiteSpace(OutputDirectory) ? Path.Combine(FullDataDirectory, "output") : OutputDirectory);

    /// <summary>Where this node keeps its experiment records.</summary>
    public string RecordDirectory => Path.Combine(FullDataDirectory, "experiments");

    public IReadOnlyList<string> ResolvedDataRoots => DataRoots.Count > 0
        ? DataRoots.Select(Path.GetFullPath).ToArray()
        : [Directory.GetCurrentDirectory()];

    /// <summary>The HTTP URL, parsed.</summary>
    public Uri HttpUri => Uri.TryCreate(Http.Url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"
        ? u
        : throw new InputException($"HTTP URL '{Http.Url}' is not valid: expected e.g. http://127.0.0.1:5080");

    /// <summary>True when the HTTP URL binds only to the loopback interface.</summary>
    public bool IsLoopback
    {
        get
        {
            var host = HttpUri.Host;
            if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
            return IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
        }
    }

    /// <summary>Checks everything and refuses an unsafe configuration (a non-loopback binding without a token).</summary>
    public ServeOptions Validated()
    {
        _ = HttpUri;
        if (!IsLoopback && string.IsNullOrEmpty(Token))
            throw new InputException($"HTTP URL {Http.Url} is not loopback: refusing to start without a token (set --token or XCSCT__TOKEN)");
        if (Token is { Length: > 0 and < 16 })
            throw new InputException($"token: {Token.Length} characters is too short, use at least 16");
        if (Http.MaxBodyBytes is < 1024 or > 256L * 1024 * 1024)
            throw new InputException($"HTTP max body {Http.MaxBodyBytes} bytes: must be between 1 kB and 256 MB");
        if (!(Http.HeadersTimeoutS > 0)) throw new InputException($"HTTP headers timeout {Http.HeadersTimeoutS} s must be positive");
        if (ConcurrentExperiments < 1) throw new InputException($"concurrent experiments {ConcurrentExperiments} must be at least 1");
        if (Node.Discovery is not ("none" or "kubernetes"))
            throw new InputException($"node discovery '{Node.Discovery}': expected none or kubernetes");
        if (Node.Discovery == "kubernetes" && Node.Seeds.Count > 0)
            throw new InputException("node: give seeds or Kubernetes discovery, not both");
        if (Node.RequiredContactPoints < 1)
            throw new InputException($"node required contact points {Node.RequiredContactPoints} must be at least 1");
        if (!string.IsNullOrEmpty(Node.AppVersion) && !AppVersionPattern().IsMatch(Node.AppVersion))
            throw new InputException($"node app version '{Node.AppVersion}': expected letters, digits and . + - _ (e.g. 1.2.3 or 1.2.3-rc1)");
        if (Journal.Provider is not ("sqlite" or "postgresql"))
            throw new InputException($"journal provider '{Journal.Provider}': expected sqlite or postgresql");
        if (Journal.Provider == "postgresql" && string.IsNullOrWhiteSpace(Journal.ConnectionString))
            throw new InputException("journal provider postgresql needs a connection string (--journal or XCSCT__JOURNAL__CONNECTIONSTRING)");
        foreach (var root in ResolvedDataRoots)
            if (!Directory.Exists(root)) throw new InputException($"data root {root}: not a directory");
        if (!(JournalProbeIntervalS > 0)) throw new InputException($"journal probe interval {JournalProbeIntervalS} s must be positive");
        return this;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex AppVersionPattern();

    /// <summary>The cluster node these settings describe.</summary>
    public XcsClusterOptions ClusterOptions() => new()
    {
        Hostname = Node.Hostname,
        Port = Node.Port,
        Seeds = Node.Seeds,
        JoinSelfWithoutSeeds = Node.Discovery == "none",
        DataDirectory = FullDataDirectory,
        Journal = Journal.Provider == "postgresql" ? JournalProvider.PostgreSql : JournalProvider.Sqlite,
        JournalConnectionString = string.IsNullOrWhiteSpace(Journal.ConnectionString) ? null : Journal.ConnectionString,
        MaxBatchesInFlight = Node.MaxBatchesInFlight,
    };
}
