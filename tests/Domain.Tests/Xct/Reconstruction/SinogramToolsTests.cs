using XcsCt.Domain.Xct.Reconstruction;

namespace XcsCt.Domain.Tests.Xct.Reconstruction;

public class SinogramToolsTests
{
    private const double CentreTolerance = 0.25;  // pixels (the acceptance)
    private const double OverlapTolerance = 1.0;  // pixels (the acceptance)
    private const double StripeReduction = 10;    // at least 10x lower stripe amplitude

    [Theory]
    [InlineData(0.05, 21, false)]
    [InlineData(0.05, 11, false)]
    [InlineData(0.2, 21, true)]
    public void Sorting_based_ring_removal_lowers_a_stripe_tenfold(double amplitude, int window, bool partial)
    {
        // A smooth sinogram (a wide disc and an off-centre blob, values up to ~1.7 like -log
        // transmission) with a stripe near the middle. Sorting plus a median across columns leaves at
        // most the column-to-column change of the sorted sinogram (here ~0.003), so the stripe must
        // stand out from that; in a Shepp-Logan sinogram with sharp edges it would not.
        const int cols = 201, angles = 360, column = 104;
        var clean = SmoothSinogram(angles, cols);
        var striped = (float[])clean.Clone();
        for (int a = partial ? angles / 3 : 0; a < angles; a++)
            striped[a * cols + column] += (float)amplitude;
        double before = StripeAmplitude(striped, clean, angles, cols, column);
        RingRemoval.RemoveStripesBySorting(striped, angles, cols, window);
        double after = StripeAmplitude(striped, clean, angles, cols, column);
        Assert.True(Math.Abs(after) * StripeReduction <= Math.Abs(before), $"stripe {before} -> {after}");
        // Away from the stripe the sinogram is left as it was.
        for (int a = 0; a < angles; a++)
            Assert.Equal(clean[a * cols + 20], striped[a * cols + 20], 4);
    }

    [Fact]
    public void Ring_removal_rejects_an_even_window()
    {
        Assert.Throws<InputException>(() => RingRemoval.RemoveStripesBySorting(new float[20], 4, 5, 4));
    }

    [Theory]
    [InlineData(6.3)]
    [InlineData(-9.6)]
    [InlineData(0.4)]
    public void Centre_search_finds_a_shifted_centre_within_a_quarter_pixel(double offset)
    {
        const int n = 200, cols = 256, angles = 180;
        double truth = (cols - 1) / 2.0 + offset;
        var sino = SheppLogan.Sinogram(n, SheppLogan.Angles(angles), cols, truth);
        var result = RotationCentre.Find(sino, angles, cols);
        Assert.True(Math.Abs(result.Centre - truth) <= CentreTolerance, $"found {result.Centre}, truth {truth}");
    }

    [Theory]
    [InlineData(AxisSide.Right, 41)]
    [InlineData(AxisSide.Left, 41)]
    [InlineData(AxisSide.Right, 70)]
    public void Stitching_finds_the_overlap_of_an_off_centre_360_scan(AxisSide side, int overlap)
    {
        // The phantom spans 2 x 118 pixels; a 160-column detector with the axis 20 columns from its edge
        // sees half of it at each angle, and the other half 180 degrees later.
        const int n = 256, cols = 160, angles = 360;
        double axis = side == AxisSide.Right ? cols - 1 - (overlap - 1) / 2.0 : (overlap - 1) / 2.0;
        var angles360 = SheppLogan.Angles(angles, 360);
        var sino = SheppLogan.Sinogram(n, angles360, cols, axis);
        var found = Stitching360.FindOverlap(sino, angles, cols);
        Assert.Equal(side, found.Side);
        Assert.True(Math.Abs(found.Overlap - overlap) <= OverlapTolerance, $"found {found.Overlap}, truth {overlap}");

        var stitched = Stitching360.Stitch(sino, angles360, cols, found.Overlap, found.Side);
        Assert.Equal(2 * cols - (int)Math.Round(found.Overlap), stitched.Cols);
        Assert.Equal(angles / 2, stitched.Angles.Length);
        // The stitched sinogram is the phantom's 180-degree sinogram about its centre: inside the
        // stitched field of view (radius 124 pixels and more) the phantom comes back.
        var image = FilteredBackProjection.Reconstruct(stitched.Sinogram, stitched.Angles, stitched.Cols, stitched.Centre, n, new FbpFilter(stitched.Cols));
        double error = FilteredBackProjectionTests.RelativeRms(image, SheppLogan.Image(n), radius: 122);
        Assert.True(error < 0.05, $"relative RMS error {error:P2} inside the field of view");
    }

    [Fact]
    public void Stitching_rejects_an_odd_projection_count()
    {
        Assert.Throws<InputException>(() => Stitching360.FindOverlap(new float[30], 3, 10));
    }

    /// <summary>A disc of radius 80 pixels (0.01 per pixel) and a Gaussian blob (sigma 15) 30 pixels off centre.</summary>
    private static float[] SmoothSinogram(int angles, int cols)
    {
        var sino = new float[angles * cols];
        double centre = (cols - 1) / 2.0;
        for (int a = 0; a < angles; a++)
        {
            double theta = a * Math.PI / angles;
            for (int u = 0; u < cols; u++)
            {
                double t = u - centre;
                double disc = Math.Abs(t) < 80 ? 2 * 0.01 * Math.Sqrt(80 * 80 - t * t) : 0;
                double s = t - 30 * Math.Cos(theta);
                sino[a * cols + u] = (float)(disc + 0.05 * Math.Exp(-s * s / (2 * 15 * 15)));
            }
        }
        return sino;
    }

    /// <summary>Mean over angles of the stripe column minus its two neighbours, relative to the clean sinogram.</summary>
    private static double StripeAmplitude(float[] sino, float[] clean, int angles, int cols, int column)
    {
        double sum = 0;
        for (int a = 0; a < angles; a++)
        {
            int i = a * cols + column;
            double s = sino[i] - (sino[i - 1] + sino[i + 1]) / 2.0;
            double c = clean[i] - (clean[i - 1] + clean[i + 1]) / 2.0;
            sum += s - c;
        }
        return sum / angles;
    }
}
