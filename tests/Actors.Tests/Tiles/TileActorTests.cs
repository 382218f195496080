using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using MessagePack;
using XcsCt.Actors.Hosting;
using XcsCt.Actors.Scans;
using XcsCt.Actors.Tiles;
using XcsCt.Domain.Detector;
using XcsCt.Messages;
using XcsCt.Messages.Scans;
using XcsCt.Messages.Serialization;
using XcsCt.Messages.Tiles;
using static XcsCt.Messages.Tiles.TileCommands;

namespace XcsCt.Actors.Tests.Tiles;

/// <summary>
/// One tile entity on its own (in-memory journal and snapshot store, a probe for its scan): the
/// exactly-once rules of <see cref="DispatchBook"/> seen from the tile's side.
/// </summary>
public sealed class TileActorTests() : TestKit(Config)
{
    private const string Experiment = "e", Scan = "s";
    private const int TileIndex = 3, Length = 4 * 4 * 10, Generation = 1;

    private static readonly string Config = XcsSerializer.Hocon + """

        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        akka.loglevel = WARNING
        """;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>Checkpoints only when asked (or when this many batches arrive).</summary>
    private static readonly XcsClusterOptions Options = new() { SnapshotInterval = 100, TileIdleCheckpoint = TimeSpan.FromMinutes(10) };

    private IActorRef StartTile(IActorRef scan) =>
        Sys.ActorOf(Props.Create(() => new TileActor($"{Experiment}/{Scan}/{TileIndex}", Options, scan)));

    /// <summary>Batch <paramref name="batch"/>'s partial: a few seeded counts, frames and events that identify it.</summary>
    private static ApplyPartial Partial(int batch)
    {
        var random = new Random(100 + batch);
        var counts = new uint[Length];
        for (int k = 0; k < 12; k++) counts[random.Next(Length)] += (uint)random.Next(1, 50);
        uint kept = 0;
        foreach (var c in counts) kept += c;
        return new ApplyPartial(Experiment, Scan, TileIndex, Generation, batch, 100 + batch,
            new EventCounts(kept, kept, 0, 0, 0, 0, 0), SparseCounts.Encode(counts));
    }

    /// <summary>What the tile holds, written and read back as its result file.</summary>
    private TileSnapshot Result(IActorRef tile)
    {
        var directory = Directory.CreateTempSubdirectory("xcsct-tile-").FullName;
        try
        {
            tile.Tell(new WriteTileResult(Experiment, Scan, TileIndex, Generation, directory, Length));
            ExpectMsg<ScanCommands.TileResultWritten>(Wait);
            return MessagePackSerializer.Deserialize<TileSnapshot>(File.ReadAllBytes(TileResultFiles.PathOf(directory, TileIndex)), XcsSerializer.Options);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static uint[] Sum(params int[] batches)
    {
        var sum = new uint[Length];
        foreach (var b in batches) Partial(b).Counts.AddTo(sum);
        return sum;
    }

    /// <summary>Checkpoints the tile and returns its report to the scan once the snapshot is stored.</summary>
    private ScanCommands.TileReport Checkpoint(IActorRef tile, Akka.TestKit.TestProbe scan)
    {
        tile.Tell(new CheckpointTile(Experiment, Scan, TileIndex, Generation));
        return scan.ExpectMsg<ScanCommands.TileReport>(Wait);
    }

    [Fact]
    public void A_batch_delivered_twice_counts_once()
    {
        var scan = CreateTestProbe();
        var tile = StartTile(scan);
        tile.Tell(Partial(0));
        tile.Tell(Partial(1));
        tile.Tell(Partial(0)); // a retried worker, or a recomputed batch after a loss elsewhere
        var report = Checkpoint(tile, scan);
        Assert.Equal(BatchSet.Of([0, 1]), report.Durable);
        tile.Tell(Partial(1)); // again after it is durable
        tile.Tell(new GetTileStatus(Experiment, Scan, TileIndex, Generation));
        Assert.Equal(BatchSet.Of([0, 1]), ExpectMsg<ScanCommands.TileReport>(Wait).Applied);

        var result = Result(tile);
        Assert.Equal(Sum(0, 1), result.Counts.ToDense());
        Assert.Equal(100 + 101, result.Frames);
        Assert.Equal(Partial(0).Events + Partial(1).Events, result.Events);
    }

    [Fact]
    public void A_tile_restarted_from_its_snapshot_reports_what_it_lost_and_the_scan_sends_it_again()
    {
        var scan = CreateTestProbe();
        var tile = StartTile(scan);
        for (int b = 0; b < 3; b++) tile.Tell(Partial(b));
        Assert.Equal(BatchSet.Of([0, 1, 2]), Checkpoint(tile, scan).Durable);
        tile.Tell(Partial(3));
        tile.Tell(Partial(4));
        tile.Tell(new GetTileStatus(Experiment, Scan, TileIndex, Generation));
        Assert.Equal(BatchSet.Of([0, 1, 2, 3, 4]), ExpectMsg<ScanCommands.TileReport>(Wait).Applied);

        // the node dies: batches 3 and 4 were only in memory
        Watch(tile);
        Sys.Stop(tile);
        ExpectTerminated(tile, Wait);
        var restarted = StartTile(scan);
        var recovered = scan.ExpectMsg<ScanCommands.TileReport>(Wait);
        Assert.True(recovered.Recovered, "the first report of a tile restored from storage must say so");
        Assert.Equal(BatchSet.Of([0, 1, 2]), recovered.Applied);
        Assert.Equal(BatchSet.Of([0, 1, 2]), recovered.Durable);

        // the scan's bookkeeping: five batches delivered, the report sends 3 and 4 again
        var plan = new ScanPlan(4, 4, 10, 4, 1, [5]).Validated();
        var book = new DispatchBook(plan, BatchSet.Empty);
        for (int b = 0; b < 5; b++)
        {
            Assert.Equal(b, book.Assign("pool"));
            book.Computed(b);
        }
        var (complete, requeued) = book.Report(0, recovered.Applied, recovered.Durable, recovered.Recovered, settled: false);
        Assert.Equal(BatchSet.Of([0, 1, 2]), complete);
        Assert.Equal(2, requeued);
        var again = new List<int>();
        while (book.Assign("pool") is { } b) again.Add(b);
        Assert.Equal([3, 4], again);

        foreach (var b in again) restarted.Tell(Partial(b));
        restarted.Tell(Partial(1)); // and a stray duplicate of a durable one
        var result = Result(restarted);
        Assert.Equal(Sum(0, 1, 2, 3, 4), result.Counts.ToDense());
        Assert.Equal(BatchSet.Of([0, 1, 2, 3, 4]), result.Applied);
        Assert.Equal(100 + 101 + 102 + 103 + 104, result.Frames);
    }
}
