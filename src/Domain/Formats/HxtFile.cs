using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Formats;

/// <summary>
/// HexitecGigE <c>.hxt</c> version 3 pixel spectra (FORMATS.md), all little-endian:
/// <c>"HEXITECH"</c> (8 bytes), uint64 version = 3, 9 x int32 motor positions, int32 prefix length
/// + 100-byte prefix, 16-byte timestamp, uint32 rows, cols, bins, float64 bins[bins] (lower bin
/// edges, keV), float64 counts[rows * cols * bins] pixel by pixel.
/// </summary>
/// <param name="MotorPositions">The 9 stage positions (mss x, y, z, rot; gal x, y, z, rot, rot2), as stored.</param>
/// <param name="Prefix">File prefix text, at most 100 ASCII characters.</param>
/// <param name="Timestamp">Acquisition timestamp text, at most 16 ASCII characters.</param>
/// <param name="Shape">Detector pixel grid.</param>
/// <param name="Bins">Lower bin edges, keV.</param>
/// <param name="Counts">Counts, <c>[(row * cols + col) * bins + bin]</c>.</param>
public sealed record HxtSpectra(
    int[] MotorPositions, string Prefix, string Timestamp, DetectorShape Shape, double[] Bins, double[] Counts)
{
    /// <summary>The spectra without the acquisition metadata.</summary>
    public SpectraFile ToSpectraFile() => new(Shape, Bins, Counts);
}

/// <summary>Reads and writes <see cref="HxtSpectra"/> (HexitecGigE <c>.hxt</c> version 3).</summary>
public static class HxtFile
{
    public const string Magic = "HEXITECH";
    public const ulong Version = 3;
    public const int MotorCount = 9;
    public const int PrefixBytes = 100;
    public const int TimestampBytes = 16;

    private const int VersionOffset = 8;
    private const int MotorsOffset = 16;
    private const int PrefixLengthOffset = MotorsOffset + MotorCount * 4;       // 52
    private const int PrefixOffset = PrefixLengthOffset + 4;                    // 56
    private const int TimestampOffset = PrefixOffset + PrefixBytes;             // 156
    private const int DimensionsOffset = TimestampOffset + TimestampBytes;      // 172

    /// <summary>Size of the fixed header before the bin array, bytes.</summary>
    public const int HeaderBytes = DimensionsOffset + 12;                       // 184

    /// <summary>Reads a version 3 file; bad magic, version, dimensions or size throw <see cref="InputException"/> with offsets and sizes.</summary>
    public static HxtSpectra Read(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new InputException($"HXT file {full}: not found");
        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long size = stream.Length;
        if (size < HeaderBytes)
            throw new InputException($"HXT file {full}: {size} bytes, shorter than the {HeaderBytes}-byte version 3 header (truncated or not an HXT file)");

        Span<byte> header = stackalloc byte[HeaderBytes];
        stream.ReadExactly(header);
        string magic = Encoding.Latin1.GetString(header[..8]);
        if (magic != Magic)
            throw new InputException($"HXT file {full}: bad magic at offset 0: expected \"{Magic}\", found \"{Printable(magic)}\"");
        ulong version = BinaryPrimitives.ReadUInt64LittleEndian(header[VersionOffset..]);
        if (version != Version)
            throw new InputException($"HXT file {full}: version at offset {VersionOffset} is {version}, only version {Version} is supported");

        var motors = new int[MotorCount];
        for (int i = 0; i < MotorCount; i++)
            motors[i] = BinaryPrimitives.ReadInt32LittleEndian(header[(MotorsOffset + 4 * i)..]);
        int prefixLength = BinaryPrimitives.ReadInt32LittleEndian(header[PrefixLengthOffset..]);
        if (prefixLength is < 0 or > PrefixBytes)
            throw new InputException($"HXT file {full}: prefix length at offset {PrefixLengthOffset} is {prefixLength}, expected 0-{PrefixBytes}");
        string prefix = Encoding.Latin1.GetString(header.Slice(PrefixOffset, prefixLength)).TrimEnd('\0');
        string timestamp = Encoding.Latin1.GetString(header.Slice(TimestampOffset, TimestampBytes)).TrimEnd('\0');

        uint rows = BinaryPrimitives.ReadUInt32LittleEndian(header[DimensionsOffset..]);
        uint cols = BinaryPrimitives.ReadUInt32LittleEndian(header[(DimensionsOffset + 4)..]);
        uint bins = BinaryPrimitives.ReadUInt32LittleEndian(header[(DimensionsOffset + 8)..]);
        if (rows == 0 || cols == 0 || bins == 0 || rows > 1 << 16 || cols > 1 << 16 || bins > 1 << 20)
            throw new InputException($"HXT file {full}: dimensions at offset {DimensionsOffset} are {rows} rows x {cols} cols x {bins} bins, expected positive values (at most 65536 x 65536 x {1 << 20})");
        long countValues = (long)rows * cols * bins;
        long countsOffset = HeaderBytes + 8L * bins;
        long expectedSize = countsOffset + 8 * countValues;
        if (size != expectedSize)
            throw new InputException(size < expectedSize
                ? $"HXT file {full}: truncated: {rows} x {cols} pixels x {bins} bins need {expectedSize} bytes ({HeaderBytes} header + {8L * bins} bins + {8 * countValues} counts from offset {countsOffset}), the file has {size} (body ends {expectedSize - size} bytes early)"
                : $"HXT file {full}: {size - expectedSize} unexpected bytes after the counts: {rows} x {cols} pixels x {bins} bins make {expectedSize} bytes, the file has {size}");
        if (countValues > Array.MaxLength)
            throw new InputException($"HXT file {full}: {countValues} counts do not fit in memory");

        var shape = new DetectorShape((int)rows, (int)cols);
        var binValues = new double[bins];
        var counts = new double[countValues];
        stream.ReadExactly(MemoryMarshal.AsBytes(binValues.AsSpan()));
        stream.ReadExactly(MemoryMarshal.AsBytes(counts.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            SwapDoubles(binValues);
            SwapDoubles(counts);
        }
        return new HxtSpectra(motors, prefix, timestamp, shape, binValues, counts);
    }

    /// <summary>Writes <paramref name="spectra"/> as version 3 (temporary name, then rename).</summary>
    public static void Write(string path, HxtSpectra spectra)
    {
        if (spectra.MotorPositions.Length != MotorCount)
            throw new ArgumentException($"HXT needs {MotorCount} motor positions, got {spectra.MotorPositions.Length}");
        byte[] prefix = Ascii(spectra.Prefix, PrefixBytes, "prefix");
        byte[] timestamp = Ascii(spectra.Timestamp, TimestampBytes, "timestamp");
        new SpectraFile(spectra.Shape, spectra.Bins, spectra.Counts).Validated(path);

        var header = new byte[HeaderBytes];
        Encoding.ASCII.GetBytes(Magic, header);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(VersionOffset), Version);
        for (int i = 0; i < MotorCount; i++)
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(MotorsOffset + 4 * i), spectra.MotorPositions[i]);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(PrefixLengthOffset), prefix.Length);
        prefix.CopyTo(header, PrefixOffset);
        timestamp.CopyTo(header, TimestampOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(DimensionsOffset), (uint)spectra.Shape.Rows);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(DimensionsOffset + 4), (uint)spectra.Shape.Cols);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(DimensionsOffset + 8), (uint)spectra.Bins.Length);

        AtomicFile.Write(path, (Stream stream) =>
        {
            stream.Write(header);
            WriteDoubles(stream, spectra.Bins);
            WriteDoubles(stream, spectra.Counts);
        });
    }

    private static byte[] Ascii(string text, int maxBytes, string what)
    {
        foreach (char c in text)
            if (c > 127) throw new ArgumentException($"HXT {what} \"{text}\" must be ASCII");
        if (text.Length > maxBytes)
            throw new ArgumentException($"HXT {what} \"{text}\" is {text.Length} characters, at most {maxBytes} fit");
        return Encoding.ASCII.GetBytes(text);
    }

    private static void WriteDoubles(Stream stream, double[] values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }
        var copy = (double[])values.Clone();
        SwapDoubles(copy);
        stream.Write(MemoryMarshal.AsBytes(copy.AsSpan()));
    }

    private static void SwapDoubles(double[] values)
    {
        var raw = MemoryMarshal.Cast<double, ulong>(values.AsSpan());
        BinaryPrimitives.ReverseEndianness(raw, raw);
    }

    private static string Printable(string s)
    {
        var b = new StringBuilder(s.Length);
        foreach (char c in s) b.Append(c is >= ' ' and < (char)127 ? c : '?');
        return b.ToString();
    }
}
