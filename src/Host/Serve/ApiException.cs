using XcsCt.Domain;

namespace XcsCt.Host.Serve;

/// <summary>A request the API refuses, with the HTTP status and the problems to report (never a 500).</summary>
public sealed class ApiException(int status, string message, IReadOnlyList<string>? problems = null) : Exception(message)
{
    public int Status { get; } = status;

    public IReadOnlyList<string> Problems { get; } = problems ?? [message];

    public static ApiException NotFound(string what) => new(404, what);

    public static ApiException Conflict(string what) => new(409, what);

    /// <summary>Bad input: the problems of an <see cref="InputException"/>, one per line item.</summary>
    public static ApiException BadRequest(InputException e) => new(400, FirstLine(e.Message), ProblemsOf(e.Message));

    /// <summary>
    /// The list items of a multi-problem message (<c>"...: 2 problems:\n  - a\n  - b"</c>), or the
    /// message itself when it names one problem.
    /// </summary>
    public static IReadOnlyList<string> ProblemsOf(string message)
    {
        var items = message.Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => l.StartsWith("  - ", StringComparison.Ordinal))
            .Select(l => l[4..])
            .ToArray();
        return items.Length > 0 ? items : [message];
    }

    private static string FirstLine(string message)
    {
        int nl = message.IndexOf('\n');
        return (nl < 0 ? message : message[..nl]).TrimEnd('\r', ':');
    }
}
