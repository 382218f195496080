using System.Net;
using System.Net.Sockets;
using XcsCt.Actors.Client;
using XcsCt.Actors.Hosting;
using XcsCt.Domain.Spectra;

namespace XcsCt.Integration.Cluster;

/// <summary>Helpers for cluster tests: temporary data directories, free loopback ports, node options.</summary>
public static class ClusterTesting
{
    public static string TempDirectory(string name) => Directory.CreateTempSubdirectory("xcsct-" + name + "-").FullName;

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static XcsClusterOptions Node(string data, int port = 0, IReadOnlyList<string>? seeds = null, int snapshotInterval = 4, int inFlight = 2) => new()
    {
        DataDirectory = data,
        Port = port,
        Seeds = seeds ?? [],
        SnapshotInterval = snapshotInterval,
        MaxBatchesInFlight = inFlight,
        TileSize = 16,
        ShardCount = 30,
        StableAfter = TimeSpan.FromSeconds(3),
        TileIdleCheckpoint = TimeSpan.FromMilliseconds(300),
    };

    public static string Seed(int port) => $"akka.tcp://{XcsClusterHosting.SystemName}@127.0.0.1:{port}";

    /// <summary>Asserts two spectra are bit-identical (counts, frames, events).</summary>
    public static void AssertIdentical(PixelSpectra expected, PixelSpectra actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.Axis, actual.Axis);
        Assert.Equal(expected.Frames, actual.Frames);
        Assert.Equal(expected.Events, actual.Events);
        Assert.True(expected.Counts.AsSpan().SequenceEqual(actual.Counts), "pixel spectra differ");
    }

    public static async Task<T> Within<T>(Task<T> task, int seconds = 120) => await task.WaitAsync(TimeSpan.FromSeconds(seconds));
}
