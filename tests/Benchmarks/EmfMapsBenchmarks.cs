using BenchmarkDotNet.Attributes;
using XcsCt.Domain.Compton;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;

namespace XcsCt.Benchmarks;

/// <summary>
/// EMF of one 80 x 80 x 1000-bin scan (ANALYSIS section 5), ~20k counts per pixel in the Compton
/// peak. Run: <c>dotnet run -c Release --project tests/Benchmarks -- --filter '*EmfMaps*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class EmfMapsBenchmarks
{
    private PixelSpectra _spectra = null!;
    private EmfCalculator _calculator = null!;
    private double[] _pixel = null!;

    [GlobalSetup]
    public void Setup()
    {
        var axis = HistogramAxis.Default;
        _spectra = new PixelSpectra(DetectorShape.Hexitec, axis) { Frames = 1000 };
        var rng = new Random(1);
        for (int p = 0; p < _spectra.Shape.Pixels; p++)
            for (int b = 400; b < 560; b++)
            {
                double d = axis.Centre(b) - 93.8;
                double lambda = 20000 * 0.2 / (0.9 * Math.Sqrt(2 * Math.PI)) * Math.Exp(-d * d / (2 * 0.81)) + 5;
                _spectra.Counts[p * axis.Bins + b] = (uint)Math.Max(0, lambda + Math.Sqrt(lambda) * (2 * rng.NextDouble() - 1) * 1.7);
            }
        _calculator = EmfCalculator.Create(axis, AnalysisSettings.Default, 0.17);
        _pixel = new double[axis.Bins];
        for (int b = 0; b < axis.Bins; b++) _pixel[b] = _spectra.Counts[b];
    }

    [Benchmark]
    public EmfResult OnePixel() => _calculator.Compute(_pixel, _pixel);

    [Benchmark]
    public EmfMap MapWithoutCentring() =>
        EmfMaps.Compute(_spectra, AnalysisSettings.Default with { PeakCentring = false }, maxDegreeOfParallelism: 1);

    [Benchmark]
    public EmfMap MapWithPixelCentring() => EmfMaps.Compute(_spectra, AnalysisSettings.Default, maxDegreeOfParallelism: 1);

    [Benchmark]
    public EmfResult WholeDetectorRegion() => RegionEmf.Compute(_spectra, default, AnalysisSettings.Default, 0.17);
}
