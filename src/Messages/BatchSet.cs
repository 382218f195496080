using MessagePack;

namespace XcsCt.Messages;

/// <summary>
/// An immutable set of batch indices stored as sorted, disjoint, non-adjacent half-open ranges
/// <c>[start, end)</c>. Batches are applied mostly in order, so a tile's or a scan's set of
/// thousands of batches is a handful of ranges on the wire and in snapshots.
/// </summary>
[MessagePackObject]
public sealed class BatchSet : IEquatable<BatchSet>
{
    /// <summary>Flattened bounds: start0, end0, start1, end1, ... (sorted, disjoint, non-adjacent).</summary>
    [Key(0)]
    public int[] Bounds { get; }

    [SerializationConstructor]
    public BatchSet(int[] bounds)
    {
        if (bounds.Length % 2 != 0)
            throw new ArgumentException($"batch set bounds must come in pairs, found {bounds.Length} values");
        for (int i = 0; i < bounds.Length; i += 2)
        {
            if (bounds[i] < 0 || bounds[i] >= bounds[i + 1] || (i > 0 && bounds[i] <= bounds[i - 1]))
                throw new ArgumentException($"batch set bounds are not sorted, disjoint, non-empty ranges at pair {i / 2}");
        }
        Bounds = bounds;
    }

    public static BatchSet Empty { get; } = new([]);

    /// <summary>The set <c>[0, count)</c>.</summary>
    public static BatchSet Range(int start, int end) => end > start ? new([start, end]) : Empty;

    public static BatchSet Of(IEnumerable<int> indices)
    {
        var sorted = indices.Distinct().Order().ToArray();
        var bounds = new List<int>();
        for (int i = 0; i < sorted.Length; i++)
        {
            if (bounds.Count > 0 && bounds[^1] == sorted[i]) bounds[^1] = sorted[i] + 1;
            else { bounds.Add(sorted[i]); bounds.Add(sorted[i] + 1); }
        }
        return new BatchSet(bounds.ToArray());
    }

    /// <summary>Number of batches in the set.</summary>
    [IgnoreMember]
    public int Count
    {
        get
        {
            int n = 0;
            for (int i = 0; i < Bounds.Length; i += 2) n += Bounds[i + 1] - Bounds[i];
            return n;
        }
    }

    [IgnoreMember]
    public bool IsEmpty => Bounds.Length == 0;

    public bool Contains(int index)
    {
        int lo = 0, hi = Bounds.Length / 2 - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            if (index < Bounds[2 * mid]) hi = mid - 1;
            else if (index >= Bounds[2 * mid + 1]) lo = mid + 1;
            else return true;
        }
        return false;
    }

    public BatchSet Add(int index) => Contains(index) ? this : Union(Range(index, index + 1));

    public BatchSet Union(BatchSet other) => Combine(other, (a, b) => a || b);

    public BatchSet Intersect(BatchSet other) => Combine(other, (a, b) => a && b);

    public BatchSet Except(BatchSet other) => Combine(other, (a, b) => a && !b);

    /// <summary>True when every batch of <c>[0, count)</c> is in the set.</summary>
    public bool CoversAll(int count) => count == 0 || (Bounds.Length == 2 && Bounds[0] == 0 && Bounds[1] >= count);

    public IEnumerable<int> Indices()
    {
        for (int i = 0; i < Bounds.Length; i += 2)
            for (int b = Bounds[i]; b < Bounds[i + 1]; b++)
                yield return b;
    }

    /// <summary>Merges two sorted range lists by sweeping their boundaries once.</summary>
    private BatchSet Combine(BatchSet other, Func<bool, bool, bool> keep)
    {
        var a = Bounds;
        var b = other.Bounds;
        var result = new List<int>(a.Length + b.Length);
        int i = 0, j = 0;
        bool inA = false, inB = false, inResult = false;
        while (i < a.Length || j < b.Length)
        {
            int next = Math.Min(i < a.Length ? a[i] : int.MaxValue, j < b.Length ? b[j] : int.MaxValue);
            while (i < a.Length && a[i] == next) { inA = !inA; i++; }
            while (j < b.Length && b[j] == next) { inB = !inB; j++; }
            bool now = keep(inA, inB);
            if (now != inResult)
            {
                // All changes at one boundary are taken together, so adjacent ranges merge here.
                result.Add(next);
                inResult = now;
            }
        }
        return result.Count == 0 ? Empty : new BatchSet(result.ToArray());
    }

    public bool Equals(BatchSet? other) => other is not null && Bounds.AsSpan().SequenceEqual(other.Bounds);

    public override bool Equals(object? obj) => Equals(obj as BatchSet);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var x in Bounds) h.Add(x);
        return h.ToHashCode();
    }

    public override string ToString() =>
        IsEmpty ? "{}" : "{" + string.Join(",", Enumerable.Range(0, Bounds.Length / 2)
            .Select(k => Bounds[2 * k + 1] - Bounds[2 * k] == 1 ? $"{Bounds[2 * k]}" : $"{Bounds[2 * k]}-{Bounds[2 * k + 1] - 1}")) + "}";
}
