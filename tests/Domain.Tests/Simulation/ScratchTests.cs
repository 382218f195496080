using System.Diagnostics;
using XcsCt.Domain.Simulation;
using Xunit.Abstractions;

namespace XcsCt.Domain.Tests.Simulation;

public class ScratchTests(ITestOutputHelper output)
{
    private static double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;

    [Fact]
    public void Scratch()
    {
        double t = Cpu();
        void Lap(string what) { double n = Cpu(); output.WriteLine($"{what}: {n - t:F0} ms cpu"); t = n; }
        var preset = CoinCellPreset.Create("lib-nmc811");
        var det = DetectorModel.Hexitec(7);
        Lap("detector");
        var inc = new IncidentSpectra(BeamGeometry.Default, LithiationModel.FreeAtom, FineGrid.Default, det);
        foreach (var s in preset.Species.Items) inc.Of(s);
        Lap("incident");
        var k = new ResponseKernel(det, FineGrid.Default, 117);
        Lap("kernel");
        var model = new SimulationModel(preset, det, BeamGeometry.Default, LithiationModel.FreeAtom, 0.03);
        Lap("model");
        var plan = preset.Series(4)[2];
        var scene = preset.Scene(plan);
        var sm = model.Scan(scene, plan.ZMm);
        Lap("scene");
        var exp = sm.ExpectedSpectra();
        Lap("expected (first)");
        exp = sm.ExpectedSpectra();
        Lap("expected (second)");
        var sampler = sm.Sampler();
        Lap("sampler tables");
        sampler.Sample(1, 20480, (f, d) => { }, 1);
        Lap($"sample 20480 frames 1 thread ({sampler.PhotonsPerFrame:F1} photons/frame)");
        FrameSampler.Dark(det).Sample(1, 20480, (f, d) => { }, 1);
        Lap("dark 20480 frames 1 thread");
    }
}
