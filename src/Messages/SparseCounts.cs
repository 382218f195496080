using MessagePack;

namespace XcsCt.Messages;

/// <summary>
/// A sparse block of histogram counts: the non-zero entries of a dense <c>uint</c> array of
/// <see cref="Length"/> entries, packed as LEB128 varint pairs (gap to the previous non-zero
/// index, count). A tile's partial for one batch (a few hundred pixels x bins, mostly empty) is a
/// few kilobytes; a full 16 x 16 x 1000-bin tile at most about a megabyte.
/// </summary>
[MessagePackObject]
public sealed class SparseCounts
{
    [SerializationConstructor]
    public SparseCounts(int length, int nonZero, byte[] packed)
    {
        if (length < 0 || nonZero < 0 || nonZero > length)
            throw new ArgumentException($"sparse counts: {nonZero} non-zero entries of {length} is not valid");
        Length = length;
        NonZero = nonZero;
        Packed = packed;
    }

    /// <summary>Entries of the dense array this encodes.</summary>
    [Key(0)]
    public int Length { get; }

    /// <summary>Non-zero entries.</summary>
    [Key(1)]
    public int NonZero { get; }

    /// <summary>Varint pairs (gap, count), in index order.</summary>
    [Key(2)]
    public byte[] Packed { get; }

    public static SparseCounts Empty(int length) => new(length, 0, []);

    /// <summary>Packs the non-zero entries of <paramref name="dense"/>.</summary>
    public static SparseCounts Encode(ReadOnlySpan<uint> dense)
    {
        var writer = new Writer(dense.Length);
        writer.AppendRow(dense, 0);
        return writer.Finish();
    }

    /// <summary>
    /// Packs the counts of one rectangular tile of a whole-detector array laid out as
    /// <c>[(row * detectorCols + col) * bins + bin]</c>, and zeroes what it read when
    /// <paramref name="clear"/> (so a pooled buffer is ready for the next batch).
    /// The result is laid out as the tile's own dense array <c>[(r * tileCols + c) * bins + bin]</c>.
    /// </summary>
    public static SparseCounts EncodeTile(Span<uint> detector, int detectorCols, int bins, TileRect tile, bool clear)
    {
        int rowLength = tile.Cols * bins;
        var writer = new Writer(tile.Rows * rowLength);
        for (int r = 0; r < tile.Rows; r++)
        {
            var row = detector.Slice(((tile.Row + r) * detectorCols + tile.Col) * bins, rowLength);
            writer.AppendRow(row, r * rowLength);
            if (clear) row.Clear();
        }
        return writer.Finish();
    }

    /// <summary>Adds these counts into <paramref name="dense"/> (of <see cref="Length"/> entries).</summary>
    public void AddTo(Span<uint> dense)
    {
        if (dense.Length != Length)
            throw new ArgumentException($"sparse counts of {Length} entries cannot be added to {dense.Length}");
        long index = -1;
        int pos = 0;
        var packed = Packed.AsSpan();
        for (int k = 0; k < NonZero; k++)
        {
            index += 1 + (long)ReadVarint(packed, ref pos);
            uint count = (uint)ReadVarint(packed, ref pos);
            if ((ulong)index >= (ulong)Length)
                throw new ArgumentException($"sparse counts: entry {k} at index {index} is outside {Length} entries");
            dense[(int)index] += count;
        }
        if (pos != packed.Length)
            throw new ArgumentException($"sparse counts: {packed.Length - pos} bytes left after {NonZero} entries");
    }

    /// <summary>
    /// Adds these counts, laid out as one tile's dense array <c>[(r * tile.Cols + c) * bins + bin]</c>,
    /// into a whole-detector array <c>[(row * detectorCols + col) * bins + bin]</c> (the inverse of
    /// <see cref="EncodeTile"/>).
    /// </summary>
    public void AddToTile(Span<uint> detector, int detectorCols, int bins, TileRect tile)
    {
        if (Length != tile.Pixels * bins)
            throw new ArgumentException($"sparse counts of {Length} entries do not fit a {tile.Rows} x {tile.Cols} tile of {bins} bins");
        int rowLength = tile.Cols * bins;
        long index = -1;
        int pos = 0;
        var packed = Packed.AsSpan();
        for (int k = 0; k < NonZero; k++)
        {
            index += 1 + (long)ReadVarint(packed, ref pos);
            uint count = (uint)ReadVarint(packed, ref pos);
            if ((ulong)index >= (ulong)Length)
                throw new ArgumentException($"sparse counts: entry {k} at index {index} is outside {Length} entries");
            int r = (int)(index / rowLength), within = (int)(index - (long)r * rowLength);
            detector[((tile.Row + r) * detectorCols + tile.Col) * bins + within] += count;
        }
        if (pos != packed.Length)
            throw new ArgumentException($"sparse counts: {packed.Length - pos} bytes left after {NonZero} entries");
    }

    /// <summary>The dense array.</summary>
    public uint[] ToDense()
    {
        var dense = new uint[Length];
        AddTo(dense);
        return dense;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> packed, ref int pos)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= packed.Length) throw new ArgumentException("sparse counts: truncated varint");
            byte b = packed[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new ArgumentException("sparse counts: varint longer than 64 bits");
    }

    private ref struct Writer(int length)
    {
        private byte[] _buffer = new byte[256];
        private int _pos;
        private int _nonZero;
        private long _last = -1;

        /// <summary>Appends the non-zero entries of <paramref name="row"/>, whose first entry has dense index <paramref name="offset"/>.</summary>
        public void AppendRow(ReadOnlySpan<uint> row, int offset)
        {
            int i = 0;
            while (true)
            {
                int skip = row[i..].IndexOfAnyExcept(0u);
                if (skip < 0) return;
                i += skip;
                long index = offset + i;
                Write((ulong)(index - _last - 1));
                Write(row[i]);
                _last = index;
                _nonZero++;
                if (++i >= row.Length) return;
            }
        }

        private void Write(ulong value)
        {
            if (_pos + 10 > _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            while (value >= 0x80)
            {
                _buffer[_pos++] = (byte)(value | 0x80);
                value >>= 7;
            }
            _buffer[_pos++] = (byte)value;
        }

        public SparseCounts Finish() => new(length, _nonZero, _buffer.AsSpan(0, _pos).ToArray());
    }
}

/// <summary>A rectangle of detector pixels: first row and column, size in pixels.</summary>
public readonly record struct TileRect(int Row, int Col, int Rows, int Cols)
{
    public int Pixels => Rows * Cols;
}
