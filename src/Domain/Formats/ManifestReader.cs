namespace XcsCt.Domain.Formats;

/// <summary>
/// Reads an experiment manifest (FORMATS.md) from YAML, or JSON with the same keys, strictly: unknown
/// keys, wrong types, missing required keys, bad ids, duplicate scans, unknown lithium reference
/// scans, missing files and (with data roots) paths outside the roots are all errors. Every problem
/// is collected, then one <see cref="InputException"/> lists them all with line, column and key path.
/// </summary>
public static class ManifestReader
{
    /// <summary>Extensions of frame and spectra files accepted for scans and reference runs.</summary>
    public static IReadOnlyList<string> RunExtensions { get; } = [".bin", ".h5", ".hdf5", ".nxs", ".hxt"];

    /// <summary>Longest accepted id, characters.</summary>
    public const int MaxIdLength = 100;

    /// <summary>
    /// True when <paramref name="id"/> can name an experiment, scan or component: <c>[a-z0-9._-]+</c>,
    /// at most <see cref="MaxIdLength"/> characters, and not only dots (ids become directory names).
    /// </summary>
    public static bool IsValidId(string id)
    {
        if (id.Length is 0 or > MaxIdLength) return false;
        bool onlyDots = true;
        foreach (char c in id)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-')) return false;
            if (c != '.') onlyDots = false;
        }
        return !onlyDots;
    }

    /// <summary>Loads a manifest file; <c>.json</c> files are read as JSON, anything else as YAML.</summary>
    /// <param name="path">Manifest file; relative paths inside it resolve against its directory.</param>
    /// <param name="dataRoots">When given, the manifest and every path in it must resolve inside one of these directories.</param>
    public static ExperimentManifest Load(string path, IReadOnlyList<string>? dataRoots = null)
    {
        string full = Path.GetFullPath(path);
        if (dataRoots is not null && !new DataRoots(dataRoots).Contains(full, out string real))
            throw new InputException($"manifest {full}: resolves to {real}, outside the data roots");
        if (!File.Exists(full)) throw new InputException($"manifest {full}: not found");
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"manifest {full}: cannot be read: {e.Message}", e);
        }
        return Parse(text, Path.GetDirectoryName(full)!, full, dataRoots);
    }

    /// <summary>Parses manifest text.</summary>
    /// <param name="text">YAML or JSON: JSON when <paramref name="sourceName"/> ends in <c>.json</c> or the text is a JSON object, YAML otherwise.</param>
    /// <param name="baseDirectory">Directory that relative paths resolve against.</param>
    /// <param name="sourceName">Name used in messages (the file, or e.g. "request body").</param>
    /// <param name="dataRoots">When given, every path must resolve (following <c>..</c> and symbolic links) inside one of these directories.</param>
    public static ExperimentManifest Parse(string text, string baseDirectory, string sourceName, IReadOnlyList<string>? dataRoots = null)
    {
        ManifestNode? root;
        if (sourceName.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            root = ManifestDocument.ParseJson(text, sourceName);
        }
        else if (text.AsSpan().TrimStart().StartsWith("{"))
        {
            // JSON without a .json name (an HTTP request body): read as JSON when it is JSON, else as YAML flow style.
            try { root = ManifestDocument.ParseJson(text, sourceName); }
            catch (InputException) { root = ManifestDocument.ParseYaml(text, sourceName); }
        }
        else
        {
            root = ManifestDocument.ParseYaml(text, sourceName);
        }
        var binder = new ManifestBinder(Path.GetFullPath(baseDirectory), dataRoots is null ? null : new DataRoots(dataRoots));
        var manifest = binder.Bind(root);
        if (binder.Problems.Count > 0 || manifest is null)
        {
            var lines = binder.Problems;
            throw new InputException($"manifest {sourceName}: {lines.Count} problem{(lines.Count == 1 ? "" : "s")}:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", lines)}");
        }
        return manifest;
    }
}
