using Microsoft.Data.Sqlite;
using XcsCt.Actors.Hosting;

namespace XcsCt.Actors.Client;

/// <summary>Rows and payload bytes of one table of the journal database.</summary>
public sealed record TableFootprint(string Table, long Rows, long PayloadBytes);

/// <summary>
/// What an embedded node's SQLite journal holds (ARCHITECTURE guarantee 3, "small journal"):
/// the file's size on disk (database plus write-ahead log; SQLite reuses freed pages but does not
/// give them back, so this is close to the peak) and, per table, rows and payload bytes now.
/// Entities' events are in <c>journal</c>, tile spectra in <c>snapshot</c> (each tile deletes its
/// older snapshots and, once its scan is complete, all of them), the sharding store's in the
/// <c>sharding_*</c> tables.
/// </summary>
public sealed record JournalFootprint(long FileBytes, IReadOnlyList<TableFootprint> Tables)
{
    /// <summary>Payload column of each table (Akka.Persistence.Sql default schema).</summary>
    private static readonly (string Table, string Payload)[] Payloads =
    [
        ("journal", "message"),
        ("snapshot", "snapshot"),
        ("sharding_journal", "payload"),
        ("sharding_snapshot", "payload"),
    ];

    public TableFootprint Table(string name) => Tables.FirstOrDefault(t => t.Table == name) ?? new TableFootprint(name, 0, 0);

    /// <summary>Entities' events: rows and bytes of the <c>journal</c> table.</summary>
    public TableFootprint Events => Table("journal");

    /// <summary>Measures the SQLite journal of <paramref name="options"/> (which must use <see cref="JournalProvider.Sqlite"/>).</summary>
    public static JournalFootprint Measure(XcsClusterOptions options)
    {
        if (options.Journal != JournalProvider.Sqlite)
            throw new ArgumentException("the journal footprint is measured on the embedded SQLite journal only");
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        string file = Path.GetFullPath(builder.DataSource);
        long bytes = 0;
        foreach (var part in new[] { file, file + "-wal" })
            if (File.Exists(part)) bytes += new FileInfo(part).Length;
        var tables = new List<TableFootprint>();
        using var connection = new SqliteConnection(builder.ConnectionString);
        connection.Open();
        foreach (var (table, payload) in Payloads)
        {
            using var exists = connection.CreateCommand();
            exists.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
            exists.Parameters.AddWithValue("$name", table);
            if ((long)exists.ExecuteScalar()! == 0) continue;
            using var query = connection.CreateCommand();
            query.CommandText = $"SELECT COUNT(*), COALESCE(SUM(LENGTH({payload})), 0) FROM {table}";
            using var reader = query.ExecuteReader();
            reader.Read();
            tables.Add(new TableFootprint(table, reader.GetInt64(0), reader.GetInt64(1)));
        }
        return new JournalFootprint(bytes, tables);
    }
}
