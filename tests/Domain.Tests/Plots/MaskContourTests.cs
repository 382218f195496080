using XcsCt.Domain.Plots;

namespace XcsCt.Domain.Tests.Plots;

public sealed class MaskContourTests
{
    private const double Exact = 1e-12;

    private static float[] Block(int rows, int cols, int r0, int r1, int c0, int c1)
    {
        var mask = new float[rows * cols];
        for (int r = r0; r <= r1; r++)
            for (int c = c0; c <= c1; c++)
                mask[r * cols + c] = 1f;
        return mask;
    }

    private static double Length(IEnumerable<MaskContour.Segment> segments) =>
        segments.Sum(s => Math.Sqrt((s.X2 - s.X1) * (s.X2 - s.X1) + (s.Y2 - s.Y1) * (s.Y2 - s.Y1)));

    /// <summary>A closed outline uses every end point exactly twice.</summary>
    private static void AssertClosed(List<MaskContour.Segment> segments)
    {
        var ends = segments.SelectMany(s => new[] { (Math.Round(s.X1, 9), Math.Round(s.Y1, 9)), (Math.Round(s.X2, 9), Math.Round(s.Y2, 9)) })
            .GroupBy(p => p).ToList();
        Assert.All(ends, g => Assert.Equal(2, g.Count()));
    }

    [Fact]
    public void Block_of_ones_gives_the_octagon_half_a_pixel_outside_its_centres()
    {
        // Ones at rows 2..4, cols 3..6: the 0.5 line runs half-way to the zero neighbours, corners cut diagonally.
        var segments = MaskContour.Segments(8, 10, Block(8, 10, 2, 4, 3, 6));
        AssertClosed(segments);
        Assert.Equal(2.5, segments.Min(s => Math.Min(s.X1, s.X2)), Exact);
        Assert.Equal(6.5, segments.Max(s => Math.Max(s.X1, s.X2)), Exact);
        Assert.Equal(1.5, segments.Min(s => Math.Min(s.Y1, s.Y2)), Exact);
        Assert.Equal(4.5, segments.Max(s => Math.Max(s.Y1, s.Y2)), Exact);
        double perimeter = 2 * (4 + 3) - 4 * 1.0 + 4 * Math.Sqrt(0.5); // 4 x 3 rectangle less four corners of 0.5 + 0.5, plus four diagonals
        Assert.Equal(perimeter, Length(segments), Exact);
    }

    [Fact]
    public void Mask_touching_the_detector_edge_closes_at_the_edge()
    {
        var segments = MaskContour.Segments(3, 3, Block(3, 3, 0, 2, 0, 2));
        AssertClosed(segments);
        Assert.Equal(-0.5, segments.Min(s => Math.Min(s.X1, s.X2)), Exact);
        Assert.Equal(2.5, segments.Max(s => Math.Max(s.Y1, s.Y2)), Exact);
    }

    [Fact]
    public void Fractional_ramp_crosses_where_interpolation_puts_one_half()
    {
        // 0, 0.2, ..., 1.0 across six columns: 0.5 lies half-way between columns 2 and 3.
        int rows = 4, cols = 6;
        var mask = new float[rows * cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                mask[r * cols + c] = c / 5f;
        var interior = MaskContour.Segments(rows, cols, mask).Where(s => s.Y1 >= 0 && s.Y2 >= 0 && s.Y1 <= rows - 1 && s.Y2 <= rows - 1 && s.X1 < 4 && s.X2 < 4).ToList();
        Assert.Equal(rows - 1, interior.Count);
        Assert.All(interior, s => { Assert.Equal(2.5, s.X1, 1e-6); Assert.Equal(2.5, s.X2, 1e-6); });
    }

    [Fact]
    public void Unknown_pixels_count_as_outside_and_empty_masks_have_no_outline()
    {
        var mask = Block(5, 5, 1, 3, 1, 3);
        for (int i = 0; i < mask.Length; i++) if (mask[i] == 0) mask[i] = float.NaN;
        var segments = MaskContour.Segments(5, 5, mask);
        AssertClosed(segments);
        Assert.Equal(0.5, segments.Min(s => Math.Min(s.X1, s.X2)), Exact);
        Assert.Empty(MaskContour.Segments(5, 5, new float[25]));
        Assert.Throws<InputException>(() => MaskContour.Segments(5, 5, new float[24]));
    }
}

public sealed class MaskContourLoopTests
{
    [Fact]
    public void Loops_join_every_segment_into_closed_outlines()
    {
        // Two separate blocks and a hole: three closed loops using all segments.
        int rows = 12, cols = 14;
        var mask = new float[rows * cols];
        for (int r = 1; r <= 6; r++) for (int c = 1; c <= 6; c++) mask[r * cols + c] = 1f;
        mask[3 * cols + 3] = 0f; // hole
        for (int r = 8; r <= 10; r++) for (int c = 9; c <= 12; c++) mask[r * cols + c] = 0.8f;
        var segments = MaskContour.Segments(rows, cols, mask);
        var loops = MaskContour.Loops(rows, cols, mask);
        Assert.Equal(3, loops.Count);
        Assert.Equal(segments.Count, loops.Sum(l => l.Length - 1));
        Assert.All(loops, l => Assert.Equal(l[0], l[^1]));
    }
}
