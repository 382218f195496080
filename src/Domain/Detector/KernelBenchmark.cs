using System.Runtime.CompilerServices;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace XcsCt.Domain.Detector;

/// <summary>One measured path.</summary>
/// <param name="FramesPerSecond">Frames per wall-clock second, best pass (least disturbed by other work on the machine).</param>
/// <param name="MedianFramesPerSecond">Frames per wall-clock second, median pass.</param>
/// <param name="FramesPerCpuSecond">Frames per second of process CPU time, best pass: what the code achieves per
/// core, independent of how much of the machine other programs take (equals the wall-clock rate on an idle machine
/// for one thread).</param>
/// <param name="CpuShare">Process CPU time over wall-clock time in the best pass (1 = one core fully ours).</param>
/// <param name="Passes">Passes timed.</param>
public readonly record struct BenchmarkRate(double FramesPerSecond, double MedianFramesPerSecond, double FramesPerCpuSecond, double CpuShare, int Passes);

/// <summary>
/// The measuring loop behind <c>xcsct bench</c> (ARCHITECTURE "The frame kernel: where the limit is"):
/// the frame kernel over one frame buffer on one thread and on several (batches handed out to
/// threads, one <see cref="FrameAccumulator"/> per thread, no shared counters), against a
/// memory-read baseline over the same buffer. Timing lives here, never in results: this class
/// measures speed only. Reusable for other paths through <see cref="Measure"/>.
/// </summary>
public sealed class KernelBenchmark
{
    private readonly FrameKernel _kernel;
    private readonly ushort[] _frames;
    private readonly int _pixels, _frameCount, _batchFrames;

    /// <param name="kernel">The kernel to run.</param>
    /// <param name="frames">Raw frames of the kernel's shape (large enough not to fit in cache, e.g. 100 MB, for an honest baseline).</param>
    /// <param name="batchFrames">Frames per batch handed to a thread.</param>
    public KernelBenchmark(FrameKernel kernel, ushort[] frames, int batchFrames = 512)
    {
        _kernel = kernel;
        _frames = frames;
        _pixels = kernel.Corrections.Shape.Pixels;
        if (frames.Length == 0 || frames.Length % _pixels != 0)
            throw new InputException($"benchmark frames: {frames.Length} values are not a positive whole number of {kernel.Corrections.Shape} frames");
        if (batchFrames <= 0)
            throw new InputException($"batch size {batchFrames} frames is not valid: it must be positive");
        _frameCount = frames.Length / _pixels;
        _batchFrames = batchFrames;
    }

    public int FrameCount => _frameCount;

    /// <summary>Bytes of one raw frame.</summary>
    public int BytesPerFrame => _pixels * sizeof(ushort);

    /// <summary>Bookkeeping of one pass over the buffer (fills after the first measured pass of the kernel).</summary>
    public EventCounts EventsPerPass { get; private set; }

    /// <summary>Memory-read baseline, one thread: a SIMD sum of the whole buffer as 64-bit words.</summary>
    public BenchmarkRate Baseline(TimeSpan minimum)
    {
        ulong sink = 0;
        var rate = Measure(() => { sink += SumWords(_frames); return _frameCount; }, minimum);
        GC.KeepAlive(sink);
        return rate;
    }

    /// <summary>The kernel (steps 1-7) over the buffer on one thread.</summary>
    public BenchmarkRate SingleThread(TimeSpan minimum) => Parallel(1, minimum);

    /// <summary>The kernel over the buffer on <paramref name="threads"/> threads pulling batches.</summary>
    public BenchmarkRate Parallel(int threads, TimeSpan minimum)
    {
        if (threads <= 0) throw new InputException($"thread count {threads} is not valid: it must be positive");
        var accumulators = new FrameAccumulator[threads];
        for (int t = 0; t < threads; t++) accumulators[t] = new FrameAccumulator(_kernel);
        int batches = (_frameCount + _batchFrames - 1) / _batchFrames;
        int passes = 0;
        var rate = Measure(() =>
        {
            int next = -1;
            if (threads == 1) RunBatches(accumulators[0], ref next, batches);
            else System.Threading.Tasks.Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                t => RunBatches(accumulators[t], ref next, batches));
            passes++;
            return _frameCount;
        }, minimum);
        var events = default(EventCounts);
        foreach (var acc in accumulators) events += acc.Events;
        EventsPerPass = new EventCounts(events.In / passes, events.Kept / passes, events.Merged / passes,
            events.Discarded / passes, events.BelowThreshold / passes, events.Underflow / passes, events.Overflow / passes);
        return rate;
    }

    private void RunBatches(FrameAccumulator acc, ref int next, int batches)
    {
        int b;
        while ((b = Interlocked.Increment(ref next)) < batches)
        {
            int first = b * _batchFrames;
            int count = Math.Min(_batchFrames, _frameCount - first);
            if (first > 0 && _kernel.Corrections.NextFrame)
                _kernel.Prime(_frames.AsSpan((first - 1) * _pixels, _pixels), first - 1, acc);
            _kernel.ProcessRaw(_frames.AsSpan(first * _pixels, count * _pixels), first, acc);
        }
    }

    /// <summary>
    /// Runs <paramref name="pass"/> (which returns the frames it processed) at least three times and
    /// until <paramref name="minimum"/> has elapsed, after one untimed warm-up pass.
    /// </summary>
    public static BenchmarkRate Measure(Func<long> pass, TimeSpan minimum)
    {
        pass();
        var rates = new List<double>();
        double bestCpu = 0, share = 0;
        var total = Stopwatch.StartNew();
        while (rates.Count < 3 || total.Elapsed < minimum)
        {
            double cpuStart = ProcessCpuSeconds();
            long start = Stopwatch.GetTimestamp();
            long frames = pass();
            double seconds = Math.Max(Stopwatch.GetElapsedTime(start).TotalSeconds, 1e-9);
            double cpu = Math.Max(ProcessCpuSeconds() - cpuStart, 1e-9);
            rates.Add(frames / seconds);
            if (frames / cpu > bestCpu) { bestCpu = frames / cpu; share = cpu / seconds; }
        }
        rates.Sort();
        return new BenchmarkRate(rates[^1], rates[rates.Count / 2], bestCpu, share, rates.Count);
    }

    /// <summary>CPU time of this process, seconds: clock_gettime(CLOCK_PROCESS_CPUTIME_ID) on Linux (ns resolution), else <see cref="Environment.CpuUsage"/>.</summary>
    public static double ProcessCpuSeconds()
    {
        if (OperatingSystem.IsLinux() && clock_gettime(2, out var t) == 0) return t.Seconds + t.Nanoseconds * 1e-9;
        return Environment.CpuUsage.TotalTime.TotalSeconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clock, out Timespec time);

    /// <summary>Sum of the buffer read as 64-bit words (wrapping): the cheapest full read of the frames.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong SumWords(ReadOnlySpan<ushort> frames)
    {
        var words = MemoryMarshal.Cast<ushort, ulong>(frames);
        ulong sum = 0;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && words.Length >= 32)
        {
            Vector512<ulong> a = default, b = default, c = default, d = default;
            for (; i <= words.Length - 32; i += 32)
            {
                a += Vector512.Create(words.Slice(i, 8));
                b += Vector512.Create(words.Slice(i + 8, 8));
                c += Vector512.Create(words.Slice(i + 16, 8));
                d += Vector512.Create(words.Slice(i + 24, 8));
            }
            sum = Vector512.Sum(a + b + c + d);
        }
        else if (Vector256.IsHardwareAccelerated && words.Length >= 16)
        {
            Vector256<ulong> a = default, b = default, c = default, d = default;
            for (; i <= words.Length - 16; i += 16)
            {
                a += Vector256.Create(words.Slice(i, 4));
                b += Vector256.Create(words.Slice(i + 4, 4));
                c += Vector256.Create(words.Slice(i + 8, 4));
                d += Vector256.Create(words.Slice(i + 12, 4));
            }
            sum = Vector256.Sum(a + b + c + d);
        }
        for (; i < words.Length; i++) sum += words[i];
        for (int k = words.Length * 4; k < frames.Length; k++) sum += frames[k];
        return sum;
    }
}
