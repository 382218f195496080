using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using XcsCt.Domain.Detector;
using XcsCt.Messages.Experiments;
using XcsCt.Messages.Scans;
using XcsCt.Messages.Serialization;
using XcsCt.Messages.Tiles;
using XcsCt.Messages.Workers;

namespace XcsCt.Messages.Tests;

public sealed class SerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-tests", ConfigurationFactory.ParseString(XcsSerializer.Hocon));

    public void Dispose() => _system.Dispose();

    private static readonly JobRef Job = new("/data/jobs/ab.job", "ab12");
    private static readonly ScanPlan Plan = new(80, 80, 1000, 16, 4096, [10_000, 5]);
    private static readonly EventCounts Events = new(100, 60, 10, 20, 10, 1, 2);
    private static readonly SparseCounts Counts = SparseCounts.Encode([0, 3, 0, 0, 70000, 1]);
    private static readonly BatchSet Set = BatchSet.Of([0, 1, 2, 7, 9, 10]);

    /// <summary>One sample of every protocol type (the test below checks none is missing).</summary>
    public static IEnumerable<IXcsProtocol> Samples() =>
    [
        new ExperimentCommands.RegisterExperiment("e1", [new ScanEntry("s1", Job), new ScanEntry("s2", Job)], [new SeriesEntry("operando", ["s1", "s2"])]),
        new ExperimentCommands.SubmitScan("e1", "s1", Job),
        new ExperimentCommands.RecordScanOutcome("e1", "s1", 2, ScanOutcome.Failed, "file x missing", null),
        new ExperimentQueries.GetExperimentStatus("e1"),
        new ExperimentReplies.ExperimentAccepted("e1", ["s1"]),
        new ExperimentReplies.ExperimentRejected("e1", "duplicate scan id s1"),
        new ExperimentReplies.ExperimentStatus("e1", true, [new ScanRecord("s1", Job, ScanOutcome.Completed, null, "/r")], []),
        new ExperimentEvents.ExperimentRegistered([new ScanEntry("s1", Job)], [new SeriesEntry("a", ["s1"])]),
        new ExperimentEvents.ScanAdded(new ScanEntry("s3", Job)),
        new ExperimentEvents.ScanResubmitted(new ScanEntry("s3", Job)),
        new ExperimentEvents.ScanCompleted("s1", "/results/e1/s1/1"),
        new ExperimentEvents.ScanFailed("s2", "frame file /x.h5 is missing"),
        new ScanCommands.StartScan("e1", "s1", Job),
        new ScanCommands.SubscribeScan("e1", "s1"),
        new ScanCommands.RequestWork("e1", "s1"),
        new ScanCommands.BatchComputed("e1", "s1", 1, 17),
        new ScanCommands.BatchFailed("e1", "s1", 1, 17, "corrupt", true),
        new ScanCommands.TileReport("e1", "s1", 4, 1, Set, BatchSet.Range(0, 3), true, false),
        new ScanCommands.TileResultWritten("e1", "s1", 4, 1),
        new ScanCommands.OutcomeRecorded("e1", "s1", 1),
        new ScanQueries.GetScanStatus("e1", "s1"),
        new ScanReplies.ScanStatus("e1", "s1", ScanPhase.Running, 1, Job, 120, 37, 37, 2, null, null, Plan),
        new ScanReplies.ScanRejected("e1", "s1", "different job"),
        new ScanReplies.WorkAssigned("e1", "s1", 1, Job, Plan, 3),
        new ScanReplies.NoWork("e1", "s1"),
        new ScanEvents.ScanAccepted(1, Job),
        new ScanEvents.ScanPlanned(Plan),
        new ScanEvents.BatchesCompleted(Set),
        new ScanEvents.BatchesRequeued(3, "node lost"),
        new ScanEvents.ScanFailed("bad file"),
        new ScanEvents.ScanCompleted("/results"),
        new ScanEvents.ScanResumed(37),
        new TileCommands.ApplyPartial("e1", "s1", 3, 1, 9, 4096, Events, Counts),
        new TileCommands.GetTileStatus("e1", "s1", 3, 1),
        new TileCommands.CheckpointTile("e1", "s1", 3, 1),
        new TileCommands.WriteTileResult("e1", "s1", 3, 1, "/results", 256000),
        new TileCommands.ReleaseTile("e1", "s1", 3, 1),
        new TileEvents.TileStarted(2),
        new TileEvents.TileCheckpointed(2, Set),
        new TileSnapshot(2, Set, 8192, Events, Counts),
        new WorkerMessages.WorkAvailable("e1", "s1"),
        new WorkerMessages.HandOffStarting("akka.tcp://xcsct@127.0.0.1:4053", 60),
        new WorkerMessages.PoolIdle("akka.tcp://xcsct@127.0.0.1:4054"),
    ];

    public static IEnumerable<object[]> SampleData() => Samples().Select(s => new object[] { s });

    [Fact]
    public void Every_manifest_type_has_a_sample_and_manifests_are_unique()
    {
        var sampled = Samples().Select(s => s.GetType()).ToHashSet();
        var missing = XcsSerializer.Manifests.Keys.Where(t => !sampled.Contains(t)).Select(t => t.FullName).ToList();
        Assert.Empty(missing);
        Assert.Equal(XcsSerializer.Manifests.Count, XcsSerializer.Manifests.Values.Distinct().Count());
        var protocolTypes = typeof(IXcsProtocol).Assembly.GetTypes()
            .Where(t => typeof(IXcsProtocol).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });
        Assert.Empty(protocolTypes.Where(t => !XcsSerializer.Manifests.ContainsKey(t)).Select(t => t.FullName));
    }

    [Theory]
    [MemberData(nameof(SampleData))]
    public void Round_trips_through_the_serializer_Akka_chooses(IXcsProtocol message)
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<XcsSerializer>(serializer);
        Assert.Equal(XcsSerializer.Id, serializer.Identifier);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        var bytes = serializer.ToBinary(message);
        var back = _system.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
        Assert.IsType(message.GetType(), back);
        // Records holding arrays compare by reference: compare the re-encoded bytes instead.
        Assert.Equal(bytes, serializer.ToBinary(back));
        if (message is not ExperimentCommands.RegisterExperiment and not ExperimentReplies.ExperimentAccepted
            and not ExperimentReplies.ExperimentStatus and not ExperimentEvents.ExperimentRegistered
            and not TileCommands.ApplyPartial and not TileSnapshot)
            Assert.Equal(message, back);
    }

    [Fact]
    public void Unknown_manifest_throws_SerializationException()
    {
        var serializer = new XcsSerializer((ExtendedActorSystem)_system);
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary([0x90], "nope"));
        Assert.Contains("unknown manifest 'nope'", e.Message);
    }

    [Fact]
    public void Type_without_manifest_throws_SerializationException()
    {
        var serializer = new XcsSerializer((ExtendedActorSystem)_system);
        Assert.Throws<SerializationException>(() => serializer.Manifest("not a protocol type"));
        Assert.Throws<SerializationException>(() => serializer.ToBinary("not a protocol type"));
    }

    [Fact]
    public void Garbage_bytes_throw_SerializationException()
    {
        var serializer = new XcsSerializer((ExtendedActorSystem)_system);
        Assert.Throws<SerializationException>(() => serializer.FromBinary([0xC1, 0x00], "sc1"));
    }

    [Fact]
    public void Event_counts_and_sparse_counts_survive_the_trip()
    {
        var serializer = new XcsSerializer((ExtendedActorSystem)_system);
        var snapshot = new TileSnapshot(2, Set, 8192, Events, Counts);
        var back = (TileSnapshot)serializer.FromBinary(serializer.ToBinary(snapshot), "ts1");
        Assert.Equal(Events, back.Events);
        Assert.Equal(new uint[] { 0, 3, 0, 0, 70000, 1 }, back.Counts.ToDense());
        Assert.Equal(Set, back.Applied);
    }

    [Fact]
    public void A_partial_of_a_dense_16x16x1000_tile_fits_a_remoting_frame_of_2_MiB()
    {
        var dense = new uint[16 * 16 * 1000];
        var random = new Random(17);
        for (int i = 0; i < dense.Length; i++) dense[i] = (uint)random.Next(0, 300);
        var message = new TileCommands.ApplyPartial("e1", "s1", 3, 1, 9, 4096, Events, SparseCounts.Encode(dense));
        var bytes = new XcsSerializer((ExtendedActorSystem)_system).ToBinary(message);
        Assert.InRange(bytes.Length, 1, 2 * 1024 * 1024);
    }
}
