using BenchmarkDotNet.Attributes;
using XcsCt.Domain.Simulation;

namespace XcsCt.Benchmarks.Simulation;

/// <summary>
/// Frame simulation speed (ISSUE target: at least 100,000 frames/s for 80 x 80 frames on 2 cores).
/// One operation = <see cref="Frames"/> frames of the lib-nmc811 charging scan (cathode middle,
/// ~25 photons per frame), sampled into memory on all cores; frames/s = Frames / mean time.
/// </summary>
[MemoryDiagnoser]
public class FrameSamplerBenchmarks
{
    public const int Frames = 16 * FrameSampler.ChunkFrames;
    private FrameSampler _sampler = null!;
    private FrameSampler _dark = null!;
    private long _sink;

    [GlobalSetup]
    public void Setup()
    {
        var preset = CoinCellPreset.Create("lib-nmc811");
        var detector = DetectorModel.Hexitec(1);
        var model = new SimulationModel(preset, detector, BeamGeometry.Default, LithiationModel.FreeAtom);
        var plan = preset.Series(6)[2];
        _sampler = model.Scan(preset.Scene(plan), plan.ZMm).Sampler();
        _dark = FrameSampler.Dark(detector);
    }

    [Benchmark(OperationsPerInvoke = Frames, Description = "lib-nmc811 frames (per frame)")]
    public long Sample()
    {
        _sampler.Sample(42, Frames, (_, data) => _sink += data[0]);
        return _sink;
    }

    [Benchmark(OperationsPerInvoke = Frames, Description = "dark frames (per frame)")]
    public long Dark()
    {
        _dark.Sample(42, Frames, (_, data) => _sink += data[0]);
        return _sink;
    }
}
