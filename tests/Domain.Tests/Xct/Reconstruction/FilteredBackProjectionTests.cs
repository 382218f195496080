using XcsCt.Domain.Xct.Reconstruction;

namespace XcsCt.Domain.Tests.Xct.Reconstruction;

public class FilteredBackProjectionTests
{
    private const double PhantomRelativeRms = 0.05;   // the acceptance: below 5 %
    private const double FastVsPlainRelative = 1e-4;  // float vs double rounding of the same sum

    [Theory]
    [InlineData(FbpFilterKind.RamLak)]
    [InlineData(FbpFilterKind.SheppLogan)]
    public void Shepp_Logan_phantom_reconstructs_within_5_percent_rms(FbpFilterKind kind)
    {
        // The detector spans the image diagonal (256 sqrt 2 = 363 columns), so every pixel of the
        // square is inside the scanned field of view.
        const int n = 256, cols = 363;
        var angles = SheppLogan.Angles(360);
        double centre = (cols - 1) / 2.0;
        var sino = SheppLogan.Sinogram(n, angles, cols, centre);
        var image = FilteredBackProjection.Reconstruct(sino, angles, cols, centre, n, new FbpFilter(cols, kind));
        var truth = SheppLogan.Image(n);
        double err = RelativeRms(image, truth);
        Assert.True(err < PhantomRelativeRms, $"relative RMS error {err:P2} with {kind}");
    }

    [Fact]
    public void Off_centre_axis_and_wider_detector_reconstruct_the_same_phantom()
    {
        const int n = 128, cols = 190;
        var angles = SheppLogan.Angles(200);
        double centre = 92.25;
        var sino = SheppLogan.Sinogram(n, angles, cols, centre);
        var image = FilteredBackProjection.Reconstruct(sino, angles, cols, centre, n, new FbpFilter(cols));
        Assert.True(RelativeRms(image, SheppLogan.Image(n)) < 0.1);
    }

    [Theory]
    [InlineData(37, 50, 40, 23.6)]
    [InlineData(64, 64, 90, 31.5)]
    [InlineData(100, 80, 33, 44.1)]
    public void Fast_back_projector_equals_the_plain_one(int size, int cols, int angleCount, double centre)
    {
        var rng = new Random(size);
        var filtered = new float[angleCount * cols];
        for (int i = 0; i < filtered.Length; i++)
            filtered[i] = (float)(rng.NextDouble() - 0.3);
        var angles = Enumerable.Range(0, angleCount).Select(a => a * Math.PI / angleCount + 0.01).ToArray();
        var plain = new float[size * size];
        var fast = new float[size * size];
        var scalar = new float[size * size];
        BackProjectorReference.BackProject(filtered, angles, cols, centre, size, plain);
        BackProjector.BackProject(filtered, angles, cols, centre, size, fast, threads: 1);
        BackProjector.BackProjectScalar(filtered, angles, cols, centre, size, scalar, threads: 2);
        double scale = plain.Max(Math.Abs);
        for (int i = 0; i < plain.Length; i++)
        {
            Assert.True(Math.Abs(fast[i] - plain[i]) <= FastVsPlainRelative * scale, $"pixel {i}: fast {fast[i]} plain {plain[i]}");
            Assert.True(Math.Abs(scalar[i] - plain[i]) <= FastVsPlainRelative * scale, $"pixel {i}: scalar {scalar[i]} plain {plain[i]}");
        }
    }

    [Fact]
    public void Ramp_filter_has_zero_dc_and_the_shepp_logan_window_lowers_nyquist()
    {
        var ramLak = new FbpFilter(100);
        var sl = new FbpFilter(100, FbpFilterKind.SheppLogan);
        Assert.Equal(256, ramLak.Padded);
        // DC of the band-limited ramp: 1/4 + 2 sum_odd -1/(pi n)^2 over the padded length, nearly 0.
        Assert.InRange(ramLak.Response[0], 0, 0.002);
        Assert.Equal(0.5, ramLak.Response[128], 2);
        Assert.Equal(2 / Math.PI, sl.Response[128] / ramLak.Response[128], 6);
    }

    [Fact]
    public void Sinogram_of_the_wrong_size_is_an_input_error()
    {
        Assert.Throws<InputException>(() => FilteredBackProjection.Reconstruct(new float[10], SheppLogan.Angles(3), 4, 2, 4, new FbpFilter(4)));
        Assert.Throws<InputException>(() => new FbpFilter(0));
    }

    /// <summary>Relative RMS difference, over the whole square or inside a centred disc of <paramref name="radius"/> pixels.</summary>
    internal static double RelativeRms(float[] image, float[] truth, double radius = double.PositiveInfinity)
    {
        double num = 0, den = 0;
        int n = (int)Math.Round(Math.Sqrt(image.Length));
        double c = (n - 1) / 2.0;
        for (int i = 0; i < image.Length; i++)
        {
            double x = i % n - c, y = i / n - c;
            if (x * x + y * y > radius * radius)
                continue;
            num += (image[i] - truth[i]) * (double)(image[i] - truth[i]);
            den += truth[i] * (double)truth[i];
        }
        return Math.Sqrt(num / den);
    }
}
