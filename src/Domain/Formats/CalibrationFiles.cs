using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Formats;

/// <summary>
/// Loads the frame-correction inputs a manifest names (ANALYSIS section 3: offsets, thresholds,
/// gradients, intercepts) into <see cref="FrameCorrections"/>, checking every map against the
/// manifest's detector shape.
/// </summary>
public static class CalibrationFiles
{
    /// <summary>Builds validated frame corrections from <paramref name="manifest"/>'s calibration, corrections and analysis axis.</summary>
    /// <exception cref="InputException">No calibration section, a map of the wrong shape or value, unusable dark frames.</exception>
    public static FrameCorrections Load(ExperimentManifest manifest)
    {
        var cal = manifest.Calibration
            ?? throw new InputException($"experiment {manifest.Experiment}: raw frames need a calibration section (gradients and intercepts) in the manifest");
        var shape = manifest.Detector.Shape;
        float[] gradients = PixelMapText.Read(cal.Gradients, shape, "gradient map");
        float[] intercepts = PixelMapText.Read(cal.Intercepts, shape, "intercept map");
        float[]? offsets = cal.Offsets is { } o
            ? PixelMapText.Read(o, shape, "offset map")
            : cal.DarkFrames.Count > 0 ? MeanFrame(cal.DarkFrames, shape) : null;
        float[]? thresholds = cal.Thresholds is { } t ? PixelMapText.Read(t, shape, "threshold map") : null;
        return new FrameCorrections(shape, manifest.Analysis.Axis, gradients, intercepts)
        {
            Reorder = manifest.Corrections.Reorder,
            OffsetsAdu = offsets,
            ThresholdAdu = cal.ThresholdAdu is { } adu ? (float)adu : null,
            ThresholdMapAdu = thresholds,
            NextFrame = manifest.Corrections.NextFrame,
            ChargeSharing = manifest.Corrections.ChargeSharing,
            Window = manifest.Corrections.Window,
        }.Validated();
    }

    /// <summary>
    /// Per-pixel mean of every frame of the given raw runs (ANALYSIS section 3, step 2: the offset map
    /// is the mean of N dark frames), ADU. Sums are exact (64-bit integers) before the one division.
    /// </summary>
    /// <param name="files">Raw frame files (<c>.bin</c> of <paramref name="shape"/>, or odin <c>/raw_frames</c> of that shape).</param>
    /// <param name="shape">Detector shape every file must have.</param>
    /// <param name="batchFrames">Frames read at a time (memory: batchFrames x pixels x 2 bytes).</param>
    public static float[] MeanFrame(IReadOnlyList<string> files, DetectorShape shape, int batchFrames = 1024)
    {
        if (files.Count == 0) throw new ArgumentException("no dark frame files", nameof(files));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchFrames, 1);
        var sums = new long[shape.Pixels];
        long frames = 0;
        foreach (string file in files)
        {
            using var source = FrameSources.Open(file, shape);
            if (source.Kind != FrameKind.RawAdu)
                throw new InputException($"dark frames {source.Path}: hold processed keV frames; the offset map needs raw ADU frames");
            if (source.Shape != shape)
                throw new InputException($"dark frames {source.Path}: frames of {source.Shape} pixels, the detector is {shape}");
            var buffer = new ushort[(long)Math.Min(batchFrames, source.FrameCount) * shape.Pixels];
            for (long first = 0; first < source.FrameCount; first += batchFrames)
            {
                int count = (int)Math.Min(batchFrames, source.FrameCount - first);
                var batch = buffer.AsSpan(0, count * shape.Pixels);
                source.ReadRaw(first, count, batch);
                for (int f = 0; f < count; f++)
                {
                    var frame = batch.Slice(f * shape.Pixels, shape.Pixels);
                    for (int p = 0; p < frame.Length; p++) sums[p] += frame[p];
                }
            }
            frames += source.FrameCount;
        }
        var mean = new float[shape.Pixels];
        for (int p = 0; p < mean.Length; p++) mean[p] = (float)((double)sums[p] / frames);
        return mean;
    }
}
