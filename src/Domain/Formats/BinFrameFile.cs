using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Formats;

/// <summary>
/// HexitecGigE raw frames (FORMATS.md): headerless little-endian uint16, <c>rows x cols</c> per
/// frame, frames back to back. Reads go through <see cref="RandomAccess"/> on one handle, so
/// concurrent reads of different ranges need no lock.
/// </summary>
internal sealed class BinFrameSource : IFrameSource
{
    private readonly SafeFileHandle _handle;
    private readonly long _frameBytes;

    public BinFrameSource(string path, DetectorShape shape)
    {
        Path = path;
        Shape = shape;
        _frameBytes = (long)shape.Pixels * sizeof(ushort);
        try
        {
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"frame file {path}: cannot be opened: {e.Message}", e);
        }
        long size = RandomAccess.GetLength(_handle);
        if (size == 0 || size % _frameBytes != 0)
        {
            _handle.Dispose();
            throw new InputException(size == 0
                ? $"frame file {path}: is empty, expected frames of {shape} pixels x 2 bytes = {_frameBytes} bytes each"
                : $"frame file {path}: size {size} bytes is not a multiple of the frame size {_frameBytes} bytes ({shape} pixels x 2 bytes); {size / _frameBytes} whole frames and {size % _frameBytes} bytes left over (truncated file or wrong detector shape)");
        }
        FrameCount = size / _frameBytes;
    }

    public string Path { get; }
    public DetectorShape Shape { get; }
    public long FrameCount { get; }
    public FrameKind Kind => FrameKind.RawAdu;

    public void ReadRaw(long firstFrame, int frameCount, Span<ushort> destination)
    {
        FrameSources.CheckRange(this, FrameKind.RawAdu, firstFrame, frameCount, destination.Length);
        Span<byte> bytes = MemoryMarshal.AsBytes(destination);
        long offset = firstFrame * _frameBytes;
        int done = 0;
        while (done < bytes.Length)
        {
            int n = RandomAccess.Read(_handle, bytes[done..], offset + done);
            if (n == 0)
                throw new InputException($"frame file {Path}: ended at byte {offset + done} while reading frames {firstFrame}..{firstFrame + frameCount - 1}; it held {FrameCount} frames when opened (was it truncated?)");
            done += n;
        }
        if (!BitConverter.IsLittleEndian)
            BinaryPrimitives.ReverseEndianness(destination, destination);
    }

    public void ReadProcessed(long firstFrame, int frameCount, Span<float> destination) =>
        FrameSources.CheckRange(this, FrameKind.ProcessedKeV, firstFrame, frameCount, destination.Length);

    public void Dispose() => _handle.Dispose();
}

/// <summary>Writes HexitecGigE <c>.bin</c> raw frames (headerless little-endian uint16); used by the simulator and tests.</summary>
public static class BinFrameFile
{
    /// <summary>Writes whole frames to <paramref name="path"/> under a temporary name, then renames.</summary>
    /// <param name="path">Target file, replaced if present.</param>
    /// <param name="frames">Frames back to back, <c>[frame, row, col]</c>, ADU.</param>
    public static void Write(string path, ReadOnlySpan<ushort> frames)
    {
        using var writer = Create(path);
        writer.Write(frames);
        writer.Commit();
    }

    /// <summary>
    /// Appends frames to <paramref name="path"/> (created if missing). Not atomic: build a file under a
    /// name readers do not look at, or use <see cref="Create"/>, which renames on commit.
    /// </summary>
    public static void Append(string path, ReadOnlySpan<ushort> frames)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
        WriteLittleEndian(stream, frames);
    }

    /// <summary>
    /// Starts a streamed write to a temporary name next to <paramref name="path"/>; frames become
    /// visible under <paramref name="path"/> only on <see cref="BinFrameWriter.Commit"/>. Disposing
    /// without commit deletes the temporary file.
    /// </summary>
    public static BinFrameWriter Create(string path) => new(path);

    internal static void WriteLittleEndian(Stream stream, ReadOnlySpan<ushort> frames)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(frames));
            return;
        }
        var swapped = new ushort[frames.Length];
        BinaryPrimitives.ReverseEndianness(frames, swapped);
        stream.Write(MemoryMarshal.AsBytes(swapped.AsSpan()));
    }
}

/// <summary>Streamed <c>.bin</c> writer: frames go to a temporary file that <see cref="Commit"/> renames into place.</summary>
public sealed class BinFrameWriter : IDisposable
{
    private readonly string _path;
    private readonly string _tmp;
    private FileStream? _stream;

    internal BinFrameWriter(string path)
    {
        _path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path) ?? ".");
        _tmp = AtomicFile.TemporaryPathFor(_path);
        _stream = new FileStream(_tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    }

    /// <summary>Values written so far (frames x pixels).</summary>
    public long ValuesWritten { get; private set; }

    /// <summary>Appends frames (ADU, <c>[frame, row, col]</c>).</summary>
    public void Write(ReadOnlySpan<ushort> frames)
    {
        var stream = _stream ?? throw new InvalidOperationException($"writer for {_path} is already committed or disposed");
        BinFrameFile.WriteLittleEndian(stream, frames);
        ValuesWritten += frames.Length;
    }

    /// <summary>Flushes and renames the temporary file to the target name.</summary>
    public void Commit()
    {
        var stream = _stream ?? throw new InvalidOperationException($"writer for {_path} is already committed or disposed");
        stream.Flush(flushToDisk: true);
        stream.Dispose();
        _stream = null;
        File.Move(_tmp, _path, overwrite: true);
    }

    public void Dispose()
    {
        if (_stream is null) return;
        _stream.Dispose();
        _stream = null;
        AtomicFile.TryDelete(_tmp);
    }
}
