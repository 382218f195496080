namespace XcsCt.Actors.Hosting;

/// <summary>Which database holds the journal and snapshots.</summary>
public enum JournalProvider
{
    /// <summary>SQLite file under the data directory (embedded, single writer).</summary>
    Sqlite,
    /// <summary>PostgreSQL 15+ (a cluster): give <see cref="XcsClusterOptions.JournalConnectionString"/>.</summary>
    PostgreSql,
}

/// <summary>
/// Everything a node of the XcsCt cluster needs. Defaults give the embedded one-node cluster on
/// loopback with SQLite under <c>./xcsct-data</c>.
/// </summary>
public sealed record XcsClusterOptions
{
    /// <summary>Address this node listens on and is reached at.</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>Remoting port; 0 picks a free one (fine for a one-node cluster).</summary>
    public int Port { get; init; }

    /// <summary>Seed node addresses (<c>akka.tcp://xcsct@host:port</c>); empty: this node forms a cluster by itself.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>With no seeds, join itself (a one-node cluster); false when another mechanism (Akka.Management cluster bootstrap) forms the cluster.</summary>
    public bool JoinSelfWithoutSeeds { get; init; } = true;

    /// <summary>Shared data directory: SQLite journal, job files, results.</summary>
    public string DataDirectory { get; init; } = "./xcsct-data";

    public JournalProvider Journal { get; init; } = JournalProvider.Sqlite;

    /// <summary>Connection string; null for SQLite means <c>DataDirectory/xcsct.db</c>.</summary>
    public string? JournalConnectionString { get; init; }

    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>A tile snapshots its spectra after this many batches (bounds rework after a loss).</summary>
    public int SnapshotInterval { get; init; } = 16;

    /// <summary>
    /// A scan hands out no batch while this many are assigned or delivered but not yet durable on
    /// every tile: the bound on rework after a loss (default four snapshot intervals).
    /// </summary>
    public int? MaxUndurable { get; init; }

    public int MaxUndurableBatches => MaxUndurable ?? 4 * SnapshotInterval;

    /// <summary>A tile with applied but not durable batches snapshots after this long without a new batch.</summary>
    public TimeSpan TileIdleCheckpoint { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Batches this node computes at once (bounds memory per node); as many more may wait assigned to it.</summary>
    public int MaxBatchesInFlight { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Tile edge in pixels.</summary>
    public int TileSize { get; init; } = 16;

    /// <summary>Shards per entity type: about ten times the largest expected node count. Never change it for a stored journal.</summary>
    public int ShardCount { get; init; } = 100;

    /// <summary>Split-brain resolver: how long membership must be stable before unreachable nodes are downed.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>At most this many shards move in one rebalance round.</summary>
    public int RebalanceAbsoluteLimit { get; init; } = 20;

    /// <summary>Largest remoting message, bytes (a dense tile partial is about 1 MB at worst).</summary>
    public int MaximumFrameSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Tries for a batch that fails for a reason other than bad input.</summary>
    public int BatchRetries { get; init; } = 3;

    public string JobDirectory => Path.Combine(Path.GetFullPath(DataDirectory), "jobs");

    public string ResultRoot => Path.Combine(Path.GetFullPath(DataDirectory), "results");

    public string ConnectionString => JournalConnectionString
        ?? (Journal == JournalProvider.Sqlite
            ? $"Data Source={Path.Combine(Path.GetFullPath(DataDirectory), "xcsct.db")};Default Timeout=60"
            : throw new ArgumentException("a PostgreSQL journal needs a connection string (--journal)"));

    public XcsClusterOptions Validated()
    {
        if (SnapshotInterval <= 0) throw new ArgumentException($"snapshot interval {SnapshotInterval} batches must be positive");
        if (MaxUndurable is <= 0) throw new ArgumentException($"max undurable batches {MaxUndurable} must be positive");
        if (MaxBatchesInFlight <= 0) throw new ArgumentException($"max batches in flight {MaxBatchesInFlight} must be positive");
        if (TileSize <= 0) throw new ArgumentException($"tile size {TileSize} pixels must be positive");
        if (ShardCount <= 0) throw new ArgumentException($"shard count {ShardCount} must be positive");
        if (Port is < 0 or > 65535) throw new ArgumentException($"port {Port} is not valid");
        _ = ConnectionString;
        return this;
    }
}
