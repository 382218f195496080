using XcsCt.Messages;
using XcsCt.Messages.Scans;

namespace XcsCt.Actors.Scans;

/// <summary>
/// The in-memory bookkeeping of a running scan generation (rebuilt after a move or restart):
/// which batches wait, which a worker pool holds, which were delivered to the tiles, and what
/// each tile holds durably. No Akka, no clock: the scan actor feeds it events and acts on its
/// answers.
/// </summary>
/// <remarks>
/// Exactly-once design. A tile keeps its spectra in memory and snapshots them (with the set of
/// batches they contain) every N batches; its journal holds only markers, never counts, so the
/// journal grows with batches and tiles, not photons. A batch is complete only when it is in the
/// snapshot of every tile; only then does the scan persist it. A tile that restarts from its
/// snapshot reports what it holds; every batch delivered to it but missing there is dispatched
/// again (all tiles receive the recomputed partials; those that already hold the batch ignore
/// it). Rework after a loss is therefore bounded by the batches not yet durable everywhere, and
/// those are capped: no batch is handed out while <see cref="MaxUndurable"/> batches are assigned
/// or delivered but not complete (tiles that lag in saving snapshots, or a lost node's tiles not
/// restarted yet, hold the dispatch back instead of piling up work to redo).
/// </remarks>
public sealed class DispatchBook
{
    private readonly ScanPlan _plan;
    private readonly SortedSet<int> _pending = [];
    private readonly Dictionary<int, string> _assigned = [];
    private readonly HashSet<int> _delivered = [];
    private readonly BatchSet[] _durable;
    private readonly BatchSet[] _applied;
    private readonly Dictionary<int, int> _failures = [];
    private readonly HashSet<int> _lostWithPool = [];
    private readonly Dictionary<int, int> _deliveredIn = [];
    private int _round;

    /// <param name="plan">The scan's plan.</param>
    /// <param name="completed">Batches already durable everywhere.</param>
    /// <param name="maxUndurable">Most batches assigned or delivered and not yet complete at any time.</param>
    public DispatchBook(ScanPlan plan, BatchSet completed, int maxUndurable = int.MaxValue)
    {
        if (maxUndurable <= 0) throw new ArgumentOutOfRangeException(nameof(maxUndurable), maxUndurable, "must be positive");
        _plan = plan;
        MaxUndurable = maxUndurable;
        Completed = completed;
        _durable = Enumerable.Repeat(BatchSet.Empty, plan.TileCount).ToArray();
        _applied = Enumerable.Repeat(BatchSet.Empty, plan.TileCount).ToArray();
        foreach (var b in BatchSet.Range(0, plan.BatchCount).Except(completed).Indices()) _pending.Add(b);
    }

    /// <summary>Batches durable on every tile (persisted by the scan).</summary>
    public BatchSet Completed { get; private set; }

    /// <summary>Batches some tile reported applied (in memory or durably): computed at least once already.</summary>
    public BatchSet AppliedAnywhere { get; private set; } = BatchSet.Empty;

    public int MaxUndurable { get; }

    public int Pending => _pending.Count;

    /// <summary>Batches wait, but <see cref="MaxUndurable"/> are assigned or delivered and not complete: durability must catch up first.</summary>
    public bool Throttled => _pending.Count > 0 && _assigned.Count + _delivered.Count >= MaxUndurable;
    public int Assigned => _assigned.Count;
    public int Delivered => _delivered.Count;

    /// <summary>Nothing waits for a worker and no worker holds a batch: only durability is missing.</summary>
    public bool AllDelivered => _pending.Count == 0 && _assigned.Count == 0;

    public bool AllComplete => Completed.CoversAll(_plan.BatchCount);

    /// <summary>The lowest waiting batch, now held by <paramref name="pool"/>; null when none waits or while <see cref="Throttled"/>.</summary>
    public int? Assign(string pool)
    {
        if (_pending.Count == 0 || Throttled) return null;
        int batch = _pending.Min;
        _pending.Remove(batch);
        _lostWithPool.Remove(batch);
        _assigned[batch] = pool;
        return batch;
    }

    /// <summary>
    /// A worker sent every tile its partial of <paramref name="batch"/>. Also when the batch waits
    /// again because the scan moved (a worker of its earlier incarnation finishing it): it is
    /// delivered and need not be computed again; a partial lost on the way shows when the tiles
    /// settle. A batch that waits again because its worker's node was lost keeps waiting (partials
    /// may have been lost with the node).
    /// </summary>
    public void Computed(int batch)
    {
        _assigned.Remove(batch);
        if (Completed.Contains(batch) || (_pending.Contains(batch) && _lostWithPool.Contains(batch))) return;
        _pending.Remove(batch);
        if (_delivered.Add(batch)) _deliveredIn[batch] = _round;
    }

    /// <summary>The scan's clock, in its ticks: how long ago a batch was delivered (see <see cref="RequeueLost"/>).</summary>
    public void NextRound() => _round++;

    /// <summary>
    /// A tile holds nothing it has not snapshotted (<paramref name="applied"/>), yet batches still
    /// wait for workers: a batch delivered at least <paramref name="rounds"/> rounds ago that the
    /// tile lacks lost its partial on the way (a region drops what it buffered for a shard being
    /// handed off in a rebalance) and waits again; it would otherwise stay undurable until the
    /// end and hold the dispatch back. Returns how many wait again.
    /// </summary>
    public int RequeueLost(int tile, BatchSet applied, int rounds)
    {
        var holds = applied.Union(_durable[tile]);
        var lost = _delivered.Where(b => !holds.Contains(b) && _round - _deliveredIn.GetValueOrDefault(b, _round) >= rounds).ToList();
        foreach (var b in lost)
        {
            _delivered.Remove(b);
            Requeue(b);
        }
        return lost.Count;
    }

    /// <summary>A worker could not compute <paramref name="batch"/>; returns how often it failed so far (the batch waits again).</summary>
    public int Failed(int batch)
    {
        _assigned.Remove(batch);
        Requeue(batch);
        return _failures[batch] = _failures.GetValueOrDefault(batch) + 1;
    }

    /// <summary>The pool (its node) is gone: its batches wait again. Returns how many.</summary>
    public int PoolLost(string pool)
    {
        var lost = _assigned.Where(kv => kv.Value == pool).Select(kv => kv.Key).ToList();
        foreach (var b in lost)
        {
            _assigned.Remove(b);
            _lostWithPool.Add(b);
            Requeue(b);
        }
        return lost.Count;
    }

    /// <summary>
    /// A tile's report. Returns the batches now durable everywhere (to persist) and how many
    /// batches were sent again: when <paramref name="recovered"/> (the tile restarted from its
    /// snapshot) or <paramref name="settled"/> (an answer to a checkpoint request once everything
    /// was delivered), every delivered batch the tile does not hold is lost and waits again.
    /// </summary>
    public (BatchSet NewlyComplete, int Requeued) Report(int tile, BatchSet applied, BatchSet durable, bool recovered, bool settled)
    {
        _durable[tile] = _durable[tile].Union(durable);
        // a tile restarted from its snapshot holds only what it reports now
        _applied[tile] = (recovered ? BatchSet.Empty : _applied[tile]).Union(applied).Union(durable);
        AppliedAnywhere = AppliedAnywhere.Union(applied).Union(durable);
        int requeued = 0;
        if (recovered || settled)
        {
            foreach (var b in _delivered.Where(b => !applied.Contains(b) && !_durable[tile].Contains(b)).ToList())
            {
                _delivered.Remove(b);
                Requeue(b);
                requeued++;
            }
        }
        var everywhere = _durable.Aggregate((a, b) => a.Intersect(b));
        return (everywhere.Except(Completed), requeued);
    }

    /// <summary>
    /// After the survey of a moved or restarted scan: a batch every tile holds (in memory or
    /// durably) was delivered by a worker of the earlier incarnation and only waits for the tiles'
    /// next snapshots; a batch only some tiles hold lost partials (or has some still on their way)
    /// and waits for a worker again. Returns how many wait again: those are computed twice.
    /// </summary>
    public int AdoptSurvey()
    {
        var everywhere = _applied.Aggregate((a, b) => a.Intersect(b)).Except(Completed);
        foreach (var b in everywhere.Indices())
        {
            _pending.Remove(b);
            if (_delivered.Add(b)) _deliveredIn[b] = _round;
        }
        return AppliedAnywhere.Except(Completed).Except(everywhere).Count;
    }

    /// <summary>The scan persisted these batches as complete.</summary>
    public void MarkCompleted(BatchSet batches)
    {
        Completed = Completed.Union(batches);
        foreach (var b in batches.Indices())
        {
            _delivered.Remove(b);
            _pending.Remove(b);
        }
    }

    /// <summary>Tiles that do not hold every delivered batch durably (to be asked for a checkpoint).</summary>
    public IEnumerable<int> TilesMissingDurability()
    {
        var needed = BatchSet.Of(_delivered).Union(Completed);
        for (int t = 0; t < _durable.Length; t++)
            if (!needed.Except(_durable[t]).IsEmpty) yield return t;
    }

    private void Requeue(int batch)
    {
        if (!Completed.Contains(batch)) _pending.Add(batch);
    }
}
