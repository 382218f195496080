using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace XcsCt.Integration.Deploy;

/// <summary>One instruction of a Dockerfile: keyword (upper case), its arguments (continuations joined), its first line number.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments, int Line)
{
    /// <summary>The arguments of an exec-form instruction (a JSON array), or null for the shell form.</summary>
    public string[]? ExecForm(string afterOptions = "")
    {
        var text = Arguments[afterOptions.Length..].Trim();
        return text.StartsWith('[') ? JsonSerializer.Deserialize<string[]>(text) : null;
    }
}

/// <summary>A build stage: <c>FROM image AS name</c> and its instructions.</summary>
internal sealed record DockerStage(string Image, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<DockerInstruction> Of(string keyword) => Instructions.Where(i => i.Keyword == keyword);
}

/// <summary>
/// The subset of the Dockerfile language docker/Dockerfile uses, read well enough to check it:
/// comments, line continuations, global and stage <c>ARG</c>s with defaults, <c>ENV</c> pairs, and
/// the exec forms of <c>HEALTHCHECK</c> and <c>ENTRYPOINT</c>.
/// </summary>
internal sealed partial class DockerfileModel
{
    public DockerfileModel(string path)
    {
        Path = path;
        var instructions = Parse(File.ReadAllLines(path));
        int firstFrom = instructions.FindIndex(i => i.Keyword == "FROM");
        if (firstFrom < 0) throw new Xunit.Sdk.XunitException($"{path}: no FROM");
        GlobalArgs = instructions.Take(firstFrom).Where(i => i.Keyword == "ARG").Select(ParseArg).ToDictionary(a => a.Name, a => a.Default);
        var stages = new List<DockerStage>();
        for (int i = firstFrom; i < instructions.Count;)
        {
            var from = instructions[i];
            int end = instructions.FindIndex(i + 1, x => x.Keyword == "FROM");
            if (end < 0) end = instructions.Count;
            var words = Substitute(from.Arguments, GlobalArgs).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string? name = words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null;
            stages.Add(new DockerStage(words[0], name, instructions.GetRange(i + 1, end - i - 1)));
            i = end;
        }
        Stages = stages;
    }

    public string Path { get; }

    /// <summary>ARGs declared before the first FROM, with their defaults.</summary>
    public IReadOnlyDictionary<string, string?> GlobalArgs { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage Stage(string name) => Stages.SingleOrDefault(s => s.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"{Path}: no stage named {name}");

    /// <summary>The final stage: what the image runs.</summary>
    public DockerStage Final => Stages[^1];

    /// <summary>A stage's ARG defaults (the ones it declares).</summary>
    public static Dictionary<string, string?> StageArgs(DockerStage stage) =>
        stage.Of("ARG").Select(ParseArg).ToDictionary(a => a.Name, a => a.Default);

    /// <summary>The environment a stage sets with ENV, its ARGs substituted with the given values (defaults otherwise).</summary>
    public static Dictionary<string, string> Environment(DockerStage stage, IReadOnlyDictionary<string, string>? buildArgs = null)
    {
        var args = StageArgs(stage);
        if (buildArgs is not null)
            foreach (var (k, v) in buildArgs) args[k] = v;
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var i in stage.Of("ENV"))
            foreach (var word in Words(i.Arguments))
            {
                int eq = word.IndexOf('=');
                if (eq <= 0) throw new Xunit.Sdk.XunitException($"line {i.Line}: ENV {word}: expected KEY=VALUE");
                env[word[..eq]] = Substitute(word[(eq + 1)..], args);
            }
        return env;
    }

    /// <summary>Replaces <c>$NAME</c> and <c>${NAME}</c> by the values given; an unknown name is an error.</summary>
    public static string Substitute(string text, IReadOnlyDictionary<string, string?> values) =>
        VariablePattern().Replace(text, m =>
        {
            var name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            return values.TryGetValue(name, out var v) && v is not null ? v : throw new Xunit.Sdk.XunitException($"${name} is not a declared ARG with a value");
        });

    /// <summary>Splits on blanks, keeping double-quoted runs together (quotes removed).</summary>
    public static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in text)
        {
            if (c == '"') { quoted = !quoted; any = true; continue; }
            if (!quoted && char.IsWhiteSpace(c))
            {
                if (any) words.Add(current.ToString());
                current.Clear();
                any = false;
                continue;
            }
            current.Append(c);
            any = true;
        }
        if (quoted) throw new Xunit.Sdk.XunitException($"unbalanced quote in: {text}");
        if (any) words.Add(current.ToString());
        return words;
    }

    private static (string Name, string? Default) ParseArg(DockerInstruction i)
    {
        int eq = i.Arguments.IndexOf('=');
        return eq < 0 ? (i.Arguments.Trim(), null) : (i.Arguments[..eq].Trim(), i.Arguments[(eq + 1)..].Trim().Trim('"'));
    }

    private static List<DockerInstruction> Parse(string[] lines)
    {
        var result = new List<DockerInstruction>();
        var text = new StringBuilder();
        int start = 0;
        for (int n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith('#') || (text.Length == 0 && trimmed.Length == 0)) continue;
            if (text.Length == 0) start = n + 1;
            bool continues = line.TrimEnd().EndsWith('\\');
            text.Append(continues ? line.TrimEnd()[..^1] : line).Append(' ');
            if (continues) continue;
            var instruction = text.ToString().Trim();
            text.Clear();
            int space = instruction.IndexOf(' ');
            result.Add(space < 0
                ? new DockerInstruction(instruction.ToUpperInvariant(), "", start)
                : new DockerInstruction(instruction[..space].ToUpperInvariant(), Regex.Replace(instruction[(space + 1)..].Trim(), @"\s+", " "), start));
        }
        return result;
    }

    [GeneratedRegex(@"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex VariablePattern();
}
