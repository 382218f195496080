using BenchmarkDotNet.Attributes;
using XcsCt.Domain.Xct.Reconstruction;

namespace XcsCt.Benchmarks.Xct;

/// <summary>
/// Filtered back projection of one 2048 x 2048 slice from 1500 projections on one core (target:
/// at most 2.3 s), split into the ramp filtering and the back projection. The setup checks the fast
/// back projector against the plain one on 200 pixels (relative difference below 1e-4 of the image
/// range), so a fast but wrong kernel cannot report a figure.
/// </summary>
public class FbpBenchmarks
{
    private const int Size = 2048, Angles = 1500;
    private float[] _sinogram = null!;
    private float[] _filtered = null!;
    private double[] _angles = null!;
    private FbpFilter _filter = null!;
    private float[] _image = null!;

    [GlobalSetup]
    public void Setup()
    {
        _angles = SheppLogan.Angles(Angles);
        _sinogram = SheppLogan.Sinogram(Size, _angles, Size, (Size - 1) / 2.0);
        _filter = new FbpFilter(Size);
        _filtered = FilteredBackProjection.Filter(_sinogram, Angles, Size, _filter, threads: 1);
        _image = new float[Size * Size];
        BackProjector.BackProject(_filtered, _angles, Size, (Size - 1) / 2.0, Size, _image, threads: 1);
        CheckAgainstPlain();
    }

    [Benchmark]
    public float[] Filter_1500_rows() => FilteredBackProjection.Filter(_sinogram, Angles, Size, _filter, threads: 1);

    [Benchmark]
    public void BackProject_2048() => BackProjector.BackProject(_filtered, _angles, Size, (Size - 1) / 2.0, Size, _image, threads: 1);

    [Benchmark]
    public float[] Fbp_2048_from_1500() => FilteredBackProjection.Reconstruct(_sinogram, _angles, Size, (Size - 1) / 2.0, Size, _filter, threads: 1);

    private void CheckAgainstPlain()
    {
        var rng = new Random(1);
        double c = (Size - 1) / 2.0, range = _image.Max() - _image.Min(), worst = 0;
        for (int k = 0; k < 200; k++)
        {
            int i = rng.Next(Size), j = rng.Next(Size);
            double sum = 0;
            for (int a = 0; a < Angles; a++)
            {
                double t = (j - c) * Math.Cos(_angles[a]) + (i - c) * Math.Sin(_angles[a]) + c;
                int u = (int)Math.Floor(t);
                double f = t - u;
                double p0 = u >= 0 && u < Size ? _filtered[a * Size + u] : 0;
                double p1 = u + 1 >= 0 && u + 1 < Size ? _filtered[a * Size + u + 1] : 0;
                sum += p0 + f * (p1 - p0);
            }
            worst = Math.Max(worst, Math.Abs(sum * Math.PI / Angles - _image[i * Size + j]) / range);
        }
        if (worst > 1e-4)
            throw new InvalidOperationException($"fast back projector differs from the plain one by {worst:E2} of the image range");
        Console.WriteLine($"// fast back projector matches the plain one: worst relative difference {worst:E2} on 200 pixels");
    }
}
