using System.Diagnostics;
using XcsCt.Domain.Simulation;
using XcsCt.Domain.Spectra;
using Xunit.Abstractions;

namespace XcsCt.Domain.Tests.Simulation;

public class ScratchTests(ITestOutputHelper output)
{
    [Fact]
    public void Scratch()
    {
        var sw = Stopwatch.StartNew();
        var preset = CoinCellPreset.Create("lib-nmc811");
        var det = DetectorModel.Hexitec(7);
        var model = new SimulationModel(preset, det, BeamGeometry.Default, LithiationModel.FreeAtom);
        output.WriteLine($"model {sw.ElapsedMilliseconds} ms"); sw.Restart();
        var series = preset.Series(6);
        foreach (var scan in series)
        {
            var sm = model.Scan(preset.Scene(scan), scan.ZMm);
            output.WriteLine($"scene {sw.ElapsedMilliseconds} ms rate {sm.TotalPhotonRate:F2}"); sw.Restart();
            var exp = sm.ExpectedSpectra();
            output.WriteLine($"expected {sw.ElapsedMilliseconds} ms"); sw.Restart();
            var all = ScanModel.Sum(exp, 1000);
            double tot = 0; foreach (var v in all) tot += v;
            var cath = sm.Scene.Mask(preset.ActiveLabel(scan.Depth));
            for (int i = 0; i < cath.Length; i++) cath[i] = cath[i] > 0.99f ? 1 : 0;
            var g = SimulationEmf.Compute(all, HistogramAxis.Default, BeamGeometry.Default);
            var t = SimulationEmf.Compute(ScanModel.Sum(exp, 1000, cath), HistogramAxis.Default, BeamGeometry.Default);
            double s = 0, se = 0; for (int b = 450; b < 487; b++) { s += all[b]; se += all[b] * (b + 0.5) * 0.2; }
            output.WriteLine($"{scan.Id} {scan.Depth} x={scan.MeanLithium:F2} sheetx={preset.SheetLithium(scan):F3} counts/frame {tot:F2} global {g.Emf:F4} active {t.Emf:F4} centroid {se / s:F3}");
            for (int c = 0; c < 80; c += 4) output.WriteLine($"  col {c} emf {SimulationEmf.Compute(exp.AsSpan((40 * 80 + c) * 1000, 1000), HistogramAxis.Default, BeamGeometry.Default).Emf:F3} rate {sm.PhotonRate[40 * 80 + c]:F4} li {sm.Scene.LithiumFraction[40 * 80 + c]:F3} tilt {sm.Scene.Tilt[40*80+c]:F2}");
            if (scan.Index == 1)
            {
                var sampler = sm.Sampler();
                var buf = new ushort[FrameSampler.ChunkFrames * 6400];
                sw.Restart();
                long n = 0;
                sampler.Sample(1, 20480, (f, d) => n += d.Length);
                output.WriteLine($"sample 20480 frames {sw.ElapsedMilliseconds} ms, photons/frame {sampler.PhotonsPerFrame:F1}");
            }
        }
    }
}
