using XcsCt.Domain.Detector;
using XcsCt.Domain.Spectra;

namespace XcsCt.Domain.Tests.Detector;

/// <summary>
/// <c>addition</c> against a test-side reimplementation of STFC's oracle
/// (hexitec-detector data/test/integrationTest/dataset_check.py, check_addition_averages): pad the
/// frame with zeros, scan it in raster order, and at each non-zero pixel put the k x k window's sum
/// on the window's argmax (first maximum in raster order) and zero the rest. One deliberate
/// difference from numpy: the sum is taken in raster order of the window (numpy's pairwise float
/// summation order is an implementation detail); the kernel documents the same order.
/// </summary>
public class AdditionOracleTests
{
    /// <summary>dataset_check.py's loop, generalised from 3 x 3 to k x k.</summary>
    private static float[] Oracle(float[] frame, int rows, int cols, int k)
    {
        int h = k / 2, pr = rows + 2 * h, pc = cols + 2 * h;
        var padded = new float[pr * pc]; // np.pad(raw_frame, h, mode='constant')
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                padded[(r + h) * pc + c + h] = frame[r * cols + c];
        for (int i = h; i < pr - h; i++)
            for (int j = h; j < pc - h; j++)
            {
                if (padded[i * pc + j] == 0f) continue;
                float sum = 0f, max = float.NegativeInfinity;
                int maxI = 0, maxJ = 0;
                for (int a = i - h; a <= i + h; a++)
                    for (int b = j - h; b <= j + h; b++)
                    {
                        float v = padded[a * pc + b];
                        sum += v;
                        if (v > max) { max = v; maxI = a; maxJ = b; } // argmax: first occurrence
                    }
                for (int a = i - h; a <= i + h; a++)
                    for (int b = j - h; b <= j + h; b++)
                        padded[a * pc + b] = 0f;
                padded[maxI * pc + maxJ] = sum;
            }
        var result = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                result[r * cols + c] = padded[(r + h) * pc + c + h];
        return result;
    }

    [Theory]
    [InlineData(80, 80, 3, 400, 11)]
    [InlineData(80, 80, 5, 400, 12)]
    [InlineData(7, 13, 3, 3000, 13)]
    [InlineData(7, 13, 5, 3000, 14)]
    [InlineData(20, 33, 3, 2000, 15)]
    public void AdditionMatchesTheStfcOracle(int rows, int cols, int window, int frameCount, int seed)
    {
        var shape = new DetectorShape(rows, cols);
        var axis = new HistogramAxis(0.05, 4000); // fine bins: a misplaced sum shows
        var corrections = new FrameCorrections(shape, axis, new float[shape.Pixels], new float[shape.Pixels])
        {
            ChargeSharing = ChargeSharingMode.Addition,
            Window = window,
        };
        var frames = KernelTestData.EnergyFrames(rows, cols, frameCount, seed, occupancy: 0.06);

        var expected = new uint[shape.Pixels * axis.Bins];
        long inputs = 0, outputs = 0, overflow = 0;
        for (int f = 0; f < frameCount; f++)
        {
            var frame = frames.AsSpan(f * shape.Pixels, shape.Pixels).ToArray();
            foreach (float v in frame) if (v != 0f) inputs++;
            var processed = Oracle(frame, rows, cols, window);
            for (int p = 0; p < processed.Length; p++)
            {
                if (processed[p] == 0f) continue;
                outputs++;
                double bin = Math.Floor(processed[p] / axis.BinWidthKeV);
                if (bin >= axis.Bins) overflow++;
                else expected[p * axis.Bins + (int)bin]++;
            }
        }

        var kernel = FrameKernel.Create(corrections);
        var acc = new FrameAccumulator(kernel);
        kernel.ProcessEnergies(frames, 0, acc);

        Assert.True(inputs - outputs > frameCount / 2, "the frames should share charge often");
        Assert.Equal(new EventCounts(inputs, outputs, inputs - outputs, 0, 0, 0, overflow), acc.Events);
        Assert.Equal(expected, acc.Counts);
    }
}
