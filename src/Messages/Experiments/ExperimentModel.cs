using MessagePack;
using XcsCt.Messages.Scans;

namespace XcsCt.Messages.Experiments;

/// <summary>One scan of an experiment's manifest: its id and its job.</summary>
[MessagePackObject]
public sealed record ScanEntry([property: Key(0)] string ScanId, [property: Key(1)] JobRef Job);

/// <summary>A named, ordered series of scans (an operando time series) of the manifest.</summary>
[MessagePackObject]
public sealed record SeriesEntry([property: Key(0)] string Name, [property: Key(1)] string[] ScanIds)
{
    public bool Equals(SeriesEntry? other) => other is not null && Name == other.Name && ScanIds.AsSpan().SequenceEqual(other.ScanIds);

    public override int GetHashCode() => HashCode.Combine(Name, ScanIds.Length);
}

/// <summary>Where a scan stands, as the experiment records it.</summary>
public enum ScanOutcome
{
    Submitted = 0,
    Completed = 1,
    Failed = 2,
}

/// <summary>The experiment's record of one scan.</summary>
[MessagePackObject]
public sealed record ScanRecord(
    [property: Key(0)] string ScanId,
    [property: Key(1)] JobRef Job,
    [property: Key(2)] ScanOutcome Outcome,
    [property: Key(3)] string? Reason,
    [property: Key(4)] string? ResultDirectory);
