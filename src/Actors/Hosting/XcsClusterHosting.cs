using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using LinqToDB;
using Microsoft.Data.Sqlite;
using XcsCt.Actors.Experiments;
using XcsCt.Actors.Scans;
using XcsCt.Actors.Tiles;
using XcsCt.Actors.Workers;
using XcsCt.Messages;
using XcsCt.Messages.Serialization;

namespace XcsCt.Actors.Hosting;

/// <summary>Composes one node of the XcsCt cluster with Akka.Hosting.</summary>
public static class XcsClusterHosting
{
    public const string SystemName = "xcsct";

    /// <summary>Journal and snapshot plugin of the sharding remember-entities store (own tables).</summary>
    public const string ShardingPluginId = "sharding";

    /// <summary>
    /// Remoting, clustering (keep-majority split-brain resolver, down-all-when-unstable off),
    /// SQL persistence (entities' tables, and the sharding store's own tables), the XcsCt
    /// serializer, pub-sub, the experiment, scan and tile regions, and this node's worker pool.
    /// With no seeds the node joins itself (the embedded one-node cluster).
    /// </summary>
    public static AkkaConfigurationBuilder AddXcsCluster(this AkkaConfigurationBuilder builder, XcsClusterOptions options,
        IBatchComputer computer, IScanPlanner planner)
    {
        options.Validated();
        Directory.CreateDirectory(options.DataDirectory);
        var (provider, mapping) = options.Journal == JournalProvider.Sqlite
            ? (ProviderName.SQLiteMS, DatabaseMapping.Sqlite)
            : (ProviderName.PostgreSQL15, DatabaseMapping.PostgreSql);
        if (options.Journal == JournalProvider.Sqlite) PrepareSqlite(options.ConnectionString);

        var journal = new SqlJournalOptions(true, "sql") { ConnectionString = options.ConnectionString, ProviderName = provider, AutoInitialize = true };
        var snapshots = new SqlSnapshotOptions(true, "sql") { ConnectionString = options.ConnectionString, ProviderName = provider, AutoInitialize = true };
        var shardingDatabase = mapping == DatabaseMapping.Sqlite ? JournalDatabaseOptions.Sqlite : JournalDatabaseOptions.PostgreSql;
        shardingDatabase.JournalTable!.TableName = "sharding_journal";
        shardingDatabase.MetadataTable!.TableName = "sharding_journal_metadata";
        if (shardingDatabase.TagTable is { } tags) tags.TableName = "sharding_tags";
        var shardingSnapshotDatabase = mapping == DatabaseMapping.Sqlite ? SnapshotDatabaseOptions.Sqlite : SnapshotDatabaseOptions.PostgreSql;
        shardingSnapshotDatabase.SnapshotTable!.TableName = "sharding_snapshot";
        var shardingJournal = new SqlJournalOptions(false, ShardingPluginId)
        { ConnectionString = options.ConnectionString, ProviderName = provider, AutoInitialize = true, DatabaseOptions = shardingDatabase };
        var shardingSnapshots = new SqlSnapshotOptions(false, ShardingPluginId)
        { ConnectionString = options.ConnectionString, ProviderName = provider, AutoInitialize = true, DatabaseOptions = shardingSnapshotDatabase };

        ShardOptions Sharded(bool remember) => new()
        {
            StateStoreMode = StateStoreMode.DData,
            RememberEntities = remember,
            RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
            JournalPluginId = $"akka.persistence.journal.{ShardingPluginId}",
            SnapshotPluginId = $"akka.persistence.snapshot-store.{ShardingPluginId}",
            Role = options.Roles.Count > 0 ? options.Roles[0] : null,
            // a handed-off entity finishes what it persists (a tile snapshots what it holds) before it stops
            HandOffStopMessage = StopEntity.Instance,
        };

        return builder
            .WithRemoting(new RemoteOptions
            {
                HostName = options.Hostname,
                Port = options.Port,
                MaxFrameSize = options.MaximumFrameSize,
                SendBufferSize = 2 * options.MaximumFrameSize,
                ReceiveBufferSize = 2 * options.MaximumFrameSize,
            })
            .WithClustering(new ClusterOptions
            {
                Roles = options.Roles.ToArray(),
                SeedNodes = options.Seeds.ToArray(),
                SplitBrainResolver = new KeepMajorityOption(),
            })
            .AddHocon(ProductionHocon(options), HoconAddMode.Prepend)
            .WithSqlPersistence(journal, snapshots)
            .WithSqlPersistence(shardingJournal, shardingSnapshots)
            .WithCustomSerializer(XcsSerializer.Name, [typeof(IXcsProtocol)], system => new XcsSerializer(system))
            .WithStrictSerialization()
            .WithDistributedPubSub(options.Roles.Count > 0 ? options.Roles[0] : null!)
            .AddExperimentRegion(options.ShardCount, Sharded(remember: false))
            .AddScanRegion(options, Sharded(remember: true), planner)
            .AddTileRegion(options, Sharded(remember: true))
            .AddWorkerPool(options, computer)
            .AddStartup((system, _) =>
            {
                GracefulHandOff.Register(system, options);
                if (options.Seeds.Count == 0 && options.JoinSelfWithoutSeeds)
                {
                    var cluster = Akka.Cluster.Cluster.Get(system);
                    cluster.Join(cluster.SelfAddress);
                }
            });
    }

    /// <summary>
    /// Settings production needs: split-brain resolver timing, rebalance limits, faster restart of
    /// failed entities, and graceful leave (worker pools drained, then shards handed off; see
    /// <see cref="GracefulHandOff"/>) when the process is asked to stop.
    /// </summary>
    private static string ProductionHocon(XcsClusterOptions options) => $$"""
        akka.cluster.split-brain-resolver.stable-after = {{(int)options.StableAfter.TotalMilliseconds}}ms
        akka.cluster.split-brain-resolver.down-all-when-unstable = off
        akka.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit = {{options.RebalanceAbsoluteLimit}}
        akka.cluster.sharding.least-shard-allocation-strategy.rebalance-relative-limit = 0.1
        akka.cluster.sharding.entity-restart-backoff = 1s
        akka.cluster.run-coordinated-shutdown-when-down = on
        akka.coordinated-shutdown.phases.before-cluster-shutdown.timeout = {{(int)options.HandOffDrainTimeout.TotalSeconds + 10}}s
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = on
        akka.coordinated-shutdown.exit-clr = off
        akka.actor.serialize-messages = off
        {{(options.AppVersion is { } version ? $"akka.cluster.app-version = \"{version}\"" : "")}}
        """;

    /// <summary>Creates the SQLite file's directory and switches it to write-ahead logging (readers do not block the single writer).</summary>
    private static void PrepareSqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (directory is not null) Directory.CreateDirectory(directory);
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}
