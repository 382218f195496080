using System.Data.Common;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Data.Sqlite;
using XcsCt.Actors.Hosting;
using XcsCt.Host.Serve;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace XcsCt.Integration.Deploy;

/// <summary>
/// docker/Dockerfile and docker/compose.yaml against the program: the image's settings are settings
/// <c>xcsct serve</c> binds, its ports and volumes are the ones those settings give, the app version
/// flows from the build argument to the node, and the compose nodes form one cluster on PostgreSQL.
/// </summary>
public sealed class DockerfileTests
{
    private const string Token = "image-check-token-0123456789";

    private static readonly DockerfileModel Dockerfile = new(Path.Combine(ManifestPaths.Docker, "Dockerfile"));

    /// <summary>The settings of a container started from the image with a token.</summary>
    internal static Dictionary<string, string> ImageEnvironment(IReadOnlyDictionary<string, string>? buildArgs = null)
    {
        var env = DockerfileModel.Environment(Dockerfile.Final, buildArgs);
        env["XCSCT__TOKEN"] = Token;
        return env;
    }

    [Fact]
    public void Images_are_the_SDK_and_ASP_NET_runtime_of_the_target_framework()
    {
        var framework = XDocument.Load(Path.Combine(ManifestPaths.Root, "Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        var version = Regex.Match(framework, @"^net(\d+\.\d+)$");
        Assert.True(version.Success, $"Directory.Build.props: TargetFramework {framework}: expected netX.Y");
        Assert.Equal(2, Dockerfile.Stages.Count);
        Assert.Equal($"mcr.microsoft.com/dotnet/sdk:{version.Groups[1].Value}", Dockerfile.Stage("build").Image);
        Assert.Equal($"mcr.microsoft.com/dotnet/aspnet:{version.Groups[1].Value}", Dockerfile.Final.Image);
    }

    [Fact]
    public void Image_runs_serve_as_a_non_root_user()
    {
        var final = Dockerfile.Final.Instructions;
        var user = Assert.Single(final, i => i.Keyword == "USER");
        Assert.DoesNotMatch(@"^(root|0)(:|$)", user.Arguments);
        Assert.True(final.Where(i => i.Keyword == "RUN").All(r => r.Line < user.Line), "every RUN of the final stage comes before USER");
        var entry = Dockerfile.Final.Of("ENTRYPOINT").Single().ExecForm()!;
        var assembly = XDocument.Load(Path.Combine(ManifestPaths.Root, "src", "Host", "XcsCt.Host.csproj")).Descendants("AssemblyName").Single().Value;
        Assert.Equal(["dotnet", assembly + ".dll", "serve"], entry);
    }

    [Fact]
    public void Image_environment_is_settings_the_program_binds_and_accepts()
    {
        var options = ManifestSettings.ValidatedHere(ManifestSettings.Bind(ImageEnvironment(), "docker/Dockerfile ENV"), "docker/Dockerfile ENV");
        Assert.False(options.IsLoopback, "the image listens beyond loopback (other containers reach it)");
        Assert.Equal(JournalProvider.Sqlite, options.ClusterOptions().Journal);
    }

    [Fact]
    public void An_unknown_setting_fails_the_binding_check()
    {
        var env = ImageEnvironment();
        env["XCSCT__NODE__PROT"] = "4053";
        var e = Assert.Throws<Xunit.Sdk.XunitException>(() => ManifestSettings.Bind(env, "misspelt"));
        Assert.Contains("PROT", e.Message, StringComparison.OrdinalIgnoreCase);
        env.Remove("XCSCT__NODE__PROT");
        env["XCSCT__NODE__PORT"] = "forty";
        Assert.Throws<Xunit.Sdk.XunitException>(() => ManifestSettings.Bind(env, "not a number"));
    }

    [Fact]
    public void Exposed_ports_are_the_configured_HTTP_remoting_and_management_ports()
    {
        var options = ManifestSettings.Bind(ImageEnvironment(), "docker/Dockerfile ENV");
        var exposed = Dockerfile.Final.Of("EXPOSE").SelectMany(i => i.Arguments.Split(' ')).Select(p => int.Parse(p.Split('/')[0])).Order().ToArray();
        Assert.NotEqual(0, options.Node.Port);
        Assert.Equal(new[] { options.HttpUri.Port, options.Node.Port, options.Node.ManagementPort }.Order().ToArray(), exposed);
    }

    [Fact]
    public void Data_directory_and_journal_are_volumes()
    {
        var options = ManifestSettings.Bind(ImageEnvironment(), "docker/Dockerfile ENV");
        var volumes = Dockerfile.Final.Of("VOLUME").Single().ExecForm()!;
        var journal = Path.GetDirectoryName(new SqliteConnectionStringBuilder(options.ClusterOptions().ConnectionString).DataSource)!;
        Assert.Equal(new[] { options.FullDataDirectory, journal }.Order(), volumes.Order());
        Assert.Contains(options.FullDataDirectory, options.ResolvedDataRoots);
    }

    [Fact]
    public void App_version_build_argument_becomes_the_node_app_version()
    {
        var args = DockerfileModel.StageArgs(Dockerfile.Final);
        var programVersion = XDocument.Load(Path.Combine(ManifestPaths.Root, "Directory.Build.props")).Descendants("Version").Single().Value;
        Assert.Equal(programVersion, args["APP_VERSION"]);
        Assert.Equal(programVersion, ManifestSettings.Bind(ImageEnvironment(), "default").Node.AppVersion);
        var built = ManifestSettings.Bind(ImageEnvironment(new Dictionary<string, string> { ["APP_VERSION"] = "2.7.1-rc3" }), "--build-arg APP_VERSION=2.7.1-rc3");
        Assert.Equal("2.7.1-rc3", built.Node.AppVersion);
        // A version that is not one (spaces, quotes: it goes into the cluster's configuration) stops the node with a message.
        var bad = ManifestSettings.Bind(ImageEnvironment(new Dictionary<string, string> { ["APP_VERSION"] = "1.0\" x" }), "bad version");
        bad.DataRoots = [Path.GetTempPath()];
        Assert.Contains("app version", Assert.Throws<XcsCt.Domain.InputException>(() => bad.Validated()).Message);
    }

    [Fact]
    public void Healthcheck_is_the_script_that_asks_the_liveness_endpoint()
    {
        var check = Dockerfile.Final.Of("HEALTHCHECK").Single();
        var cmd = Regex.Match(check.Arguments, @"CMD (\[.*\])$");
        Assert.True(cmd.Success, $"HEALTHCHECK {check.Arguments}: expected the exec form CMD [...]");
        var exec = System.Text.Json.JsonSerializer.Deserialize<string[]>(cmd.Groups[1].Value)!;
        var copy = Dockerfile.Final.Of("COPY").Select(c => c.Arguments.Split(' ')).Single(a => a[^1] == exec[0]);
        Assert.Equal("docker/healthcheck.sh", copy[0]);
        var script = File.ReadAllText(Path.Combine(ManifestPaths.Root, copy[0]));
        Assert.Contains($"GET {ServeHost.LivePath} ", script);
        Assert.Contains("XCSCT__HTTP__URL", script);
    }

    [Fact]
    public void Compose_nodes_form_one_cluster_on_PostgreSQL_and_share_the_data_volume()
    {
        var compose = DockerCompose.Load(Path.Combine(ManifestPaths.Docker, "compose.yaml"), new Dictionary<string, string> { ["XCSCT_TOKEN"] = Token });
        var nodes = compose.Services.Where(s => s.Value.ContainsKey("build")).ToDictionary(s => s.Key, s => s.Value);
        Assert.Equal(3, nodes.Count);
        var postgres = compose.Service("postgres");
        var postgresEnv = DockerCompose.Map(postgres, "environment");

        var hostnames = new Dictionary<string, int>();
        var settings = new Dictionary<string, ServeOptions>();
        foreach (var (name, node) in nodes)
        {
            var build = DockerCompose.Map(node, "build");
            Assert.Equal(ManifestPaths.Root, Path.GetFullPath(Path.Combine(ManifestPaths.Docker, (string)build["context"])));
            Assert.Equal("docker/Dockerfile", build["dockerfile"]);
            var buildArgs = DockerCompose.Map(build, "args").ToDictionary(kv => (string)kv.Key, kv => (string)kv.Value);
            var env = DockerfileModel.Environment(Dockerfile.Final, buildArgs);
            foreach (var (k, v) in DockerCompose.Map(node, "environment")) env[(string)k] = (string)v;
            var options = ManifestSettings.ValidatedHere(ManifestSettings.Bind(env, $"docker/compose.yaml {name}"), $"docker/compose.yaml {name}");
            settings[name] = options;

            Assert.Equal(node["hostname"], options.Node.Hostname);
            hostnames[options.Node.Hostname] = options.Node.Port;
            Assert.Equal("none", options.Node.Discovery);
            Assert.Equal(JournalProvider.PostgreSql, options.ClusterOptions().Journal);
            var db = new DbConnectionStringBuilder { ConnectionString = options.Journal.ConnectionString };
            Assert.Equal("postgres", db["Host"]);
            Assert.Equal(postgresEnv["POSTGRES_DB"], db["Database"]);
            Assert.Equal(postgresEnv["POSTGRES_USER"], db["Username"]);
            Assert.Equal(postgresEnv["POSTGRES_PASSWORD"], db["Password"]);

            var ports = DockerCompose.List(node, "ports").Cast<string>().Select(p => int.Parse(p.Split(':')[^1])).ToArray();
            Assert.Equal([options.HttpUri.Port], ports);
            Assert.Contains($"data:{options.FullDataDirectory}", DockerCompose.List(node, "volumes").Cast<string>());
            Assert.Equal("service_healthy", DockerCompose.Map(DockerCompose.Map(node, "depends_on"), "postgres")["condition"]);
        }
        Assert.True(postgres.ContainsKey("healthcheck"), "postgres has a healthcheck the nodes wait for");

        foreach (var (name, options) in settings)
        {
            Assert.NotEmpty(options.Node.Seeds);
            foreach (var seed in options.Node.Seeds)
            {
                var address = Regex.Match(seed, @"^akka\.tcp://([^@]+)@([^:]+):(\d+)$");
                Assert.True(address.Success, $"{name}: seed {seed}: expected akka.tcp://system@host:port");
                Assert.Equal(XcsClusterHosting.SystemName, address.Groups[1].Value);
                Assert.True(hostnames.TryGetValue(address.Groups[2].Value, out int port), $"{name}: seed {seed} names no compose node");
                Assert.Equal(port, int.Parse(address.Groups[3].Value));
            }
        }
        // The first seed forms the cluster; every node names the same one first.
        Assert.Single(settings.Values.Select(o => o.Node.Seeds[0]).Distinct());
    }
}

/// <summary>A compose file read with YAML merge keys resolved and <c>${VAR}</c>, <c>${VAR:-default}</c>, <c>${VAR:?message}</c> interpolated.</summary>
internal sealed partial class DockerCompose
{
    private DockerCompose(Dictionary<object, object> root) => Root = root;

    public Dictionary<object, object> Root { get; }

    public Dictionary<string, Dictionary<object, object>> Services =>
        Map(Root, "services").ToDictionary(kv => (string)kv.Key, kv => (Dictionary<object, object>)kv.Value);

    public Dictionary<object, object> Service(string name) => Services.TryGetValue(name, out var s) ? s : throw new Xunit.Sdk.XunitException($"compose: no service {name}");

    public static DockerCompose Load(string path, IReadOnlyDictionary<string, string> variables)
    {
        var text = Interpolation().Replace(File.ReadAllText(path), m =>
        {
            var name = m.Groups["name"].Value;
            if (variables.TryGetValue(name, out var value)) return value;
            return m.Groups["op"].Value switch
            {
                ":-" => m.Groups["arg"].Value,
                ":?" => throw new Xunit.Sdk.XunitException($"{path}: ${{{name}}} is required ({m.Groups["arg"].Value}) and the check gave none"),
                _ => "",
            };
        });
        using var reader = new StringReader(text);
        var root = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)));
        return new DockerCompose(root);
    }

    public static Dictionary<object, object> Map(Dictionary<object, object> parent, string key) =>
        parent.TryGetValue(key, out var v) && v is Dictionary<object, object> d ? d : throw new Xunit.Sdk.XunitException($"compose: no mapping {key}");

    public static List<object> List(Dictionary<object, object> parent, string key) =>
        parent.TryGetValue(key, out var v) && v is List<object> l ? l : throw new Xunit.Sdk.XunitException($"compose: no list {key}");

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:-|:\?)(?<arg>[^}]*))?\}")]
    private static partial Regex Interpolation();
}
