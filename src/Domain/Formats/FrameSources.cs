using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Formats;

/// <summary>What the frames of a file hold (FORMATS.md, inputs).</summary>
public enum FrameKind
{
    /// <summary>Raw detector readings, unsigned 16-bit ADU (HexitecGigE <c>.bin</c>, odin <c>/raw_frames</c>).</summary>
    RawAdu,

    /// <summary>Corrected, calibrated energies in keV, float32 (odin <c>/processed_frames</c>): steps 1-5 of ANALYSIS section 3 are done.</summary>
    ProcessedKeV,
}

/// <summary>
/// A file of detector frames, <c>[frame, row, col]</c> row-major. Reads of different frame ranges may
/// run concurrently from several threads.
/// </summary>
public interface IFrameSource : IDisposable
{
    /// <summary>Full path of the file.</summary>
    string Path { get; }

    /// <summary>Pixel grid of one frame.</summary>
    DetectorShape Shape { get; }

    /// <summary>Frames in the file.</summary>
    long FrameCount { get; }

    /// <summary>Raw ADU or processed keV.</summary>
    FrameKind Kind { get; }

    /// <summary>Reads raw frames (<see cref="FrameKind.RawAdu"/> only).</summary>
    /// <param name="firstFrame">First frame, 0-based.</param>
    /// <param name="frameCount">Frames to read; <c>firstFrame + frameCount</c> must not exceed <see cref="FrameCount"/>.</param>
    /// <param name="destination">Exactly <c>frameCount * Shape.Pixels</c> values, ADU.</param>
    void ReadRaw(long firstFrame, int frameCount, Span<ushort> destination);

    /// <summary>Reads processed frames (<see cref="FrameKind.ProcessedKeV"/> only).</summary>
    /// <param name="firstFrame">First frame, 0-based.</param>
    /// <param name="frameCount">Frames to read.</param>
    /// <param name="destination">Exactly <c>frameCount * Shape.Pixels</c> energies, keV.</param>
    void ReadProcessed(long firstFrame, int frameCount, Span<float> destination);
}

/// <summary>Opens any frame file of FORMATS.md by its extension.</summary>
public static class FrameSources
{
    /// <summary>File extensions read as odin-data HDF5.</summary>
    public static IReadOnlyList<string> HdfExtensions { get; } = [".h5", ".hdf5", ".nxs"];

    /// <summary>
    /// Opens <paramref name="path"/>: <c>.bin</c> is headerless little-endian uint16 frames of
    /// <paramref name="binShape"/>; <c>.h5</c>, <c>.hdf5</c>, <c>.nxs</c> are odin-data files with
    /// <c>/raw_frames</c> [N, rows, cols] uint16 or <c>/processed_frames</c> [N, rows, cols] float32
    /// (shape from the file; <paramref name="binShape"/> is ignored).
    /// </summary>
    /// <exception cref="InputException">Missing file, unknown extension, wrong size, dataset or type.</exception>
    public static IFrameSource Open(string path, DetectorShape binShape)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new InputException($"frame file {full}: not found");
        string ext = System.IO.Path.GetExtension(full).ToLowerInvariant();
        if (ext == ".bin")
            return new BinFrameSource(full, binShape);
        if (HdfExtensions.Contains(ext))
            return OdinFrameSource.Open(full);
        throw new InputException($"frame file {full}: unknown extension '{ext}', expected .bin (HexitecGigE raw frames) or {string.Join(", ", HdfExtensions)} (odin-data HDF5)");
    }

    /// <summary>Checks a read request against the file; shared by every source.</summary>
    internal static void CheckRange(IFrameSource source, FrameKind wanted, long firstFrame, int frameCount, int destinationLength)
    {
        if (source.Kind != wanted)
            throw new InputException(source.Kind == FrameKind.RawAdu
                ? $"frame file {source.Path}: holds raw ADU frames, but processed keV frames were requested"
                : $"frame file {source.Path}: holds processed keV frames (/processed_frames), but raw ADU frames were requested");
        if (firstFrame < 0 || frameCount < 0)
            throw new ArgumentOutOfRangeException(nameof(firstFrame), $"frame range {firstFrame} + {frameCount} is negative");
        if (firstFrame + frameCount > source.FrameCount)
            throw new InputException($"frame file {source.Path}: frames {firstFrame}..{firstFrame + frameCount - 1} requested, but the file holds {source.FrameCount} frames");
        long expected = (long)frameCount * source.Shape.Pixels;
        if (destinationLength != expected)
            throw new ArgumentException($"destination holds {destinationLength} values, expected {frameCount} frames x {source.Shape.Pixels} pixels = {expected}");
    }
}
