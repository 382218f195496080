using System.Diagnostics;
using System.Text;

namespace XcsCt.Integration.Cluster;

/// <summary>
/// The <c>xcsct</c> program as a child process: the Host build output copied beside the tests
/// (the project reference to src/Host), run with <c>dotnet xcsct.dll</c>. Output is collected as
/// it comes, so a killed process still shows what it printed.
/// </summary>
public sealed class XcsctProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private XcsctProcess(Process process) => _process = process;

    /// <summary>The <c>xcsct.dll</c> beside the test assembly.</summary>
    public static string Program
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "xcsct.dll");
            if (!File.Exists(path)) throw new InvalidOperationException($"{path} is missing: build tests/Integration (it references src/Host)");
            return path;
        }
    }

    /// <summary>Starts <c>dotnet xcsct.dll args</c> (non-interactive: a line per job on stderr).</summary>
    public static XcsctProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Program);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["XCSCT_DEBUG"] = "1";
        info.Environment["TERM"] = "dumb";
        var process = new Process { StartInfo = info };
        var started = new XcsctProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (started._stdout) started._stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (started._stderr) started._stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Runs to the end and returns (exit code, stdout, stderr).</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var p = Start(args);
        int code = await p.WaitAsync(timeout);
        return (code, p.Out, p.Err);
    }

    public bool HasExited => _process.HasExited;

    public string Out { get { lock (_stdout) return _stdout.ToString(); } }

    public string Err { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>SIGKILL: no shutdown hook runs, nothing is flushed.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"xcsct did not finish within {timeout}; stderr:\n{Err}");
        }
        _process.WaitForExit(); // drains the output handlers
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
