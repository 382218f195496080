namespace XcsCt.Messages.Tests;

public sealed class SparseCountsTests
{
    [Fact]
    public void Encode_then_decode_gives_the_dense_array_back_on_seeded_random_data()
    {
        var random = new Random(7);
        foreach (int length in new[] { 0, 1, 2, 63, 64, 65, 511, 520, 4096 })
        {
            var dense = new uint[length];
            for (int i = 0; i < length; i++)
                dense[i] = random.NextDouble() < 0.1 ? (uint)random.Next() : 0u;
            if (length > 0) dense[^1] = uint.MaxValue;
            var sparse = SparseCounts.Encode(dense);
            Assert.Equal(dense.Count(c => c != 0), sparse.NonZero);
            Assert.Equal(dense, sparse.ToDense());
        }
    }

    [Fact]
    public void AddTo_accumulates()
    {
        var dense = new uint[] { 1, 1, 1, 1 };
        SparseCounts.Encode([0, 2, 0, 5]).AddTo(dense);
        Assert.Equal(new uint[] { 1, 3, 1, 6 }, dense);
    }

    [Fact]
    public void EncodeTile_cuts_one_rectangle_into_tile_layout_and_clears_it()
    {
        const int rows = 5, cols = 7, bins = 3;
        var detector = new uint[rows * cols * bins];
        for (int i = 0; i < detector.Length; i++) detector[i] = (uint)(i % 4 == 0 ? 0 : i);
        var original = detector.ToArray();
        var rect = new TileRect(2, 3, 3, 4);
        var tile = SparseCounts.EncodeTile(detector, cols, bins, rect, clear: true).ToDense();
        Assert.Equal(rect.Pixels * bins, tile.Length);
        for (int r = 0; r < rect.Rows; r++)
            for (int c = 0; c < rect.Cols; c++)
                for (int b = 0; b < bins; b++)
                {
                    Assert.Equal(original[((2 + r) * cols + 3 + c) * bins + b], tile[(r * rect.Cols + c) * bins + b]);
                    Assert.Equal(0u, detector[((2 + r) * cols + 3 + c) * bins + b]);
                }
        Assert.Equal(original[0 * cols * bins + 1], detector[1]); // outside the tile: untouched
    }

    [Fact]
    public void AddToTile_puts_every_tile_back_where_EncodeTile_took_it_from()
    {
        const int rows = 9, cols = 11, bins = 4, size = 4;
        var random = new Random(11);
        var detector = new uint[rows * cols * bins];
        for (int i = 0; i < detector.Length; i++) detector[i] = random.NextDouble() < 0.3 ? (uint)random.Next(1, 1000) : 0u;
        var original = detector.ToArray();
        var rebuilt = new uint[detector.Length];
        for (int row = 0; row < rows; row += size)
            for (int col = 0; col < cols; col += size)
            {
                var rect = new TileRect(row, col, Math.Min(size, rows - row), Math.Min(size, cols - col));
                SparseCounts.EncodeTile(detector, cols, bins, rect, clear: false).AddToTile(rebuilt, cols, bins, rect);
            }
        Assert.Equal(original, rebuilt);
        Assert.Throws<ArgumentException>(() => SparseCounts.Empty(5).AddToTile(rebuilt, cols, bins, new TileRect(0, 0, 2, 2)));
    }

    [Fact]
    public void Corrupt_packing_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new SparseCounts(4, 1, [0x80]).ToDense());   // truncated varint
        Assert.Throws<ArgumentException>(() => new SparseCounts(4, 1, [9, 1]).ToDense());   // index outside
        Assert.Throws<ArgumentException>(() => new SparseCounts(4, 1, [0, 1, 0]).ToDense()); // trailing bytes
        Assert.Throws<ArgumentException>(() => new SparseCounts(4, 5, []));
    }
}
