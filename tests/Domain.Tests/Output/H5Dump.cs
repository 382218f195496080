using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace XcsCt.Domain.Tests.Output;

/// <summary>
/// Reads an HDF5 file with the HDF Group's own <c>h5dump</c> (Debian package hdf5-tools), an
/// implementation independent of PureHDF, and parses its DDL text into a tree of groups, datasets
/// and attributes. When h5dump is missing the calling test fails (it must not pass silently).
/// </summary>
internal static partial class H5Dump
{
    public sealed class Node(string kind, string path)
    {
        public string Kind { get; } = kind;
        public string Path { get; } = path;
        public StringBuilder Text { get; } = new();
        public Dictionary<string, Node> Children { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, Node> Attributes { get; } = new(StringComparer.Ordinal);

        /// <summary>The data type line, e.g. <c>H5T_IEEE_F64LE</c> or <c>H5T_STRING</c>.</summary>
        public string DataType => DataTypeRegex().Match(Text.ToString()) is { Success: true } m ? m.Groups[1].Value : "";

        /// <summary>Dimensions; empty for a scalar.</summary>
        public long[] Dims
        {
            get
            {
                var text = Text.ToString();
                if (text.Contains("DATASPACE  SCALAR", StringComparison.Ordinal)) return [];
                var m = DataspaceRegex().Match(text);
                if (!m.Success) throw new InvalidOperationException($"{Path}: no dataspace in h5dump output:\n{text}");
                return m.Groups[1].Value.Split(',').Select(s => long.Parse(s.Trim(), CultureInfo.InvariantCulture)).ToArray();
            }
        }

        /// <summary>Lines of the DATA block, as printed.</summary>
        public List<string> DataLines { get; } = [];

        /// <summary>
        /// Data values as text: h5dump prints one element per line with <c>-w 0</c>, prefixed by its
        /// index; strings are quoted but their inner quotes are not escaped, so a string element is
        /// everything between the first and the last quote of its line.
        /// </summary>
        public List<string> Values()
        {
            if (DataLines.Count == 0) throw new InvalidOperationException($"{Path}: no DATA block in h5dump output");
            var values = new List<string>();
            foreach (var raw in DataLines)
            {
                var line = raw.Trim();
                var index = IndexRegex().Match(line);
                if (index.Success && index.Index == 0) line = line[index.Length..].Trim();
                if (line.Length == 0) continue;
                if (line[0] == '"')
                {
                    if (line.EndsWith(',')) line = line[..^1];
                    values.Add(line[1..line.LastIndexOf('"')]);
                    continue;
                }
                foreach (var token in line.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    values.Add(token);
            }
            return values;
        }

        public double[] Doubles() => Values().Select(ParseDouble).ToArray();

        /// <summary>Attribute values as strings (one for a scalar, several for an array).</summary>
        public List<string> Attribute(string name) =>
            Attributes.TryGetValue(name, out var a) ? a.Values() : throw new KeyNotFoundException($"{Path}: no attribute '{name}'; has [{string.Join(", ", Attributes.Keys)}]");

        public Node this[string relative]
        {
            get
            {
                var node = this;
                foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
                    if (!node.Children.TryGetValue(part, out node!))
                        throw new KeyNotFoundException($"h5dump shows no '{part}' in {Path} (looking for {relative})");
                return node;
            }
        }
    }

    public static double ParseDouble(string s) => s.ToLowerInvariant() switch
    {
        "nan" or "-nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    /// <summary>Runs <c>h5dump -p -w 0 -m %.17g FILE</c> (properties, no line wrapping, full precision) and parses the output.</summary>
    public static Node Read(string file)
    {
        var text = Run(file);
        var root = new Node("GROUP", "/");
        var stack = new Stack<(Node Node, int Depth)>();
        Node current = root;
        int depth = 0;
        bool seenRoot = false;
        Node? data = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (data is not null)
            {
                if (line == "}") data = null; // end of a DATA block: its lines are values, braces in strings do not count
                else data.DataLines.Add(line);
                continue;
            }
            if (line == "DATA {")
            {
                data = current;
                continue;
            }
            var m = ObjectRegex().Match(line);
            if (m.Success)
            {
                var kind = m.Groups[1].Value;
                var name = m.Groups[2].Value;
                if (kind == "GROUP" && name == "/" && !seenRoot)
                {
                    seenRoot = true;
                }
                else
                {
                    var child = new Node(kind, current.Path.TrimEnd('/') + "/" + name);
                    if (kind == "ATTRIBUTE") current.Attributes[name] = child; else current.Children[name] = child;
                    stack.Push((current, depth));
                    current = child;
                }
                depth++;
                continue;
            }
            current.Text.AppendLine(line);
            depth += line.Count(c => c == '{') - line.Count(c => c == '}');
            while (stack.Count > 0 && depth <= stack.Peek().Depth)
                current = stack.Pop().Node;
        }
        return root;
    }

    private static string Run(string file)
    {
        var psi = new ProcessStartInfo("h5dump")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-p", "-w", "0", "-m", "%.17g", file }) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("h5dump did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"h5dump was not found ({e.Message}): install hdf5-tools (apt-get install -y hdf5-tools); .ci/run does this in CI");
            throw;
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                Assert.Fail($"h5dump failed on {file} (exit {process.ExitCode}): {stderr.Result}");
            return stdout;
        }
    }

    [GeneratedRegex("""^(GROUP|DATASET|ATTRIBUTE) "((?:[^"\\]|\\.)*)" \{$""")]
    private static partial Regex ObjectRegex();

    [GeneratedRegex(@"DATATYPE\s+(\S+)")]
    private static partial Regex DataTypeRegex();

    [GeneratedRegex(@"DATASPACE\s+SIMPLE \{ \( ([^)]*) \)")]
    private static partial Regex DataspaceRegex();

    [GeneratedRegex(@"\(\d+(,\s*\d+)*\):")]
    private static partial Regex IndexRegex();
}
