namespace XcsCt.Domain.Formats;

/// <summary>
/// Confines input paths to configured data roots (ARCHITECTURE.md, "Input paths resolve inside
/// configured data roots only"): a path is accepted when its real location, with <c>.</c>,
/// <c>..</c> and every symbolic link resolved, lies inside the real location of a root.
/// </summary>
public sealed class DataRoots
{
    private readonly string[] _roots;

    /// <param name="roots">Root directories (at least one); relative roots resolve against the working directory.</param>
    public DataRoots(IReadOnlyList<string> roots)
    {
        if (roots.Count == 0) throw new ArgumentException("at least one data root is needed", nameof(roots));
        _roots = new string[roots.Count];
        for (int i = 0; i < roots.Count; i++) _roots[i] = Trim(RealPath(Path.GetFullPath(roots[i])));
    }

    /// <summary>The roots, resolved.</summary>
    public IReadOnlyList<string> Roots => _roots;

    /// <summary>True when <paramref name="fullPath"/> (absolute) really lies inside a root; <paramref name="real"/> is where it resolves.</summary>
    public bool Contains(string fullPath, out string real)
    {
        real = RealPath(Path.GetFullPath(fullPath));
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (string root in _roots)
        {
            if (real.Equals(root, comparison)) return true;
            string prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
            if (real.StartsWith(prefix, comparison)) return true;
        }
        return false;
    }

    private static string Trim(string path)
    {
        string root = Path.GetPathRoot(path) ?? "";
        return path.Length > root.Length ? path.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) : path;
    }

    /// <summary>
    /// Resolves every symbolic link along an absolute path, component by component (like POSIX
    /// <c>realpath</c>); components that do not exist are kept as written.
    /// </summary>
    public static string RealPath(string fullPath)
    {
        const int maxLinks = 40;
        string root = Path.GetPathRoot(fullPath) ?? throw new ArgumentException($"{fullPath} is not absolute");
        var pending = new Stack<string>();
        PushComponents(pending, fullPath[root.Length..]);
        string current = root;
        int links = 0;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            string next = Path.Combine(current, part);
            string? target = null;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > maxLinks)
                throw new InputException($"path {fullPath}: more than {maxLinks} symbolic links (a loop?)");
            if (Path.IsPathRooted(target))
            {
                string targetRoot = Path.GetPathRoot(target)!;
                PushComponents(pending, target[targetRoot.Length..]);
                current = targetRoot;
            }
            else
            {
                PushComponents(pending, target);
            }
        }
        return current;
    }

    private static void PushComponents(Stack<string> pending, string relative)
    {
        string[] parts = relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }
}
