namespace XcsCt.Domain.Formats;

/// <summary>
/// Writes a file under a temporary name in the same directory and renames it into place, so a
/// reader never sees a partial file under the final name (FORMATS.md: "no partial output looks
/// complete"). The temporary file is removed if writing fails.
/// </summary>
public static class AtomicFile
{
    /// <summary>Temporary name next to <paramref name="path"/>: same directory, hidden, unique.</summary>
    public static string TemporaryPathFor(string path)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        return Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>Runs <paramref name="write"/> on a temporary path, then renames it to <paramref name="path"/> (replacing it).</summary>
    /// <param name="path">Final file name; its directory is created if missing.</param>
    /// <param name="write">Writes the complete file at the path it is given.</param>
    public static void Write(string path, Action<string> write)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full) ?? ".");
        string tmp = TemporaryPathFor(full);
        try
        {
            write(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Streams to a temporary file, then renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write) =>
        Write(path, (string tmp) =>
        {
            using var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            write(stream);
            stream.Flush(flushToDisk: true);
        });

    internal static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
