using XcsCt.Domain.Detector;
using XcsCt.Domain.Formats;

namespace XcsCt.Domain.Pipeline;

/// <summary>
/// Offset (dark level) map from beam-off frames (ANALYSIS section 3, step 2): the per-pixel mean
/// of N dark frames, in ADU. Streams the frames in blocks, so any number of frames fits in memory.
/// </summary>
public static class DarkOffsets
{
    public static float[] Mean(IReadOnlyList<string> darkFrameFiles, DetectorShape shape)
    {
        var sum = new double[shape.Pixels];
        long frames = 0;
        const int block = 256;
        var buffer = new ushort[block * shape.Pixels];
        foreach (var path in darkFrameFiles)
        {
            using var source = FrameSources.Open(path, shape);
            if (source.Kind != FrameKind.RawAdu)
                throw new InputException($"{path}: dark frames must be raw ADU frames, found {source.Kind}");
            if (source.Shape != shape)
                throw new InputException($"{path}: dark frames are {source.Shape}, the detector is {shape}");
            for (long first = 0; first < source.FrameCount; first += block)
            {
                int n = (int)Math.Min(block, source.FrameCount - first);
                var span = buffer.AsSpan(0, n * shape.Pixels);
                source.ReadRaw(first, n, span);
                for (int f = 0; f < n; f++)
                {
                    var frame = span.Slice(f * shape.Pixels, shape.Pixels);
                    for (int p = 0; p < frame.Length; p++) sum[p] += frame[p];
                }
            }
            frames += source.FrameCount;
        }
        if (frames == 0) throw new InputException($"dark frames {string.Join(", ", darkFrameFiles)}: no frames to average");
        var mean = new float[shape.Pixels];
        for (int p = 0; p < mean.Length; p++) mean[p] = (float)(sum[p] / frames);
        return mean;
    }
}
