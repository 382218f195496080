using XcsCt.Actors.Workers;
using XcsCt.Domain;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Pipeline;
using XcsCt.Domain.Spectra;

namespace XcsCt.Integration.Cluster;

/// <summary>
/// A deterministic stand-in for the frame chain, to test the cluster machinery fast: a "frame
/// file" is a text file holding its frame count (or <c>corrupt</c>), and frame <c>f</c> of file
/// <c>i</c> puts a few counts at pixels and bins chosen by a hash of (i, f). The result depends
/// on the frames only, never on how they are batched, so the direct sum is the reference.
/// </summary>
public sealed class FakeFrames : IBatchComputer, IScanPlanner
{
    private readonly ManualResetEventSlim _gate = new(true);
    private int _computed;
    private int _holdFrom = int.MaxValue;
    private int _holdAfter = int.MaxValue;
    private int _started;

    /// <summary>From now on, batches numbered <paramref name="fromBatch"/> or later wait until <see cref="Release"/> (a node caught mid-run, whatever the machine's speed).</summary>
    public void Hold(int fromBatch)
    {
        _gate.Reset();
        _holdFrom = fromBatch;
    }

    /// <summary>
    /// From now on, this node computes <paramref name="batches"/> more batches and then waits in every
    /// further one until <see cref="Release"/>: a node caught mid-run after it has done some work,
    /// whichever batch numbers the cluster happened to hand it.
    /// </summary>
    public void HoldAfter(int batches)
    {
        _gate.Reset();
        _holdAfter = Volatile.Read(ref _started) + batches;
    }

    /// <summary>Lets held batches go on.</summary>
    public void Release() => _gate.Set();

    /// <summary>Pause per batch (to catch a run in the middle).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Batches computed so far (counting repeats).</summary>
    public int Computed => _computed;

    public static string WriteFile(string directory, string name, long frames)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, frames.ToString());
        return path;
    }

    public static FrameCorrections Corrections(int rows = 40, int cols = 36, int bins = 50) =>
        new(new DetectorShape(rows, cols), new HistogramAxis(0.5, bins), new float[rows * cols], new float[rows * cols]);

    public long[] FrameCounts(ScanJob job) => job.FrameFiles.Select(Count).ToArray();

    public ComputedBatch Compute(ScanJob job, string jobHash, FrameBatch batch)
    {
        if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
        int started = Interlocked.Increment(ref _started);
        if (batch.Index >= _holdFrom || started > _holdAfter) _gate.Wait();
        var path = job.FrameFiles[batch.FileIndex];
        if (File.ReadAllText(path).Trim() == "corrupt")
            throw new InputException($"{path}: frame data is corrupt at frame {batch.FirstFrame}");
        var shape = job.Corrections.Shape;
        int bins = job.Corrections.Axis.Bins;
        var counts = new uint[shape.Pixels * bins];
        var events = Add(counts, shape.Pixels, bins, batch.FileIndex, batch.FirstFrame, batch.FrameCount);
        Interlocked.Increment(ref _computed);
        return new ComputedBatch(counts, batch.FrameCount, events, () => { });
    }

    /// <summary>The single-process reference: every frame of the job, in one pass.</summary>
    public PixelSpectra Direct(ScanJob job)
    {
        var spectra = new PixelSpectra(job.Corrections.Shape, job.Corrections.Axis);
        var counts = FrameCounts(job);
        var events = default(EventCounts);
        for (int f = 0; f < counts.Length; f++)
            events += Add(spectra.Counts, job.Corrections.Shape.Pixels, job.Corrections.Axis.Bins, f, 0, counts[f]);
        spectra.Frames = counts.Sum();
        spectra.Events = events;
        return spectra;
    }

    private static EventCounts Add(uint[] counts, int pixels, int bins, int file, long first, long frames)
    {
        long kept = 0;
        for (long f = first; f < first + frames; f++)
        {
            ulong h = Mix((ulong)file * 1_000_003UL + (ulong)f);
            int n = 1 + (int)(h % 4);
            for (int k = 0; k < n; k++)
            {
                h = Mix(h + (ulong)k);
                int pixel = (int)(h % (ulong)pixels);
                int bin = (int)((h >> 32) % (ulong)bins);
                counts[pixel * bins + bin]++;
            }
            kept += n;
        }
        return new EventCounts(kept + frames, kept, 0, 0, frames, 0, 0);
    }

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb3fe1a85ec53UL;
        return x ^ (x >> 33);
    }

    private static long Count(string path)
    {
        if (!File.Exists(path)) throw new InputException($"{path}: frame file is missing");
        var text = File.ReadAllText(path).Trim();
        return text == "corrupt" ? 1000 : long.Parse(text);
    }
}
