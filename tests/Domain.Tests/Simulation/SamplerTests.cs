using XcsCt.Domain.Detector;
using XcsCt.Domain.Simulation;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Simulation;

/// <summary>The detector model and the frame sampler: sharing, determinism, and agreement of frames with the expected spectra.</summary>
public class SamplerTests
{
    [Fact]
    public void Charge_sharing_splits_30_to_40_percent_of_compton_photons()
    {
        var det = DetectorModel.Hexitec(1);
        var rng = new Xoshiro256(11);
        Span<Deposit> d = stackalloc Deposit[8];
        int shared = 0, n = 200_000;
        for (int i = 0; i < n; i++)
        {
            int k = det.Interact(93.6, ref rng, d);
            int above = 0;
            for (int j = 0; j < k; j++) if (d[j].KeV >= det.Physics.ThresholdKeV) above++;
            if (above >= 2) shared++;
        }
        Assert.InRange(shared / (double)n, 0.30, 0.40);
    }

    [Fact]
    public void Frames_are_identical_whatever_the_thread_count()
    {
        var (_, scan, _) = SimFixture.Scan(false, 2);
        var sampler = scan.Sampler();
        const int frames = 2 * FrameSampler.ChunkFrames + 300;
        ushort[] Run(int threads, ulong seed)
        {
            var all = new ushort[frames * sampler.Pixels];
            sampler.Sample(seed, frames, (first, data) => data.CopyTo(all.AsSpan((int)first * sampler.Pixels)), threads);
            return all;
        }
        var one = Run(1, 5);
        Assert.Equal(one, Run(2, 5));
        Assert.Equal(one, Run(4, 5));
        Assert.NotEqual(one, Run(2, 6));
    }

    [Fact]
    public void Dark_frames_average_to_the_offsets_and_hold_no_events()
    {
        var det = DetectorModel.Hexitec(3);
        var sum = new double[det.Shape.Pixels];
        long n = 0;
        int above = 0;
        FrameSampler.Dark(det).Sample(1, 4096, (_, data) =>
        {
            for (int i = 0; i < data.Length; i++)
            {
                int p = i % sum.Length;
                sum[p] += data[i];
                if (data[i] - det.OffsetsAdu[p] >= det.ThresholdsAdu[p] && det.GradientsKeVPerAdu[p] > 0) above++;
            }
            n += data.Length / sum.Length;
        });
        for (int p = 0; p < sum.Length; p++)
        {
            if (det.GradientsKeVPerAdu[p] <= 0) continue;
            // Frames draw from a zero-mean pool: the mean of n frames scatters by sigma/sqrt(n), plus rounding.
            double tolerance = 5 * det.ElectronicSigmaKeV[p] / det.GradientsKeVPerAdu[p] / Math.Sqrt(n) + 0.5;
            Assert.InRange(sum[p] / n - det.OffsetsAdu[p], -tolerance, tolerance);
        }
        Assert.Equal(0, above);
    }

    [Fact]
    public void Processed_frames_agree_with_the_expected_spectra()
    {
        // The expected spectra keep pile-up to first order only (and no noise at the threshold).
        const double CountTolerance = 0.02, EmfTolerance = 0.005;
        var (preset, model) = SimFixture.Lib;
        var (_, scan, expected) = SimFixture.Scan(false, 2);
        var det = model.Detector;
        var corrections = new FrameCorrections(det.Shape, HistogramAxis.Default, det.GradientsKeVPerAdu, det.InterceptsKeV)
        {
            OffsetsAdu = det.OffsetsAdu,
            ThresholdMapAdu = det.ThresholdsAdu,
        };
        var kernel = FrameKernel.Create(corrections);
        var acc = new FrameAccumulator(kernel);
        const long frames = 40_000;
        scan.Sampler().Sample(9, frames, (first, data) => kernel.ProcessRaw(data, first, acc));
        var spectra = new PixelSpectra(det.Shape, HistogramAxis.Default);
        acc.MoveTo(spectra);
        Assert.True(spectra.Events.IsBalanced);

        // Events in the Compton region (85-100 keV), where summed pile-up pairs never land.
        const int First = 425, End = 500;
        double measured = 0, predicted = 0;
        for (int p = 0; p < det.Shape.Pixels; p++)
            for (int b = First; b < End; b++)
            {
                measured += spectra.Counts[p * 1000 + b];
                predicted += expected[p * 1000 + b] * frames;
            }
        Assert.True(Math.Abs(measured / predicted - 1) <= CountTolerance, $"measured / expected events = {measured / predicted:F4}");

        var cathode = SimFixture.Core(scan, preset.ActiveLabel("cathode-middle"));
        double emfMeasured = SimFixture.Emf(spectra.Sum(cathode), HistogramAxis.Default);
        double emfExpected = SimFixture.Emf(ScanModel.Sum(expected, HistogramAxis.Default.Bins, cathode), HistogramAxis.Default);
        Assert.True(Math.Abs(emfMeasured / emfExpected - 1) <= EmfTolerance, $"cathode EMF measured {emfMeasured:F4}, expected {emfExpected:F4}");
    }

    [Fact]
    public void Alias_table_draws_in_proportion_to_the_weights()
    {
        var t = new AliasTable(new double[] { 1, 0, 3, 6 });
        var rng = new Xoshiro256(3);
        var counts = new int[4];
        const int n = 400_000;
        for (int i = 0; i < n; i++) counts[t.Sample(rng.Next())]++;
        Assert.Equal(0, counts[1]);
        Assert.InRange(counts[0] / (double)n, 0.095, 0.105);
        Assert.InRange(counts[3] / (double)n, 0.595, 0.605);
    }

    [Fact]
    public void Poisson_draws_have_the_right_mean_and_variance()
    {
        var rng = new Xoshiro256(4);
        foreach (double mean in new[] { 0.3, 7.0, 45.0, 2500.0 })
        {
            double s = 0, s2 = 0;
            const int n = 100_000;
            for (int i = 0; i < n; i++) { double k = rng.NextPoisson(mean); s += k; s2 += k * k; }
            double m = s / n, v = s2 / n - m * m;
            Assert.InRange(m / mean, 0.99, 1.01);
            Assert.InRange(v / mean, 0.97, 1.03);
        }
    }
}
