using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using XcsCt.Messages.Experiments;
using XcsCt.Messages.Scans;
using XcsCt.Messages.Tiles;
using XcsCt.Messages.Workers;

namespace XcsCt.Messages.Serialization;

/// <summary>
/// The one serializer of every <see cref="IXcsProtocol"/> type (messages, events, snapshots):
/// MessagePack contracts with <see cref="MessagePackSecurity.UntrustedData"/>, one short string
/// manifest per type. An unknown manifest or type throws <see cref="SerializationException"/>.
/// Manifests and MessagePack keys are only ever appended, so stored journals stay readable.
/// </summary>
public sealed class XcsSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Akka serializer identifier (above 100, fixed forever).</summary>
    public const int Id = 431;

    /// <summary>Name under which the serializer is registered in configuration.</summary>
    public const string Name = "xcsct";

    /// <summary>HOCON that registers this serializer for every <see cref="IXcsProtocol"/> type (for systems built without Akka.Hosting).</summary>
    public const string Hocon = """
        akka.actor.serializers.xcsct = "XcsCt.Messages.Serialization.XcsSerializer, XcsCt.Messages"
        akka.actor.serialization-bindings { "XcsCt.Messages.IXcsProtocol, XcsCt.Messages" = xcsct }
        akka.actor.serialization-identifiers { "XcsCt.Messages.Serialization.XcsSerializer, XcsCt.Messages" = 431 }
        """;

    /// <summary>MessagePack options shared by the serializer and the job and result files.</summary>
    public static MessagePackSerializerOptions Options { get; } = MessagePackSerializerOptions.Standard
        .WithResolver(CompositeResolver.Create(
            new IMessagePackFormatter[] { EventCountsFormatter.Instance },
            new IFormatterResolver[] { StandardResolver.Instance }))
        .WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Manifest of every protocol type. Append only; never reuse or change a manifest.</summary>
    public static IReadOnlyDictionary<Type, string> Manifests { get; } = new Dictionary<Type, string>
    {
        // experiment
        [typeof(ExperimentCommands.RegisterExperiment)] = "xe1",
        [typeof(ExperimentCommands.SubmitScan)] = "xe2",
        [typeof(ExperimentCommands.RecordScanOutcome)] = "xe3",
        [typeof(ExperimentQueries.GetExperimentStatus)] = "xq1",
        [typeof(ExperimentReplies.ExperimentAccepted)] = "xr1",
        [typeof(ExperimentReplies.ExperimentRejected)] = "xr2",
        // "xr3" retired before release: never reuse it
        [typeof(ExperimentReplies.ExperimentStatus)] = "xr4",
        [typeof(ExperimentEvents.ExperimentRegistered)] = "xv1",
        [typeof(ExperimentEvents.ScanAdded)] = "xv2",
        [typeof(ExperimentEvents.ScanResubmitted)] = "xv3",
        [typeof(ExperimentEvents.ScanCompleted)] = "xv4",
        [typeof(ExperimentEvents.ScanFailed)] = "xv5",
        // scan
        [typeof(ScanCommands.StartScan)] = "sc1",
        [typeof(ScanCommands.SubscribeScan)] = "sc2",
        [typeof(ScanCommands.RequestWork)] = "sc3",
        [typeof(ScanCommands.BatchComputed)] = "sc4",
        [typeof(ScanCommands.BatchFailed)] = "sc5",
        [typeof(ScanCommands.TileReport)] = "sc6",
        [typeof(ScanCommands.TileResultWritten)] = "sc7",
        [typeof(ScanCommands.OutcomeRecorded)] = "sc8",
        [typeof(ScanQueries.GetScanStatus)] = "sq1",
        [typeof(ScanReplies.ScanStatus)] = "sr1",
        [typeof(ScanReplies.ScanRejected)] = "sr2",
        [typeof(ScanReplies.WorkAssigned)] = "sr3",
        [typeof(ScanReplies.NoWork)] = "sr4",
        [typeof(ScanEvents.ScanAccepted)] = "sv1",
        [typeof(ScanEvents.ScanPlanned)] = "sv2",
        [typeof(ScanEvents.BatchesCompleted)] = "sv3",
        [typeof(ScanEvents.BatchesRequeued)] = "sv4",
        [typeof(ScanEvents.ScanFailed)] = "sv5",
        [typeof(ScanEvents.ScanCompleted)] = "sv6",
        [typeof(ScanEvents.ScanResumed)] = "sv7",
        // tile
        [typeof(TileCommands.ApplyPartial)] = "tc1",
        [typeof(TileCommands.GetTileStatus)] = "tc2",
        [typeof(TileCommands.CheckpointTile)] = "tc3",
        [typeof(TileCommands.WriteTileResult)] = "tc4",
        [typeof(TileCommands.ReleaseTile)] = "tc5",
        [typeof(TileEvents.TileStarted)] = "tv1",
        [typeof(TileEvents.TileCheckpointed)] = "tv2",
        [typeof(TileSnapshot)] = "ts1",
        // workers
        [typeof(WorkerMessages.WorkAvailable)] = "wk1",
        [typeof(WorkerMessages.HandOffStarting)] = "wk2",
        [typeof(WorkerMessages.PoolIdle)] = "wk3",
    };

    private static readonly Dictionary<string, Type> Types = Manifests.ToDictionary(kv => kv.Value, kv => kv.Key);

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new SerializationException($"xcsct serializer: type {o.GetType().FullName} has no manifest; add it to XcsSerializer.Manifests");

    public override byte[] ToBinary(object obj)
    {
        var type = obj.GetType();
        if (!Manifests.ContainsKey(type))
            throw new SerializationException($"xcsct serializer: type {type.FullName} has no manifest; add it to XcsSerializer.Manifests");
        return MessagePackSerializer.Serialize(type, obj, Options);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
            throw new SerializationException($"xcsct serializer: unknown manifest '{manifest}'");
        try
        {
            return MessagePackSerializer.Deserialize(type, bytes, Options)
                ?? throw new SerializationException($"xcsct serializer: manifest '{manifest}' decoded to null");
        }
        catch (MessagePackSerializationException e)
        {
            throw new SerializationException($"xcsct serializer: cannot decode {bytes.Length} bytes as {type.Name} (manifest '{manifest}'): {e.Message}", e);
        }
    }
}
