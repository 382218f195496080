using XcsCt.Domain.Compton;
using XcsCt.Domain.Detector;
using XcsCt.Domain.Simulation;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Simulation;

/// <summary>Models shared by the simulation tests (each is expensive to build, so built once per test run).</summary>
internal static class SimFixture
{
    public const ulong DetectorSeed = 7;

    private static readonly Lazy<(CoinCellPreset, SimulationModel)> LazyLib = new(() => Build("lib-nmc811"));
    private static readonly Lazy<(CoinCellPreset, SimulationModel)> LazySsb = new(() => Build("ssb-peo"));
    private static readonly Dictionary<(string, int), (ScanModel, double[])> Scans = new();

    public static (CoinCellPreset Preset, SimulationModel Model) Lib => LazyLib.Value;
    public static (CoinCellPreset Preset, SimulationModel Model) Ssb => LazySsb.Value;

    private static (CoinCellPreset, SimulationModel) Build(string name)
    {
        var preset = CoinCellPreset.Create(name);
        return (preset, new SimulationModel(preset, DetectorModel.Hexitec(DetectorSeed), BeamGeometry.Default, LithiationModel.FreeAtom));
    }

    /// <summary>Scan <paramref name="index"/> of the 6-scan series (3 time points x 2 heights) and its expected spectra.</summary>
    public static (OperandoScan Plan, ScanModel Scan, double[] Expected) Scan(bool solid, int index)
    {
        var (preset, model) = solid ? Ssb : Lib;
        var plan = preset.Series(6)[index];
        lock (Scans)
        {
            if (!Scans.TryGetValue((preset.Name, index), out var v))
            {
                var scan = model.Scan(preset.Scene(plan), plan.ZMm);
                v = (scan, scan.ExpectedSpectra());
                Scans[(preset.Name, index)] = v;
            }
            return (plan, v.Item1, v.Item2);
        }
    }

    /// <summary>Component masks of a scan (true volume fractions), those covering at least one pixel.</summary>
    public static Dictionary<string, float[]> Masks(CoinCellPreset preset, ScanModel scan)
    {
        var masks = new Dictionary<string, float[]>();
        for (int l = 1; l < preset.Components.Count; l++)
        {
            var m = scan.Scene.Mask(l);
            if (m.Sum() >= 1) masks[preset.Components[l]] = m;
        }
        return masks;
    }

    /// <summary>Mask of pixels at least <paramref name="min"/> inside component <paramref name="label"/>.</summary>
    public static float[] Core(ScanModel scan, int label, float min = 0.999f)
    {
        var m = scan.Scene.Mask(label);
        for (int i = 0; i < m.Length; i++) m[i] = m[i] >= min ? 1 : 0;
        return m;
    }

    /// <summary>The frame corrections the simulated experiment's manifest asks for: the detector's calibration, offset and threshold maps, cluster rule.</summary>
    public static FrameCorrections Corrections(DetectorModel det) =>
        new FrameCorrections(det.Shape, HistogramAxis.Default, det.GradientsKeVPerAdu, det.InterceptsKeV)
        {
            OffsetsAdu = det.OffsetsAdu,
            ThresholdMapAdu = det.ThresholdsAdu,
        };

    /// <summary>
    /// <paramref name="frames"/> raw frames of <paramref name="sampler"/> (random stream <paramref name="seed"/>)
    /// through the frame kernel into pixel spectra, on the calling thread.
    /// </summary>
    public static PixelSpectra ProcessFrames(FrameSampler sampler, FrameKernel kernel, long frames, ulong seed)
    {
        var acc = new FrameAccumulator(kernel);
        int pixels = kernel.Corrections.Shape.Pixels;
        var buffer = new ushort[FrameSampler.ChunkFrames * pixels];
        for (long chunk = 0; chunk * FrameSampler.ChunkFrames < frames; chunk++)
        {
            int n = (int)Math.Min(FrameSampler.ChunkFrames, frames - chunk * FrameSampler.ChunkFrames);
            sampler.SampleChunk(seed, chunk, n, buffer);
            kernel.ProcessRaw(buffer.AsSpan(0, n * pixels), chunk * FrameSampler.ChunkFrames, acc);
        }
        var spectra = new PixelSpectra(kernel.Corrections.Shape, kernel.Corrections.Axis);
        acc.MoveTo(spectra);
        return spectra;
    }

    /// <summary>Mean and sample standard deviation.</summary>
    public static (double Mean, double Std) MeanStd(IReadOnlyList<double> values)
    {
        double mean = values.Average(), ss = 0;
        foreach (double v in values) ss += (v - mean) * (v - mean);
        return (mean, Math.Sqrt(ss / (values.Count - 1)));
    }

    /// <summary>EMF of a double spectrum, no peak centring, default windows.</summary>
    public static double Emf(ReadOnlySpan<double> counts, HistogramAxis axis) =>
        EmfCalculator.Create(axis, AnalysisSettings.Default with { PeakCentring = false, MinCounts = 0 })
            .Compute(counts, counts).Value;
}
