using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using XcsCt.Domain.Simulation;
using XcsCt.Host.Serve;

namespace XcsCt.Host.Tests.Serve;

/// <summary>
/// A small simulated coin-cell experiment (2 scans x 500 frames, 200-frame reference runs) inside
/// a data root, made once per test class that uses it.
/// </summary>
public sealed class SimulatedRoot : IDisposable
{
    public SimulatedRoot()
    {
        Root = Directory.CreateTempSubdirectory("xcsct-serve-").FullName;
        var sim = ExperimentSimulator.Write(Path.Combine(Root, "sim"),
            new SimulationOptions("lib-nmc811", Scans: 2, Frames: 500, Seed: 7) { Xct = false, ReferenceFrames = 200 }, force: true);
        Manifest = sim.Manifest;
        Experiment = sim.Experiment;
        ManifestText = File.ReadAllText(Manifest);
    }

    /// <summary>The data root (the simulation is in <c>sim/</c> below it).</summary>
    public string Root { get; }

    public string Manifest { get; }

    public string ManifestText { get; }

    public string Experiment { get; }

    public string SimDirectory => Path.GetDirectoryName(Manifest)!;

    /// <summary>The manifest with another experiment id (same files).</summary>
    public string WithId(string id) => ManifestText.Replace($"experiment: {Experiment}", $"experiment: {id}");

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

internal static class ServeTesting
{
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static ServeOptions Options(string root, string data, int httpPort = 5080, string? token = null, RunnerKind runner = RunnerKind.Direct) => new()
    {
        Http = new HttpSettings { Url = $"http://127.0.0.1:{httpPort}", MaxBodyBytes = 64 * 1024, HeadersTimeoutS = 2 },
        DataDirectory = data,
        DataRoots = [root],
        Token = token,
        Runner = runner,
        JournalProbeIntervalS = 2,
    };

    public static ServeMetrics Metrics() => new(new TestMeterFactory());

    public static ExperimentService Service(ServeOptions options, IScanRunnerSource runners) =>
        new(options.Validated(), runners, Metrics(), NullLogger<ExperimentService>.Instance);

    /// <summary>Polls until <paramref name="done"/> holds (bounded: fails after <paramref name="seconds"/>).</summary>
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, int seconds = 180)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await probe();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not reached within {seconds} s; last: {value}");
            await Task.Delay(200);
        }
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var m in _meters) m.Dispose();
        }
    }
}
