using System.Diagnostics;
using Npgsql;

namespace XcsCt.Integration.Cluster;

/// <summary>
/// A private PostgreSQL server for one test class: a fresh cluster in a temporary directory
/// (Debian's <c>initdb</c>/<c>pg_ctl</c>), trust authentication, listening on a free loopback port
/// and a socket in that directory, with one empty database. PostgreSQL refuses to run as root,
/// so as root the directory is given to the <c>postgres</c> system user and the binaries run as
/// that user (<c>runuser</c>). Without the binaries the fixture fails, naming the package to install.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string Database = "xcsct";
    private const string SystemUser = "postgres";
    private string _directory = "";
    private string _bin = "";

    public int Port { get; private set; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username={SystemUser};Database={Database};Pooling=true;Timeout=30;Command Timeout=60";

    public async Task InitializeAsync()
    {
        _bin = FindBinaries();
        _directory = ClusterTesting.TempDirectory("pg");
        string data = Path.Combine(_directory, "pgdata");
        if (Environment.IsPrivilegedProcess) Run("chown", ["-R", $"{SystemUser}:{SystemUser}", _directory]);
        Port = ClusterTesting.FreePort();
        RunPostgres("initdb", ["-D", data, "-U", SystemUser, "-A", "trust", "-E", "UTF8", "--no-sync"]);
        RunPostgres("pg_ctl", ["-D", data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"]);
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username={SystemUser};Database=postgres;Pooling=false");
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", connection);
        await create.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_bin.Length > 0 && Directory.Exists(Path.Combine(_directory, "pgdata")))
            RunPostgres("pg_ctl", ["-D", Path.Combine(_directory, "pgdata"), "-m", "immediate", "-w", "stop"], check: false);
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The PostgreSQL server binaries (the newest installed major version).</summary>
    private static string FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        var bins = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out int v) ? v : 0).ToList()
            : [];
        if (bins.Count == 0)
            throw new InvalidOperationException(
                $"PostgreSQL server binaries (initdb, pg_ctl) not found under {root}/<version>/bin: install them (apt-get install postgresql) to run the PostgreSQL journal tests");
        return bins[0];
    }

    private void RunPostgres(string program, string[] args, bool check = true)
    {
        string path = Path.Combine(_bin, program);
        if (Environment.IsPrivilegedProcess) Run("runuser", ["-u", SystemUser, "--", path, .. args], check);
        else Run(path, args, check);
    }

    private static void Run(string program, string[] args, bool check = true)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in 2 minutes");
        }
        if (check && process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
    }
}
