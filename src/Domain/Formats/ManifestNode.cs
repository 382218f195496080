using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace XcsCt.Domain.Formats;

/// <summary>Kind of a manifest document node.</summary>
internal enum ManifestNodeKind { Scalar, Map, Sequence }

/// <summary>A key of a mapping with its 1-based position, and its value.</summary>
internal sealed record ManifestEntry(string Key, int Line, int Column, ManifestNode Value);

/// <summary>
/// A manifest document node, the same for YAML and JSON, with its 1-based line and column so every
/// problem can point into the file.
/// </summary>
internal sealed class ManifestNode
{
    public required ManifestNodeKind Kind { get; init; }
    public required int Line { get; init; }
    public required int Column { get; init; }

    /// <summary>Scalar text; null for a null scalar (YAML <c>~</c>, <c>null</c>, empty; JSON <c>null</c>).</summary>
    public string? Text { get; init; }

    /// <summary>True when the scalar was written unquoted (numbers and booleans must be).</summary>
    public bool Plain { get; init; }

    public List<ManifestEntry> Entries { get; } = [];
    public List<ManifestNode> Items { get; } = [];

    public bool IsNull => Kind == ManifestNodeKind.Scalar && Text is null;

    public string Where => $"line {Line}, col {Column}";

    public string Describe() => Kind switch
    {
        ManifestNodeKind.Map => "a mapping",
        ManifestNodeKind.Sequence => "a list",
        _ when Text is null => "null",
        _ => Plain ? $"'{Text}'" : $"the quoted string \"{Text}\"",
    };
}

/// <summary>Turns YAML or JSON text into <see cref="ManifestNode"/>s; syntax errors become one located message.</summary>
internal static class ManifestDocument
{
    /// <summary>Parses YAML (a single document); throws <see cref="InputException"/> on a syntax error.</summary>
    public static ManifestNode? ParseYaml(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InputException($"manifest {source}: YAML syntax error at line {e.Start.Line}, col {e.Start.Column}: {Innermost(e)}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            // YamlDotNet reports some malformed input (an unclosed flow mapping at the end) without a position.
            throw new InputException($"manifest {source}: YAML syntax error (unclosed bracket or brace?): {e.Message}", e);
        }
        if (stream.Documents.Count == 0) return null;
        if (stream.Documents.Count > 1)
            throw new InputException($"manifest {source}: {stream.Documents.Count} YAML documents, expected one");
        return Convert(stream.Documents[0].RootNode);
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message;
    }

    private static ManifestNode Convert(YamlNode node)
    {
        int line = (int)node.Start.Line, col = (int)node.Start.Column;
        switch (node)
        {
            case YamlScalarNode scalar:
                bool plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
                string? text = scalar.Value;
                if (plain && (text is null || text is "" or "~" or "null" or "Null" or "NULL")) text = null;
                return new ManifestNode { Kind = ManifestNodeKind.Scalar, Line = line, Column = col, Text = text, Plain = plain };
            case YamlMappingNode map:
                var m = new ManifestNode { Kind = ManifestNodeKind.Map, Line = line, Column = col };
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                        throw new InputException($"line {key.Start.Line}, col {key.Start.Column}: mapping keys must be plain names");
                    m.Entries.Add(new(name, (int)key.Start.Line, (int)key.Start.Column, Convert(value)));
                }
                return m;
            case YamlSequenceNode seq:
                var s = new ManifestNode { Kind = ManifestNodeKind.Sequence, Line = line, Column = col };
                foreach (var item in seq.Children) s.Items.Add(Convert(item));
                return s;
            default:
                throw new InputException($"line {line}, col {col}: unsupported YAML node {node.NodeType}");
        }
    }

    /// <summary>Parses JSON (comments allowed, duplicate keys rejected); throws <see cref="InputException"/> on a syntax error.</summary>
    public static ManifestNode? ParseJson(string text, string source)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        var lineStarts = new List<int> { 0 };
        for (int i = 0; i < utf8.Length; i++) if (utf8[i] == (byte)'\n') lineStarts.Add(i + 1);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read()) return null;
            var root = ReadJson(ref reader, lineStarts, source);
            if (reader.Read())
                throw new InputException($"manifest {source}: unexpected content after the JSON document at {Locate(reader.TokenStartIndex, lineStarts)}");
            return root;
        }
        catch (JsonException e)
        {
            throw new InputException($"manifest {source}: JSON syntax error at line {(e.LineNumber ?? 0) + 1}, col {(e.BytePositionInLine ?? 0) + 1}: {e.Message}", e);
        }
    }

    private static string Locate(long offset, List<int> lineStarts)
    {
        var (line, col) = LineColumn(offset, lineStarts);
        return $"line {line}, col {col}";
    }

    private static (int Line, int Column) LineColumn(long offset, List<int> lineStarts)
    {
        int index = lineStarts.BinarySearch((int)offset);
        if (index < 0) index = ~index - 1;
        return (index + 1, (int)(offset - lineStarts[index]) + 1);
    }

    private static ManifestNode ReadJson(ref Utf8JsonReader reader, List<int> lineStarts, string source)
    {
        var (line, col) = LineColumn(reader.TokenStartIndex, lineStarts);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var map = new ManifestNode { Kind = ManifestNodeKind.Map, Line = line, Column = col };
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var (keyLine, keyCol) = LineColumn(reader.TokenStartIndex, lineStarts);
                    string key = reader.GetString()!;
                    if (!seen.Add(key))
                        throw new InputException($"manifest {source}: duplicate key '{key}' at line {keyLine}, col {keyCol}");
                    reader.Read();
                    map.Entries.Add(new(key, keyLine, keyCol, ReadJson(ref reader, lineStarts, source)));
                }
                return map;
            }
            case JsonTokenType.StartArray:
            {
                var seq = new ManifestNode { Kind = ManifestNodeKind.Sequence, Line = line, Column = col };
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    seq.Items.Add(ReadJson(ref reader, lineStarts, source));
                return seq;
            }
            case JsonTokenType.String:
                return new ManifestNode { Kind = ManifestNodeKind.Scalar, Line = line, Column = col, Text = reader.GetString(), Plain = false };
            case JsonTokenType.Number:
            case JsonTokenType.True:
            case JsonTokenType.False:
                return new ManifestNode { Kind = ManifestNodeKind.Scalar, Line = line, Column = col, Text = Encoding.UTF8.GetString(reader.ValueSpan), Plain = true };
            case JsonTokenType.Null:
                return new ManifestNode { Kind = ManifestNodeKind.Scalar, Line = line, Column = col, Text = null, Plain = true };
            default:
                throw new InputException($"manifest {source}: unexpected JSON token {reader.TokenType} at line {line}, col {col}");
        }
    }
}
