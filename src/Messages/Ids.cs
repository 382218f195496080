using System.Text.RegularExpressions;

namespace XcsCt.Messages;

/// <summary>Addressed to one experiment entity (sharding reads this, never the concrete type).</summary>
public interface IWithExperimentId : IXcsProtocol
{
    string ExperimentId { get; }
}

/// <summary>Addressed to one scan entity: <c>experiment/scan</c>.</summary>
public interface IWithScanId : IWithExperimentId
{
    string ScanId { get; }
}

/// <summary>Addressed to one tile entity: <c>experiment/scan/tile</c>.</summary>
public interface IWithTileId : IWithScanId
{
    int Tile { get; }
}

/// <summary>Entity ids and their rules: experiment and scan ids are 1-64 characters of
/// <c>[A-Za-z0-9._-]</c> (no slash: it separates the parts of a scan or tile id).</summary>
public static partial class EntityIds
{
    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();

    /// <summary>True when <paramref name="id"/> is a usable experiment or scan id.</summary>
    public static bool IsValid(string? id) => id is not null && IdPattern().IsMatch(id) && id is not "." and not "..";

    /// <summary>Throws <see cref="ArgumentException"/> naming the id and the rule it breaks.</summary>
    public static string Require(string? id, string what) =>
        IsValid(id) ? id! : throw new ArgumentException($"{what} id '{id}' is not valid: use 1-64 characters of letters, digits, '.', '_' or '-'");

    public static string Scan(string experimentId, string scanId) => $"{experimentId}/{scanId}";

    public static string Tile(string experimentId, string scanId, int tile) => $"{experimentId}/{scanId}/{tile}";
}
