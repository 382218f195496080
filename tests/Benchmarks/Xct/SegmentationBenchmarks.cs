using BenchmarkDotNet.Attributes;
using XcsCt.Domain.Xct;

namespace XcsCt.Benchmarks.Xct;

/// <summary>
/// Segmentation kernels on one core (ANALYSIS section 7), 64 x 256 x 256 voxels. Reported time is per
/// voxel (OperationsPerInvoke): Mvoxel/s = 1000 / (ns per op). Targets: median 3x3x3 on uint16 and
/// labelling at least 100 Mvoxel/s, opening radius 3 at least 50 Mvoxel/s.
/// </summary>
[MemoryDiagnoser]
public class SegmentationBenchmarks
{
    private const int Depth = 64, Height = 256, Width = 256;
    private const int Voxels = Depth * Height * Width;
    private static readonly VolumeShape Shape = new(Depth, Height, Width);
    private Volume<ushort> _grey = null!;
    private Volume<byte> _phase = null!;
    private ushort[] _greyOut = null!;
    private byte[] _maskOut = null!;
    private int[] _labels = null!;
    private readonly Ball _ball = new(3);

    [GlobalSetup]
    public void Setup()
    {
        _grey = XctBenchmarkData.Greyscale(Shape);
        _phase = XctBenchmarkData.Phase(Shape);
        _greyOut = new ushort[Voxels];
        _maskOut = new byte[Voxels];
        _labels = new int[Voxels];
    }

    [Benchmark(OperationsPerInvoke = Voxels)]
    public void Median3x3x3_uint16() => MedianFilter.Median3x3x3<ushort>(_grey.Data, Shape, 0, _greyOut);

    [Benchmark(OperationsPerInvoke = Voxels)]
    public int Labelling_26() => ConnectedComponents.Label(_phase.Data, Shape, Connectivity.Full26, _labels);

    [Benchmark(OperationsPerInvoke = Voxels)]
    public int Labelling_6() => ConnectedComponents.Label(_phase.Data, Shape, Connectivity.Faces6, _labels);

    [Benchmark(OperationsPerInvoke = Voxels)]
    public void Opening_binary_r3() => Morphology.Open(_phase.Data, Shape, _ball, 0, _maskOut);

    [Benchmark(OperationsPerInvoke = Voxels)]
    public void Opening_grey_uint16_r3() => Morphology.OpenGrey<ushort>(_grey.Data, Shape, _ball, 0, _greyOut);
}
