using XcsCt.Domain.Xct.Reconstruction;

namespace XcsCt.Domain.Tests.Xct.Reconstruction;

public class ComplexFftTests
{
    private const double Tolerance = 2e-5; // relative to the largest coefficient, float arithmetic

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(512)]
    public void Fft_equals_the_plain_dft_and_inverts(int n)
    {
        var rng = new Random(n);
        var re = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var im = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var (dr, di) = Dft(re, im);
        var fr = (float[])re.Clone();
        var fi = (float[])im.Clone();
        var fft = new ComplexFft(n);
        fft.Forward(fr, fi);
        double scale = Math.Max(1, dr.Concat(di).Max(Math.Abs));
        for (int k = 0; k < n; k++)
        {
            Assert.True(Math.Abs(fr[k] - dr[k]) <= Tolerance * scale, $"re[{k}]");
            Assert.True(Math.Abs(fi[k] - di[k]) <= Tolerance * scale, $"im[{k}]");
        }
        fft.Inverse(fr, fi);
        for (int k = 0; k < n; k++)
        {
            Assert.Equal(re[k], fr[k], Tolerance);
            Assert.Equal(im[k], fi[k], Tolerance);
        }
    }

    [Fact]
    public void Ram_lak_filtering_of_two_rows_equals_direct_convolution_with_the_spatial_ramp()
    {
        const int cols = 100;
        var rng = new Random(3);
        var a = Enumerable.Range(0, cols).Select(_ => (float)rng.NextDouble()).ToArray();
        var b = Enumerable.Range(0, cols).Select(_ => (float)rng.NextDouble()).ToArray();
        var filter = new FbpFilter(cols);
        var fa = (float[])a.Clone();
        var fb = (float[])b.Clone();
        filter.Apply(fa, fb, filter.NewScratch());
        foreach (var (row, filtered) in new[] { (a, fa), (b, fb) })
        {
            for (int n = 0; n < cols; n++)
            {
                double q = 0;
                for (int m = 0; m < cols; m++)
                {
                    int d = Math.Abs(n - m);
                    q += row[m] * (d == 0 ? 0.25 : d % 2 == 1 ? -1 / (Math.PI * Math.PI * d * d) : 0);
                }
                Assert.Equal(q, filtered[n], 4);
            }
        }
    }

    [Fact]
    public void Length_must_be_a_power_of_two()
    {
        Assert.Throws<ArgumentException>(() => new ComplexFft(12));
    }

    private static (double[] Re, double[] Im) Dft(float[] re, float[] im)
    {
        int n = re.Length;
        var r = new double[n];
        var i = new double[n];
        for (int k = 0; k < n; k++)
        {
            for (int t = 0; t < n; t++)
            {
                double angle = -2 * Math.PI * k * t / n;
                r[k] += re[t] * Math.Cos(angle) - im[t] * Math.Sin(angle);
                i[k] += re[t] * Math.Sin(angle) + im[t] * Math.Cos(angle);
            }
        }
        return (r, i);
    }
}
