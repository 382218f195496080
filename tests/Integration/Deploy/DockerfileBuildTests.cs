using System.Diagnostics;
using System.Text.RegularExpressions;

namespace XcsCt.Integration.Deploy;

/// <summary>Deployment checks that build or run the program: alone, so they do not slow the timing-sensitive cluster tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DockerfileRunCollection
{
    public const string Name = "deploy: image build and node";
}

/// <summary>
/// There is no Docker engine in CI, so the image's build stage is carried out here as Docker would:
/// its COPY instructions copy what the build context (the repository, less
/// docker/Dockerfile.dockerignore) holds into a scratch file system, in order, and its RUN
/// instructions run there, word for word, with container paths mapped into that scratch
/// directory. The restore step thus sees only the project files copied before it, and the publish
/// step is exactly the image's. The final stage's COPY --from and ENTRYPOINT must find the program.
/// </summary>
[Collection(DockerfileRunCollection.Name)]
public sealed class DockerfileBuildTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("xcsct-image-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_scratch, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task Build_stage_restores_and_publishes_the_program_the_final_stage_runs()
    {
        var dockerfile = new DockerfileModel(Path.Combine(ManifestPaths.Docker, "Dockerfile"));
        var ignore = DockerfileIgnore.Load(Path.Combine(ManifestPaths.Docker, "Dockerfile.dockerignore"));
        var build = dockerfile.Stage("build");
        string workdir = "/";
        var ran = new List<string>();
        foreach (var i in build.Instructions)
        {
            switch (i.Keyword)
            {
                case "WORKDIR":
                    workdir = i.Arguments.StartsWith('/') ? i.Arguments : Path.Combine(workdir, i.Arguments);
                    Directory.CreateDirectory(Map(workdir));
                    break;
                case "COPY":
                    Copy(i, workdir, ignore);
                    break;
                case "RUN":
                    await RunAsync(i, workdir);
                    ran.Add(i.Arguments);
                    break;
                default:
                    throw new Xunit.Sdk.XunitException($"Dockerfile line {i.Line}: {i.Keyword} in the build stage is not something this check can carry out");
            }
        }
        Assert.Contains(ran, r => r.StartsWith("dotnet restore ", StringComparison.Ordinal));
        var publish = Assert.Single(ran, r => r.StartsWith("dotnet publish ", StringComparison.Ordinal));
        var output = Regex.Match(publish, @"(?:-o|--output) (\S+)").Groups[1].Value;
        Assert.True(output.StartsWith('/'), $"publish output {output}: expected an absolute path");

        var fromBuild = dockerfile.Final.Of("COPY").Select(c => c.Arguments.Split(' ')).Single(a => a[0] == "--from=build");
        Assert.Equal(output, fromBuild[1].TrimEnd('/'));
        var entry = dockerfile.Final.Of("ENTRYPOINT").Single().ExecForm()!;
        var published = Map(output);
        Assert.True(File.Exists(Path.Combine(published, entry[1])), $"{entry[1]} is not in the published output {published}");
        Assert.True(File.Exists(Path.Combine(published, "appsettings.json")), "appsettings.json is not published beside the program");

        // The entry point's command exists: `dotnet xcsct.dll serve --help` answers.
        var help = await DockerfileProcess.RunAsync(entry[0], [.. entry[1..], "--help"], published, TimeSpan.FromMinutes(2));
        Assert.True(help.ExitCode == 0, $"{string.Join(' ', entry)} --help: exit {help.ExitCode}\n{help.Output}");
        Assert.Contains("--discovery", help.Output);
    }

    private string Map(string containerPath) => Path.Combine(_scratch, "fs", containerPath.TrimStart('/'));

    private void Copy(DockerInstruction copy, string workdir, DockerfileIgnore ignore)
    {
        var words = copy.Arguments.Split(' ');
        if (words.Any(w => w.StartsWith("--", StringComparison.Ordinal)))
            throw new Xunit.Sdk.XunitException($"Dockerfile line {copy.Line}: COPY options are not expected in the build stage");
        var destination = words[^1].StartsWith('/') ? words[^1] : Path.Combine(workdir, words[^1]);
        bool intoDirectory = words[^1].EndsWith('/') || words.Length > 2 || words[^1] is "." or "./";
        foreach (var source in words[..^1])
        {
            var relative = source.TrimEnd('/');
            var full = Path.Combine(ManifestPaths.Root, relative);
            if (ignore.Excludes(relative)) throw new Xunit.Sdk.XunitException($"Dockerfile line {copy.Line}: {source} is excluded from the build context");
            if (Directory.Exists(full))
                CopyDirectory(full, relative, Map(destination), ignore);
            else if (File.Exists(full))
            {
                var target = intoDirectory ? Path.Combine(Map(destination), Path.GetFileName(full)) : Map(destination);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(full, target, overwrite: true);
            }
            else throw new Xunit.Sdk.XunitException($"Dockerfile line {copy.Line}: {source} is not in the repository");
        }
    }

    private static void CopyDirectory(string from, string relative, string to, DockerfileIgnore ignore)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            var name = Path.GetFileName(file);
            if (!ignore.Excludes($"{relative}/{name}")) File.Copy(file, Path.Combine(to, name), overwrite: true);
        }
        foreach (var dir in Directory.EnumerateDirectories(from))
        {
            var name = Path.GetFileName(dir);
            if (!ignore.Excludes($"{relative}/{name}")) CopyDirectory(dir, $"{relative}/{name}", Path.Combine(to, name), ignore);
        }
    }

    private async Task RunAsync(DockerInstruction run, string workdir)
    {
        var words = DockerfileModel.Words(run.Arguments);
        if (words.Count == 0 || words[0] != "dotnet" || words.Any(w => w is "&&" or ";" or "|"))
            throw new Xunit.Sdk.XunitException($"Dockerfile line {run.Line}: RUN {run.Arguments}: the build stage runs single dotnet commands only, so this check can run them as written");
        var args = words.Skip(1).Select(w => w.StartsWith('/') ? Map(w) : w).ToArray();
        var result = await DockerfileProcess.RunAsync("dotnet", args, Map(workdir), TimeSpan.FromMinutes(15));
        Assert.True(result.ExitCode == 0, $"Dockerfile line {run.Line}: RUN {run.Arguments} failed (exit {result.ExitCode}):\n{result.Output}");
    }
}

/// <summary>A .dockerignore: <c>*</c> within a path segment, <c>**</c> across segments; an excluded directory excludes what it holds.</summary>
internal sealed class DockerfileIgnore(IReadOnlyList<Regex> patterns)
{
    public static DockerfileIgnore Load(string path) => new(File.ReadAllLines(path)
        .Select(l => l.Trim())
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.StartsWith('!') ? throw new Xunit.Sdk.XunitException($"{path}: exceptions (!) are not supported by this check") : l)
        .Select(l => new Regex("^" + Regex.Escape(l.TrimEnd('/').TrimStart('/')).Replace(@"\*\*/", "(.*/)?").Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]") + "$"))
        .ToList());

    /// <summary>True when the context-relative path (with <c>/</c>) or one of its parent directories is excluded.</summary>
    public bool Excludes(string relative)
    {
        var segments = relative.Split('/');
        for (int n = 1; n <= segments.Length; n++)
        {
            var prefix = string.Join('/', segments.Take(n));
            if (patterns.Any(p => p.IsMatch(prefix))) return true;
        }
        return false;
    }
}

/// <summary>Runs a process to completion with its output and error interleaved, bounded in time.</summary>
internal static class DockerfileProcess
{
    public sealed record Result(int ExitCode, string Output);

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, string workingDirectory, TimeSpan limit, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["NO_COLOR"] = "1";
        // No MSBuild or compiler servers left behind by the check.
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        psi.Environment["UseSharedCompilation"] = "false";
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith(ManifestSettings.Prefix, StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(key);
        if (environment is not null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var output = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)}: not done within {limit}");
        }
        p.WaitForExit();
        lock (output) return new Result(p.ExitCode, output.ToString());
    }
}
