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
    private readonly int _chunkFrames;
    private ushort[] _raw = [];
    private float[] _processed = [];

    /// <param name="kernel">The kernel built once for the scan's calibration.</param>
    public BatchComputer(FrameKernel kernel)
    {
        _kernel = kernel;
        _pixels = kernel.Corrections.Shape.Pixels;
        _chunkFrames = Math.Max(1, ChunkBytes / (_pixels * sizeof(float)));
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
        // Read and correct the batch a chunk at a time: memory per worker stays ChunkBytes
        // whatever the batch size. The accumulator carries the previous frame across chunks, so the
        // result equals one pass over the whole batch.
        for (long done = 0; done < batch.FrameCount;)
        {
            int count = (int)Math.Min(_chunkFrames, batch.FrameCount - done);
            long frame = batch.FirstFrame + done;
            ComputeChunk(source, batch.FileIndex, frame, count, prime: done == 0 && frame > 0, accumulator);
            done += count;
        }
    }

    /// <summary>Bytes of frames read and corrected at once (as 32-bit energies: 2x the raw size).</summary>
    public const int ChunkBytes = 8 << 20;

    private void ComputeChunk(IFrameSource source, int fileIndex, long firstFrame, int frames, bool prime, FrameAccumulator accumulator)
    {
        long first = FrameNumber(fileIndex, firstFrame);
        int n = frames * _pixels;
        if (source.Kind == FrameKind.ProcessedKeV)
        {
            EnsureCapacity(ref _processed, n);
            source.ReadProcessed(firstFrame, frames, _processed.AsSpan(0, n));
            _kernel.ProcessEnergies(_processed.AsSpan(0, n), first, accumulator);
            return;
        }
        prime &= _kernel.Corrections.NextFrame;
        EnsureCapacity(ref _raw, n + (prime ? _pixels : 0));
        if (prime)
        {
            source.ReadRaw(firstFrame - 1, frames + 1, _raw.AsSpan(0, n + _pixels));
            _kernel.Prime(_raw.AsSpan(0, _pixels), first - 1, accumulator);
            _kernel.ProcessRaw(_raw.AsSpan(_pixels, n), first, accumulator);
        }
        else
        {
            source.ReadRaw(firstFrame, frames, _raw.AsSpan(0, n));
            _kernel.ProcessRaw(_raw.AsSpan(0, n), first, accumulator);
        }
    }

    private static void EnsureCapacity<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length];
    }
}
