using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using MessagePack;
using XcsCt.Actors.Hosting;
using XcsCt.Messages.Scans;
using XcsCt.Messages.Serialization;
using XcsCt.Messages.Tiles;
using static XcsCt.Messages.Tiles.TileCommands;

namespace XcsCt.Actors.Tiles;

/// <summary>
/// One tile of one scan (<c>experiment/scan/tile</c>): adds each batch's partial once, snapshots
/// spectra and applied set every <see cref="XcsClusterOptions.SnapshotInterval"/> batches (or when
/// idle or asked), and reports to its scan what is durable. Its journal holds one
/// <see cref="TileEvents.TileStarted"/> per generation; its one snapshot is replaced in place. See <see cref="Scans.DispatchBook"/>
/// for the exactly-once design.
/// </summary>
public sealed class TileActor : ReceivePersistentActor, IWithTimers
{
    private readonly string _experimentId;
    private readonly string _scanId;
    private readonly int _tile;
    private readonly XcsClusterOptions _options;
    private readonly IActorRef _scans;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private TileState _state = TileState.Empty;
    private TileAccumulator? _counts;
    private Messages.BatchSet? _saving;

    public TileActor(string entityId, XcsClusterOptions options, IActorRef scans)
    {
        var parts = entityId.Split('/');
        (_experimentId, _scanId, _tile) = (parts[0], parts[1], int.Parse(parts[2]));
        _options = options;
        _scans = scans;
        PersistenceId = "tile-" + entityId;

        Recover<SnapshotOffer>(offer => Restore((TileSnapshot)offer.Snapshot));
        Recover<TileEvents.ITileEvent>(e =>
        {
            if (e is TileEvents.TileStarted) _counts = null;
            _state = _state.Apply(e);
        });
        Recover<RecoveryCompleted>(_ =>
        {
            if (_state.Started) _scans.Tell(Report(recovered: true, settled: false));
        });

        Command<ApplyPartial>(OnPartial);
        Command<GetTileStatus>(_ => Sender.Tell(Report(recovered: false, settled: false)));
        Command<CheckpointTile>(c =>
        {
            if (c.Generation == _state.Generation && _state.HasUndurable) Checkpoint();
            else Sender.Tell(Report(recovered: false, settled: true));
        });
        Command<IdleCheckpoint>(_ => Checkpoint());
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(f =>
        {
            _log.Warning(f.Cause, "tile {0}: snapshot failed, retrying", PersistenceId);
            _saving = null;
            Timers.StartSingleTimer(IdleCheckpoint.Instance, IdleCheckpoint.Instance, _options.TileIdleCheckpoint);
        });
        Command<DeleteSnapshotsSuccess>(_ => _log.Debug("tile {0}: older snapshots deleted", PersistenceId));
        Command<DeleteSnapshotsFailure>(f => _log.Warning(f.Cause, "tile {0}: older snapshots not deleted", PersistenceId));
        Command<DeleteMessagesSuccess>(_ => _log.Debug("tile {0}: journal markers deleted", PersistenceId));
        Command<DeleteMessagesFailure>(f => _log.Warning(f.Cause, "tile {0}: journal markers not deleted", PersistenceId));
        Command<WriteTileResult>(OnWriteResult);
        Command<ReleaseTile>(r =>
        {
            if (r.Generation < _state.Generation) return;
            DeleteSnapshots(SnapshotSelectionCriteria.Latest);
            DeleteMessages(long.MaxValue);
            StopEntity.Passivate(Context);
        });
        Command<StopEntity>(_ => Context.Stop(Self));
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    private void OnPartial(ApplyPartial partial)
    {
        switch (_state.Decide(partial.Generation, partial.Batch))
        {
            case PartialDecision.Start:
                Persist(new TileEvents.TileStarted(partial.Generation), e =>
                {
                    _state = _state.Apply(e);
                    _counts = null;
                    _saving = null;
                    // an older generation's snapshot (its TileStarted is older) is of no use any more
                    if (LastSequenceNr > 1) DeleteSnapshots(new SnapshotSelectionCriteria(LastSequenceNr - 1));
                    Add(partial);
                });
                break;
            case PartialDecision.Apply:
                Add(partial);
                break;
            case PartialDecision.Duplicate:
                _log.Debug("tile {0}: batch {1} already applied, ignored", PersistenceId, partial.Batch);
                break;
            case PartialDecision.Stale:
                _log.Debug("tile {0}: batch {1} of old generation {2} ignored", PersistenceId, partial.Batch, partial.Generation);
                break;
        }
    }

    private void Add(ApplyPartial partial)
    {
        _counts ??= new TileAccumulator(partial.Counts.Length);
        _counts.Add(partial);
        _state = _state.WithApplied(partial.Batch);
        if (_state.CheckpointDue(_options.SnapshotInterval)) Checkpoint();
        else Timers.StartSingleTimer(IdleCheckpoint.Instance, IdleCheckpoint.Instance, _options.TileIdleCheckpoint);
    }

    /// <summary>
    /// Snapshots spectra and applied set at the generation's sequence number (that of its
    /// <see cref="TileEvents.TileStarted"/>): the store replaces the tile's previous snapshot in
    /// one write, so a checkpoint costs one transaction and the tile holds one snapshot row.
    /// </summary>
    private void Checkpoint()
    {
        if (_saving is not null || !_state.HasUndurable || _counts is null) return;
        var applied = _state.Applied;
        _saving = applied;
        SaveSnapshot(_counts.ToSnapshot(_state.Generation, applied));
    }

    private void OnSnapshotSaved(SaveSnapshotSuccess saved)
    {
        if (_saving is null) return; // a generation restart overtook this snapshot
        _state = _state.Checkpointed(_saving);
        _saving = null;
        _scans.Tell(Report(recovered: false, settled: !_state.HasUndurable));
        if (_state.CheckpointDue(_options.SnapshotInterval)) Checkpoint();
    }

    private void OnWriteResult(WriteTileResult write)
    {
        if (write.Generation != _state.Generation && _state.Started) return;
        var snapshot = _counts?.ToSnapshot(_state.Generation, _state.Applied)
            ?? new TileSnapshot(write.Generation, _state.Applied, 0, default, Messages.SparseCounts.Empty(write.Length));
        Directory.CreateDirectory(write.Directory);
        var path = TileResultFiles.PathOf(write.Directory, _tile);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, MessagePackSerializer.Serialize(snapshot, XcsSerializer.Options));
        File.Move(temp, path, overwrite: true);
        Sender.Tell(new ScanCommands.TileResultWritten(_experimentId, _scanId, _tile, write.Generation));
    }

    private void Restore(TileSnapshot snapshot)
    {
        _state = TileState.FromSnapshot(snapshot);
        _counts = new TileAccumulator(snapshot.Counts.Length);
        _counts.Restore(snapshot);
    }

    private ScanCommands.TileReport Report(bool recovered, bool settled) =>
        new(_experimentId, _scanId, _tile, _state.Generation, _state.Applied, _state.Durable, recovered, settled);

    /// <summary>Timer: snapshot what is applied but not yet durable.</summary>
    private sealed class IdleCheckpoint : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly IdleCheckpoint Instance = new();
    }
}

/// <summary>Where tiles write their part of a scan's result.</summary>
public static class TileResultFiles
{
    public static string PathOf(string directory, int tile) => Path.Combine(directory, $"tile-{tile:D5}.bin");
}

/// <summary>Registry key of the tile shard region.</summary>
public sealed class TileRegion;

public static class TileHosting
{
    /// <summary>The tile shard region (remembered entities: a lost node's tiles restart elsewhere and report what they lost).</summary>
    public static AkkaConfigurationBuilder AddTileRegion(this AkkaConfigurationBuilder builder, XcsClusterOptions options, ShardOptions shardOptions) =>
        builder.WithShardRegion<TileRegion>("xcs-tile",
            (_, registry, _) => entityId => Props.Create(() => new TileActor(entityId, options, registry.Get<Scans.ScanRegion>())),
            new EntityExtractor(options.ShardCount, m => m is Messages.IWithTileId t ? Messages.EntityIds.Tile(t.ExperimentId, t.ScanId, t.Tile) : null),
            shardOptions);
}
