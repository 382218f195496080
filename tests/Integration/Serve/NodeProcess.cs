using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using XcsCt.Domain.Simulation;

namespace XcsCt.Integration.Serve;

/// <summary>Runs the real <c>xcsct</c> program (built beside the tests) as a child process.</summary>
internal static class Xcsct
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "xcsct.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["COLUMNS"] = "200";
        psi.Environment.Remove("XCSCT_DEBUG");
        psi.Environment.Remove("XCSCT_TOKEN");
        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("XCSCT__", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(key);
        return psi;
    }

    public static async Task<Result> RunAsync(string workingDirectory, params string[] args)
    {
        using var p = Process.Start(StartInfo(workingDirectory, args))!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        try
        {
            await p.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"xcsct {string.Join(' ', args)} did not finish within 8 minutes");
        }
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A small simulated coin cell (2 scans x 500 frames, 200-frame reference runs) under <paramref name="root"/>/sim.</summary>
    public static SimulatedExperiment Simulate(string root) =>
        ExperimentSimulator.Write(Path.Combine(root, "sim"),
            new SimulationOptions("lib-nmc811", Scans: 2, Frames: 500, Seed: 11) { Xct = false, ReferenceFrames = 200 }, force: true);
}

/// <summary>An <c>xcsct serve</c> child process on loopback; disposed: killed, and its log kept for failure messages.</summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private NodeProcess(Process process, string url, int remotingPort)
    {
        (_process, Url, RemotingPort) = (process, url, remotingPort);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Url { get; }
    public int RemotingPort { get; }
    public string Address => $"akka.tcp://xcsct@127.0.0.1:{RemotingPort}";
    public bool HasExited => _process.HasExited;

    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>Starts a node and waits until <c>/healthz/ready</c> answers 200.</summary>
    public static async Task<NodeProcess> StartAsync(string root, string data, params string[] extra)
    {
        int http = Xcsct.FreePort(), remoting = Xcsct.FreePort();
        string url = $"http://127.0.0.1:{http}";
        var args = new List<string> { "serve", "--url", url, "--port", remoting.ToString(), "--data", data, "--data-root", root };
        args.AddRange(extra);
        var process = Process.Start(Xcsct.StartInfo(root, args))!;
        process.StandardInput.Close();
        var node = new NodeProcess(process, url, remoting);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"xcsct serve exited with {process.ExitCode}:\n{node.Log}");
            try
            {
                if ((await client.GetAsync(url + "/healthz/ready")).StatusCode == HttpStatusCode.OK) return node;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            if (DateTime.UtcNow > deadline)
            {
                await node.DisposeAsync();
                throw new TimeoutException($"xcsct serve at {url} not ready within 3 minutes:\n{node.Log}");
            }
            await Task.Delay(300);
        }
    }

    /// <summary>Waits (bounded) for the process to exit by itself; true when it did.</summary>
    public async Task<bool> ExitedWithinAsync(TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>The serve tests start several processes each: they run one after another, not beside each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServeCollection
{
    public const string Name = "xcsct serve processes";
}

/// <summary>A temporary directory for one test, removed afterwards.</summary>
internal sealed class TempRoot : IDisposable
{
    public TempRoot(string name) => Path = Directory.CreateTempSubdirectory("xcsct-" + name + "-").FullName;

    public string Path { get; }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
