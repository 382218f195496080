using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using BitMiracle.LibTiff.Classic;

namespace XcsCt.Domain.Xct;

/// <summary>
/// A TIFF stack read slice by slice (FORMATS.md, XCT volume): one multi-page file (one page per
/// slice) or numbered single-page files (a directory, or a pattern with <c>*</c>, sorted by the number
/// in the name). Greyscale 8/16/32-bit integers and float32, strips or tiles, any compression
/// libtiff decodes. Every page must have the same size and type, checked when the stack is opened.
/// </summary>
public sealed partial class TiffStackSource : IVolumeSource
{
    private readonly string[] _files;
    private readonly bool _multiPage;
    private Tiff? _open;
    private int _openFile = -1;
    private int _openPage = -1;
    private byte[] _sliceBytes = [];

    private TiffStackSource(string name, string[] files, bool multiPage, VolumeShape shape, VoxelType type)
    {
        Name = name;
        _files = files;
        _multiPage = multiPage;
        Shape = shape;
        Type = type;
    }

    public string Name { get; }

    public VolumeShape Shape { get; }

    public VoxelType Type { get; }

    /// <summary>The files of the stack in slice order (one file for a multi-page stack).</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>
    /// Opens a stack: a multi-page .tif file, a directory of numbered .tif/.tiff files, or a file
    /// pattern such as <c>recon/slice_*.tif</c>. Throws <see cref="InputException"/> when a file is
    /// missing or unreadable, or when pages differ in size or type.
    /// </summary>
    public static TiffStackSource Open(string path)
    {
        string[] files;
        bool multiPage;
        if (Directory.Exists(path))
        {
            files = SortNumbered(Directory.EnumerateFiles(path)
                .Where(f => f.EndsWith(".tif", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".tiff", StringComparison.OrdinalIgnoreCase)), path);
            multiPage = false;
        }
        else if (Path.GetFileName(path).Contains('*') || Path.GetFileName(path).Contains('?'))
        {
            string dir = Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".";
            if (!Directory.Exists(dir))
                throw new InputException($"TIFF stack {path}: directory {dir} does not exist");
            files = SortNumbered(Directory.EnumerateFiles(dir, Path.GetFileName(path)), path);
            multiPage = false;
        }
        else
        {
            if (!File.Exists(path))
                throw new InputException($"TIFF stack {path}: file not found");
            files = [path];
            multiPage = true;
        }

        if (files.Length == 0)
            throw new InputException($"TIFF stack {path}: no .tif or .tiff files found");

        PageFormat? first = null;
        int depth = 0;
        foreach (var file in files)
        {
            using var tiff = TiffErrors.Open(file, "r");
            int pages = 0;
            do
            {
                var page = PageFormat.Of(tiff, file, pages);
                if (first is null)
                    first = page;
                else if (page != first)
                    throw new InputException($"TIFF stack {path}: {file} page {pages} is {page}, expected {first} like the first page of {files[0]}");
                pages++;
            }
            while (tiff.ReadDirectory());
            if (!multiPage && pages != 1)
                throw new InputException($"TIFF stack {path}: numbered file {file} has {pages} pages, expected 1 (one file per slice)");
            depth += pages;
        }

        return new TiffStackSource(path, files, multiPage, new VolumeShape(depth, first!.Height, first.Width), first.Type);
    }

    public void ReadSlices<T>(int firstSlice, Span<T> destination) where T : unmanaged, INumber<T>
    {
        int count = VolumeSourceChecks.SliceCount(this, firstSlice, destination.Length);
        int sliceVoxels = Shape.SliceVoxels;
        int sliceBytes = sliceVoxels * Type.Size();
        if (_sliceBytes.Length != sliceBytes)
            _sliceBytes = new byte[sliceBytes];
        for (int i = 0; i < count; i++)
        {
            ReadPage(firstSlice + i, _sliceBytes);
            VoxelTypes.Convert(Type, _sliceBytes, destination.Slice(i * sliceVoxels, sliceVoxels));
        }
    }

    private void ReadPage(int slice, byte[] bytes)
    {
        var tiff = Seek(slice, out string file);
        try
        {
            if (tiff.IsTiled())
                ReadTiled(tiff, bytes, file);
            else
                ReadStrips(tiff, bytes, file);
        }
        catch (InputException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new InputException($"TIFF stack {Name}: {file} slice {slice} cannot be decoded: {e.Message}", e);
        }
    }

    private Tiff Seek(int slice, out string file)
    {
        int fileIndex = _multiPage ? 0 : slice;
        int page = _multiPage ? slice : 0;
        file = _files[fileIndex];
        if (_open is null || _openFile != fileIndex)
        {
            _open?.Dispose();
            _open = TiffErrors.Open(file, "r");
            _openFile = fileIndex;
            _openPage = 0;
        }

        if (page == _openPage + 1)
        {
            if (!_open.ReadDirectory())
                throw new InputException($"TIFF stack {Name}: {file} has no page {page}");
        }
        else if (page != _openPage)
        {
            if (page > short.MaxValue || !_open.SetDirectory((short)page))
                throw new InputException($"TIFF stack {Name}: {file} page {page} cannot be reached");
        }
        _openPage = page;
        return _open;
    }

    private void ReadStrips(Tiff tiff, byte[] bytes, string file)
    {
        int strips = tiff.NumberOfStrips();
        int offset = 0;
        for (int s = 0; s < strips && offset < bytes.Length; s++)
        {
            int read = tiff.ReadEncodedStrip(s, bytes, offset, Math.Min(tiff.StripSize(), bytes.Length - offset));
            if (read < 0)
                throw new InputException($"TIFF stack {Name}: {file} strip {s} cannot be read{TiffErrors.Last()}");
            offset += read;
        }
        if (offset < bytes.Length)
            throw new InputException($"TIFF stack {Name}: {file} holds {offset} bytes of pixels, expected {bytes.Length}");
    }

    private void ReadTiled(Tiff tiff, byte[] bytes, string file)
    {
        int tileWidth = tiff.GetField(TiffTag.TILEWIDTH)[0].ToInt();
        int tileHeight = tiff.GetField(TiffTag.TILELENGTH)[0].ToInt();
        int bpv = Type.Size();
        var tile = new byte[tiff.TileSize()];
        for (int y0 = 0; y0 < Shape.Height; y0 += tileHeight)
        {
            for (int x0 = 0; x0 < Shape.Width; x0 += tileWidth)
            {
                if (tiff.ReadTile(tile, 0, x0, y0, 0, 0) < 0)
                    throw new InputException($"TIFF stack {Name}: {file} tile at ({x0}, {y0}) cannot be read{TiffErrors.Last()}");
                int rows = Math.Min(tileHeight, Shape.Height - y0);
                int cols = Math.Min(tileWidth, Shape.Width - x0);
                for (int r = 0; r < rows; r++)
                    Buffer.BlockCopy(tile, r * tileWidth * bpv, bytes, ((y0 + r) * Shape.Width + x0) * bpv, cols * bpv);
            }
        }
    }

    public void Dispose()
    {
        _open?.Dispose();
        _open = null;
    }

    private static string[] SortNumbered(IEnumerable<string> files, string what)
    {
        var list = files.Select(f => (file: f, number: LastNumber(Path.GetFileNameWithoutExtension(f)))).ToList();
        var missing = list.FirstOrDefault(f => f.number is null);
        if (missing.file is not null && list.Count > 1)
            throw new InputException($"TIFF stack {what}: {missing.file} has no slice number in its name; numbered stacks need one number per file");
        var duplicate = list.GroupBy(f => f.number).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null && list.Count > 1)
            throw new InputException($"TIFF stack {what}: slice number {duplicate.Key} appears in {string.Join(" and ", duplicate.Select(d => d.file))}");
        return list.OrderBy(f => f.number).Select(f => f.file).ToArray();
    }

    private static long? LastNumber(string name)
    {
        var matches = Digits().Matches(name);
        return matches.Count == 0 ? null : long.Parse(matches[^1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();

    /// <summary>Size and sample type of one TIFF page.</summary>
    private sealed record PageFormat(int Width, int Height, VoxelType Type)
    {
        public static PageFormat Of(Tiff tiff, string file, int page)
        {
            int width = Field(tiff, TiffTag.IMAGEWIDTH, -1);
            int height = Field(tiff, TiffTag.IMAGELENGTH, -1);
            int bits = Field(tiff, TiffTag.BITSPERSAMPLE, 1);
            int samples = Field(tiff, TiffTag.SAMPLESPERPIXEL, 1);
            var format = (SampleFormat)Field(tiff, TiffTag.SAMPLEFORMAT, (int)SampleFormat.UINT);
            if (width <= 0 || height <= 0)
                throw new InputException($"TIFF {file} page {page}: image size {width} x {height} is not valid");
            if (samples != 1)
                throw new InputException($"TIFF {file} page {page}: {samples} samples per pixel, expected 1 (greyscale)");
            VoxelType? type = (format, bits) switch
            {
                (SampleFormat.UINT, 8) => VoxelType.UInt8,
                (SampleFormat.INT, 8) => VoxelType.Int8,
                (SampleFormat.UINT, 16) => VoxelType.UInt16,
                (SampleFormat.INT, 16) => VoxelType.Int16,
                (SampleFormat.UINT, 32) => VoxelType.UInt32,
                (SampleFormat.INT, 32) => VoxelType.Int32,
                (SampleFormat.IEEEFP, 32) => VoxelType.Float32,
                (SampleFormat.IEEEFP, 64) => VoxelType.Float64,
                _ => null,
            };
            if (type is null)
                throw new InputException($"TIFF {file} page {page}: {bits}-bit {format} samples are not supported (expected 8/16/32-bit integers or float32/64)");
            return new PageFormat(width, height, type.Value);
        }

        private static int Field(Tiff tiff, TiffTag tag, int fallback)
        {
            var value = tiff.GetField(tag);
            return value is { Length: > 0 } ? value[0].ToInt() : fallback;
        }

        public override string ToString() => $"{Width} x {Height} {Type.Name()}";
    }
}

/// <summary>
/// Writes a volume as one multi-page TIFF (one page per slice, BigTIFF above 2 GB) to a temporary
/// name; <see cref="Complete"/> renames it into place, so an interrupted write never leaves a file
/// that looks complete.
/// </summary>
public sealed class TiffStackWriter : IDisposable
{
    private readonly Tiff _tiff;
    private readonly string _temp;
    private readonly int _width;
    private readonly int _height;
    private readonly int _pages;
    private readonly bool _deflate;
    private readonly byte[] _strip;
    private int _written;
    private bool _done;

    /// <param name="path">Output file (.tif).</param>
    /// <param name="width">Slice width in voxels.</param>
    /// <param name="height">Slice height in voxels.</param>
    /// <param name="pages">Number of slices that will be written.</param>
    /// <param name="type">Voxel type: uint8, uint16, uint32, int32 or float32.</param>
    /// <param name="deflate">Compress pages with deflate (label volumes compress well).</param>
    public TiffStackWriter(string path, int width, int height, int pages, VoxelType type, bool deflate = false)
    {
        if (type is not (VoxelType.UInt8 or VoxelType.UInt16 or VoxelType.UInt32 or VoxelType.Int32 or VoxelType.Float32))
            throw new ArgumentException($"TIFF writer supports uint8, uint16, uint32, int32 and float32, not {type.Name()}", nameof(type));
        if (width <= 0 || height <= 0 || pages <= 0)
            throw new ArgumentException($"TIFF writer: {pages} pages of {width} x {height} is not a volume");
        Path = path;
        Type = type;
        _width = width;
        _height = height;
        _pages = pages;
        _deflate = deflate;
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null)
            Directory.CreateDirectory(dir);
        _temp = path + $".{Guid.NewGuid():N}.partial";
        bool big = (long)width * height * pages * type.Size() > (2L << 30);
        _tiff = TiffErrors.Open(_temp, big ? "w8" : "w");
        int rowsPerStrip = Math.Max(1, Math.Min(height, (1 << 16) / Math.Max(1, width * type.Size())));
        RowsPerStrip = rowsPerStrip;
        _strip = new byte[rowsPerStrip * width * type.Size()];
    }

    /// <summary>Final file name.</summary>
    public string Path { get; }

    public VoxelType Type { get; }

    private int RowsPerStrip { get; }

    /// <summary>Appends one slice (<c>height * width</c> voxels of the writer's type).</summary>
    public void WriteSlice<T>(ReadOnlySpan<T> slice) where T : unmanaged
    {
        if (VoxelTypes.Of<T>() != Type)
            throw new ArgumentException($"TIFF writer {Path} writes {Type.Name()}, given {VoxelTypes.Of<T>().Name()}");
        if (slice.Length != _width * _height)
            throw new ArgumentException($"TIFF writer {Path}: a slice has {_width * _height} voxels, given {slice.Length}");
        if (_written >= _pages)
            throw new InvalidOperationException($"TIFF writer {Path}: all {_pages} pages are already written");
        var bytes = MemoryMarshal.AsBytes(slice);
        _tiff.SetField(TiffTag.IMAGEWIDTH, _width);
        _tiff.SetField(TiffTag.IMAGELENGTH, _height);
        _tiff.SetField(TiffTag.BITSPERSAMPLE, Type.Size() * 8);
        _tiff.SetField(TiffTag.SAMPLESPERPIXEL, 1);
        _tiff.SetField(TiffTag.SAMPLEFORMAT, Type switch
        {
            VoxelType.Float32 => SampleFormat.IEEEFP,
            VoxelType.Int32 => SampleFormat.INT,
            _ => SampleFormat.UINT,
        });
        _tiff.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
        _tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
        _tiff.SetField(TiffTag.COMPRESSION, _deflate ? Compression.ADOBE_DEFLATE : Compression.NONE);
        _tiff.SetField(TiffTag.ROWSPERSTRIP, RowsPerStrip);
        _tiff.SetField(TiffTag.SUBFILETYPE, FileType.PAGE);
        _tiff.SetField(TiffTag.PAGENUMBER, _written, _pages);
        int rowBytes = _width * Type.Size();
        for (int row = 0, strip = 0; row < _height; row += RowsPerStrip, strip++)
        {
            int rows = Math.Min(RowsPerStrip, _height - row);
            int size = rows * rowBytes;
            bytes.Slice(row * rowBytes, size).CopyTo(_strip);
            if (_tiff.WriteEncodedStrip(strip, _strip, size) < 0)
                throw new IOException($"TIFF writer {Path}: strip {strip} of page {_written} could not be written{TiffErrors.Last()}");
        }
        if (!_tiff.WriteDirectory())
            throw new IOException($"TIFF writer {Path}: page {_written} could not be written{TiffErrors.Last()}");
        _written++;
    }

    /// <summary>Closes the file and renames it to <see cref="Path"/>; all pages must have been written.</summary>
    public void Complete()
    {
        if (_written != _pages)
            throw new InvalidOperationException($"TIFF writer {Path}: {_written} of {_pages} pages written");
        _tiff.Dispose();
        File.Move(_temp, Path, overwrite: true);
        _done = true;
    }

    /// <summary>Closes the writer; without <see cref="Complete"/> the temporary file is deleted.</summary>
    public void Dispose()
    {
        if (_done)
            return;
        _tiff.Dispose();
        try
        {
            File.Delete(_temp);
        }
        catch (IOException)
        {
            // The temporary file keeps its .partial name, so it never looks complete.
        }
        _done = true;
    }

    /// <summary>Writes a whole in-memory volume as a multi-page TIFF.</summary>
    public static void Write<T>(string path, Volume<T> volume, bool deflate = false) where T : unmanaged, INumber<T>
    {
        using var writer = new TiffStackWriter(path, volume.Shape.Width, volume.Shape.Height, volume.Shape.Depth, VoxelTypes.Of<T>(), deflate);
        for (int z = 0; z < volume.Shape.Depth; z++)
            writer.WriteSlice<T>(volume.Slice(z));
        writer.Complete();
    }
}

/// <summary>Routes libtiff's messages into exceptions instead of the console.</summary>
internal static class TiffErrors
{
    [ThreadStatic]
    private static StringBuilder? _messages;

    static TiffErrors() => Tiff.SetErrorHandler(new Handler());

    /// <summary>Opens a TIFF file or throws <see cref="InputException"/> with libtiff's reason.</summary>
    public static Tiff Open(string file, string mode)
    {
        _messages?.Clear();
        var tiff = Tiff.Open(file, mode);
        if (tiff is null)
            throw new InputException($"TIFF {file} cannot be opened{Last()}");
        return tiff;
    }

    /// <summary>The last libtiff error as ": message", or empty.</summary>
    public static string Last()
    {
        var text = _messages?.ToString().Trim();
        _messages?.Clear();
        return string.IsNullOrEmpty(text) ? "" : ": " + text;
    }

    private sealed class Handler : TiffErrorHandler
    {
        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args)
        {
            _messages ??= new StringBuilder();
            _messages.Append(args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args)).Append(' ');
        }

        public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
        }

        public override void WarningHandler(Tiff tif, string method, string format, params object[] args)
        {
        }

        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
        }
    }
}
