using BenchmarkDotNet.Attributes;
using XcsCt.Domain.Detector;

namespace XcsCt.Benchmarks.Detector;

/// <summary>
/// The frame kernel (ANALYSIS section 3, full chain) against its scalar reference and against a
/// memory-read baseline over the same frames, per frame (80 x 80 synthetic frames, real calibration).
/// Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*FrameKernel*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class FrameKernelBenchmarks
{
    private const int Frames = 1024;

    private ushort[] _frames = [];
    private FrameKernel _kernel = null!;
    private FrameKernelReference _reference = null!;
    private FrameAccumulator _fast = null!, _slow = null!;

    [Params(0.02)]
    public double Occupancy { get; set; }

    [Params(ChargeSharingMode.Cluster, ChargeSharingMode.None, ChargeSharingMode.Addition)]
    public ChargeSharingMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var synthetic = new SyntheticFrames(DetectorShape.Hexitec, Occupancy, seed: 7);
        _frames = synthetic.Generate(Frames);
        var corrections = synthetic.Corrections with { ChargeSharing = Mode };
        _kernel = FrameKernel.Create(corrections);
        _reference = FrameKernelReference.Create(corrections);
        _fast = new FrameAccumulator(_kernel);
        _slow = new FrameAccumulator(_reference);
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _fast.Reset();
        _slow.Reset();
    }

    /// <summary>SIMD sum of the same frame buffer: the memory-read ceiling.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Frames)]
    public ulong MemoryRead() => KernelBenchmark.SumWords(_frames);

    [Benchmark(OperationsPerInvoke = Frames)]
    public long Kernel()
    {
        _kernel.ProcessRaw(_frames, 0, _fast);
        return _fast.Frames;
    }

    [Benchmark(OperationsPerInvoke = Frames)]
    public long Reference()
    {
        _reference.ProcessRaw(_frames, 0, _slow);
        return _slow.Frames;
    }
}
