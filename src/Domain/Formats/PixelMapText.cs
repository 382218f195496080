using System.Globalization;
using System.Text;
using XcsCt.Domain.Detector;

namespace XcsCt.Domain.Formats;

/// <summary>
/// Per-pixel maps as text (FORMATS.md, calibration maps): <c>rows</c> lines of <c>cols</c>
/// whitespace-separated numbers, row-major (gradients keV/ADU, intercepts keV, thresholds ADU,
/// offsets ADU, fractional masks). Blank lines at the end are ignored; any other deviation is an
/// error naming the file, line and column.
/// </summary>
public static class PixelMapText
{
    /// <summary>Reads a map of finite numbers; a wrong shape, a non-number, NaN or infinity is an <see cref="InputException"/>.</summary>
    /// <param name="path">Text file.</param>
    /// <param name="expected">Detector shape the map must have (a map of the wrong shape is never a silent fallback, ANALYSIS section 3).</param>
    /// <param name="what">What the map is, for messages ("gradient map").</param>
    /// <returns>Values, <c>[row * cols + col]</c>.</returns>
    public static float[] Read(string path, DetectorShape expected, string what) =>
        Read(path, expected, what, allowNaN: false);

    /// <summary>Reads a map; with <paramref name="allowNaN"/>, <c>nan</c> (any case) stands for an unknown pixel.</summary>
    public static float[] Read(string path, DetectorShape expected, string what, bool allowNaN)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new InputException($"{what} {full}: not found");
        string[] lines;
        try
        {
            lines = File.ReadAllLines(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{what} {full}: cannot be read: {e.Message}", e);
        }
        return Parse(lines, full, expected, what, allowNaN);
    }

    /// <summary>Parses the lines of a map (see <see cref="Read(string, DetectorShape, string, bool)"/>); <paramref name="source"/> names it in messages.</summary>
    public static float[] Parse(IReadOnlyList<string> lines, string source, DetectorShape expected, string what, bool allowNaN = false)
    {
        int count = lines.Count;
        while (count > 0 && string.IsNullOrWhiteSpace(lines[count - 1])) count--;
        if (count != expected.Rows)
            throw new InputException($"{what} {source}: expected {expected.Rows} lines of {expected.Cols} numbers (detector {expected}), found {count} lines");

        var values = new float[expected.Pixels];
        var separators = new[] { ' ', '\t' };
        for (int row = 0; row < count; row++)
        {
            string[] tokens = lines[row].Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (tokens.Length != expected.Cols)
                throw new InputException($"{what} {source}: line {row + 1} has {tokens.Length} numbers, expected {expected.Cols} (detector {expected})");
            for (int col = 0; col < tokens.Length; col++)
                values[row * expected.Cols + col] = ParseValue(tokens[col], source, what, row, col, allowNaN);
        }
        return values;
    }

    private static float ParseValue(string token, string source, string what, int row, int col, bool allowNaN)
    {
        if (token.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            if (allowNaN) return float.NaN;
            throw new InputException($"{what} {source}: line {row + 1}, column {col + 1}: value is NaN, a number is required here");
        }
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new InputException($"{what} {source}: line {row + 1}, column {col + 1}: '{token}' is not a number");
        float single = (float)value;
        if (!float.IsFinite(single))
            throw new InputException($"{what} {source}: line {row + 1}, column {col + 1}: '{token}' is not a finite 32-bit number");
        return single;
    }

    /// <summary>Writes a map (shortest round-trip formatting, NaN as <c>NaN</c>); temporary name, then rename.</summary>
    public static void Write(string path, DetectorShape shape, ReadOnlySpan<float> values)
    {
        if (values.Length != shape.Pixels)
            throw new ArgumentException($"map has {values.Length} values, expected {shape} = {shape.Pixels}");
        var text = new StringBuilder(shape.Pixels * 10);
        for (int row = 0; row < shape.Rows; row++)
        {
            for (int col = 0; col < shape.Cols; col++)
            {
                if (col > 0) text.Append(' ');
                text.Append(values[row * shape.Cols + col].ToString("R", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        string content = text.ToString();
        AtomicFile.Write(path, (string tmp) => File.WriteAllText(tmp, content, new UTF8Encoding(false)));
    }
}
