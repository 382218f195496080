using System.Text.RegularExpressions;

namespace XcsCt.Domain.Pipeline;

/// <summary>Experiment, scan and component ids (FORMATS.md): [a-z0-9._-]+, never "." or "..".</summary>
public static partial class Ids
{
    [GeneratedRegex("^[a-z0-9._-]{1,128}$")]
    private static partial Regex Pattern();

    public static bool IsValid(string? id) => id is not null && id != "." && id != ".." && Pattern().IsMatch(id);

    /// <summary>Throws <see cref="InputException"/> naming <paramref name="what"/> when <paramref name="id"/> is not a valid id.</summary>
    public static string Check(string? id, string what) => IsValid(id)
        ? id!
        : throw new InputException($"{what} '{id}' is not valid: use 1-128 characters of a-z, 0-9, '.', '_' and '-'");
}
