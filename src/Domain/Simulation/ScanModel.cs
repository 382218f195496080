using System.Numerics.Tensors;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Simulation;

/// <summary>
/// One scan of a simulated experiment: the pixel scene and, per pixel, the photon rate of every basis
/// (photons per frame). Gives the expected spectra (double, per frame, after the detector response and
/// the cluster rule: the truth) and the sampling tables of the <see cref="FrameSampler"/>.
/// </summary>
public sealed class ScanModel
{
    internal ScanModel(SimulationModel model, PixelScene scene)
    {
        Model = model;
        Scene = scene;
        int s = scene.Species.Count, pixels = scene.Shape.Pixels, nb = model.BasisCount;
        Weights = new double[pixels * nb];
        double scatter = 0;
        for (int p = 0; p < pixels; p++)
        {
            double beta = scene.Tilt[p];
            for (int k = 0; k < s; k++)
            {
                double w = model.FluxScale * scene.Amounts[p * s + k];
                Weights[p * nb + k] = w;
                Weights[p * nb + s + k] = w * beta;
                scatter += w * model.BasisTotal[k] + w * beta * model.BasisTotal[s + k];
            }
        }
        double background = model.PinholeFluorescenceFraction * scatter / pixels / model.BasisTotal[nb - 1];
        for (int p = 0; p < pixels; p++) Weights[p * nb + nb - 1] = background;
        PhotonRate = new double[pixels];
        for (int p = 0; p < pixels; p++)
            for (int b = 0; b < nb; b++) PhotonRate[p] += Weights[p * nb + b] * model.BasisTotal[b];
    }

    public SimulationModel Model { get; }
    public PixelScene Scene { get; }

    /// <summary>Photons per frame of basis b in pixel p: <c>Weights[p * BasisCount + b]</c>.</summary>
    public double[] Weights { get; }

    /// <summary>Photons absorbed per frame in each pixel (before the detector response).</summary>
    public double[] PhotonRate { get; }

    /// <summary>Photons per frame on the whole detector.</summary>
    public double TotalPhotonRate => TensorPrimitives.Sum<double>(PhotonRate);

    /// <summary>
    /// Expected processed spectrum of every pixel per frame: <c>[pixel * bins + bin]</c>. Multiply by the
    /// frame count for expected counts. Dead pixels (gradient 0) are zero, as the frame corrections drop them.
    /// Pile-up is kept to first order: an event survives the cluster rule only if no other photon of the
    /// same frame leaves charge next to it, probability <see cref="PileUpSurvival"/>.
    /// </summary>
    public double[] ExpectedSpectra()
    {
        var det = Model.Detector;
        var shape = Scene.Shape;
        int bins = Model.Axis.Bins, nb = Model.BasisCount, pixels = shape.Pixels, active = Model.ActiveBins;
        var result = new double[pixels * bins];
        // Secondary events (fluorescence landing in other pixels) by the stencil.
        var rate = new double[2, pixels];
        for (int p = 0; p < pixels; p++)
            for (int b = 0; b < nb; b++)
            {
                double w = Weights[p * nb + b];
                if (w == 0) continue;
                rate[0, p] += w * Model.SecondaryRates[b, 0];
                rate[1, p] += w * Model.SecondaryRates[b, 1];
            }
        var stencil = Model.Kernel.Stencil;
        var survival = PileUpSurvival();
        int rad = ResponseKernel.StencilRadius, side = 2 * rad + 1;
        Parallel.For(0, pixels, p =>
        {
            if (det.GradientsKeVPerAdu[p] <= 0) return;
            var dst = result.AsSpan(p * bins, active);
            double v1 = det.ElectronicSigmaKeV[p] * det.ElectronicSigmaKeV[p];
            var (l1, t1) = SimulationModel.LevelOf(v1);
            for (int b = 0; b < nb; b++)
            {
                double w = Weights[p * nb + b];
                if (w == 0) continue;
                TensorPrimitives.MultiplyAdd(Model.Smeared(b, 0, l1).AsSpan(0, active), w * (1 - t1), dst, dst);
                TensorPrimitives.MultiplyAdd(Model.Smeared(b, 0, l1 + 1).AsSpan(0, active), w * t1, dst, dst);
                TensorPrimitives.MultiplyAdd(Model.Smeared(b, 1, l1).AsSpan(0, active), w * (1 - t1), dst, dst);
                TensorPrimitives.MultiplyAdd(Model.Smeared(b, 1, l1 + 1).AsSpan(0, active), w * t1, dst, dst);
            }
            int row = p / shape.Cols, col = p % shape.Cols;
            double s0 = 0, s1 = 0;
            for (int dr = -rad; dr <= rad; dr++)
                for (int dc = -rad; dc <= rad; dc++)
                {
                    int r = row - dr, c = col - dc;
                    if ((uint)r >= (uint)shape.Rows || (uint)c >= (uint)shape.Cols) continue;
                    double st = stencil[(dr + rad) * side + dc + rad];
                    s0 += st * rate[0, r * shape.Cols + c];
                    s1 += st * rate[1, r * shape.Cols + c];
                }
            TensorPrimitives.MultiplyAdd(Model.SecondarySmeared(0, l1).AsSpan(0, active), s0 * (1 - t1), dst, dst);
            TensorPrimitives.MultiplyAdd(Model.SecondarySmeared(0, l1 + 1).AsSpan(0, active), s0 * t1, dst, dst);
            TensorPrimitives.MultiplyAdd(Model.SecondarySmeared(1, l1).AsSpan(0, active), s1 * (1 - t1), dst, dst);
            TensorPrimitives.MultiplyAdd(Model.SecondarySmeared(1, l1 + 1).AsSpan(0, active), s1 * t1, dst, dst);
            TensorPrimitives.Multiply(dst, survival[p], dst);
        });
        return result;
    }

    /// <summary>
    /// Probability per pixel that an event is not corrupted by pile-up:
    /// <c>exp(-sum_q h_q)</c> over the hit rates h_q (pixels above threshold per frame) of the 3 x 3
    /// neighbourhood, where another hit merges with the event or makes a cluster of 3+ (held within 2 %
    /// of the frame path's counts by a test).
    /// </summary>
    public double[] PileUpSurvival()
    {
        var shape = Scene.Shape;
        double hitsPerPhoton = Model.Kernel.HitsPerPhoton(Model.Beam.ComptonKeV);
        var survival = new double[shape.Pixels];
        for (int p = 0; p < shape.Pixels; p++)
        {
            int row = p / shape.Cols, col = p % shape.Cols;
            double load = 0;
            for (int dr = -1; dr <= 1; dr++)
                for (int dc = -1; dc <= 1; dc++)
                {
                    int r = row + dr, c = col + dc;
                    if ((uint)r >= (uint)shape.Rows || (uint)c >= (uint)shape.Cols) continue;
                    load += PhotonRate[r * shape.Cols + c] * hitsPerPhoton;
                }
            survival[p] = Math.Exp(-load);
        }
        return survival;
    }

    /// <summary>Sum of <paramref name="expected"/> spectra over pixels weighted by <paramref name="mask"/> (all pixels when empty).</summary>
    public static double[] Sum(ReadOnlySpan<double> expected, int bins, ReadOnlySpan<float> mask = default)
    {
        var sum = new double[bins];
        int pixels = expected.Length / bins;
        for (int p = 0; p < pixels; p++)
        {
            double w = mask.IsEmpty ? 1 : mask[p];
            if (!(w > 0)) continue;
            TensorPrimitives.MultiplyAdd(expected.Slice(p * bins, bins), w, sum, sum);
        }
        return sum;
    }

    /// <summary>
    /// Pixel spectra drawn directly from the expected spectra: Poisson counts per bin with mean
    /// <c>frames * expected</c> (seeded; what the frame path gives, without pile-up, in a fraction of the time).
    /// </summary>
    public PixelSpectra SampleSpectra(ReadOnlySpan<double> expected, long frames, ulong seed)
    {
        var axis = Model.Axis;
        var spectra = new PixelSpectra(Scene.Shape, axis);
        var counts = spectra.Counts;
        int bins = axis.Bins;
        var exp = expected.ToArray();
        Parallel.For(0, Scene.Shape.Pixels, p =>
        {
            var rng = new Xoshiro256(seed, (ulong)p + 1);
            for (int b = 0; b < bins; b++)
            {
                double mean = exp[p * bins + b] * frames;
                if (mean > 0) counts[p * bins + b] = (uint)Math.Min(uint.MaxValue, rng.NextPoisson(mean));
            }
        });
        spectra.Frames = frames;
        return spectra;
    }

    /// <summary>Sampling tables for raw frames of this scan (built once; reusable across threads).</summary>
    public FrameSampler Sampler() => new(this);
}
