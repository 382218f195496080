using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;

namespace XcsCt.Domain.Pipeline;

/// <summary>
/// Runs the whole frame-correction chain (ANALYSIS section 3) over one <see cref="FrameBatch"/>.
/// The one place where a batch is read and computed: the direct runner and the cluster's workers
/// both call it, which is why their spectra are bit-identical.
/// </summary>
/// <remarks>
/// Frame numbers are consecutive within one input file only (files are separate acquisitions), so
/// next-frame correction links frames of the same file; a batch that does not start a file is
/// primed with the frame just before it, which makes a batch computed alone equal to the same
/// frames computed in one pass.
/// </remarks>
public sealed class BatchComputer
{
    private readonly FrameKernel _kernel;
    private readonly int _pixels;
    /// <summary>Bytes of <c>.bin</c> frames read per kernel call: well inside a core's L2 cache.</summary>
    internal const int StreamBytes = 384 * 1024;

    /// <summary>Bytes of frames in other formats (HDF5) read per kernel call.</summary>
    internal const int ChunkBytes = 8 << 20;

    private ushort[] _raw = [];
    private float[] _processed = [];

    /// <param name="kernel">The kernel built once for the scan's calibration.</param>
    public BatchComputer(FrameKernel kernel)
    {
        _kernel = kernel;
        _pixels = kernel.Corrections.Shape.Pixels;
    }

    public FrameKernel Kernel => _kernel;

    /// <summary>Run-wide number of frame <paramref name="frame"/> of file <paramref name="fileIndex"/>: files never link.</summary>
    public static long FrameNumber(int fileIndex, long frame) => ((long)fileIndex << 40) + frame;

    /// <summary>Reads the batch from <paramref name="source"/> and adds its events to <paramref name="accumulator"/>.</summary>
    public void Compute(IFrameSource source, FrameBatch batch, FrameAccumulator accumulator)
    {
        if (source.Shape != _kernel.Corrections.Shape)
            throw new InputException($"{source.Path}: frames are {source.Shape} but the calibration is {_kernel.Corrections.Shape}");
        if (batch.FirstFrame < 0 || batch.FirstFrame + batch.FrameCount > source.FrameCount)
            throw new InputException($"{source.Path}: batch {batch.Index} asks for frames {batch.FirstFrame}..{batch.FirstFrame + batch.FrameCount - 1} but the file has {source.FrameCount}");
        // The batch streams through a buffer a chunk at a time, so memory does not grow with the
        // batch. Headerless .bin frames are cheap to read in small pieces: their chunk stays in
        // cache (read from the page cache, then read by the kernel from L2). Other formats (HDF5)
        // read larger chunks. The accumulator links consecutive frame numbers across calls, so
        // chunks give exactly the spectra of one call.
        long first = FrameNumber(batch.FileIndex, batch.FirstFrame);
        bool energies = source.Kind == FrameKind.ProcessedKeV;
        int frameBytes = _pixels * (energies ? sizeof(float) : sizeof(ushort));
        int chunk = Math.Max(1, (source is BinFrameSource ? StreamBytes : ChunkBytes) / frameBytes);
        int buffer = Math.Min(chunk, batch.FrameCount) * _pixels;
        if (energies)
        {
            EnsureCapacity(ref _processed, buffer);
            for (int done = 0; done < batch.FrameCount; done += chunk)
            {
                int count = Math.Min(chunk, batch.FrameCount - done);
                var frames = _processed.AsSpan(0, count * _pixels);
                source.ReadProcessed(batch.FirstFrame + done, count, frames);
                _kernel.ProcessEnergies(frames, first + done, accumulator);
            }
            return;
        }
        EnsureCapacity(ref _raw, Math.Max(buffer, _pixels));
        if (_kernel.Corrections.NextFrame && batch.FirstFrame > 0)
        {
            source.ReadRaw(batch.FirstFrame - 1, 1, _raw.AsSpan(0, _pixels));
            _kernel.Prime(_raw.AsSpan(0, _pixels), first - 1, accumulator);
        }
        for (int done = 0; done < batch.FrameCount; done += chunk)
        {
            int count = Math.Min(chunk, batch.FrameCount - done);
            var frames = _raw.AsSpan(0, count * _pixels);
            source.ReadRaw(batch.FirstFrame + done, count, frames);
            _kernel.ProcessRaw(frames, first + done, accumulator);
        }
    }

    private static void EnsureCapacity<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length];
    }
}
