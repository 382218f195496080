using System.Diagnostics;
using k8s;
using k8s.Models;

namespace XcsCt.Integration.Deploy;

/// <summary>Where the repository's deployment files are, found from the test binaries upwards.</summary>
internal static class ManifestPaths
{
    public static string Root { get; } = FindRoot();

    public static string Docker => Path.Combine(Root, "docker");

    public static string K8s => Path.Combine(Root, "k8s");

    public static string Overlay(string name) => Path.Combine(K8s, "overlays", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "XcsCtCluster.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no XcsCtCluster.sln above {AppContext.BaseDirectory}: the deployment checks run from a clone of the repository");
    }
}

/// <summary>
/// One kustomize overlay rendered by <c>kubectl kustomize</c> (the kustomize built into kubectl, as
/// old as Debian's kubectl 1.20) and parsed strictly into the official Kubernetes client models:
/// an unknown kind or an unknown field is an error.
/// </summary>
internal sealed class KustomizeRender
{
    /// <summary>The overlays under <c>k8s/overlays</c> the checks render.</summary>
    public static readonly string[] Overlays = ["dev", "prod"];

    private static readonly Dictionary<string, Lazy<KustomizeRender>> Cache =
        Overlays.ToDictionary(o => o, o => new Lazy<KustomizeRender>(() => new KustomizeRender(o)));

    public static KustomizeRender Of(string overlay) => Cache[overlay].Value;

    private KustomizeRender(string overlay)
    {
        Overlay = overlay;
        Yaml = Kubectl.Run("kustomize", ManifestPaths.Overlay(overlay));
        try
        {
            Objects = KubernetesYaml.LoadAllFromString(Yaml, strict: true).Cast<IKubernetesObject<V1ObjectMeta>>().ToList();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"k8s/overlays/{overlay}: the rendered objects do not parse as Kubernetes models: {e.Message}", e);
        }
    }

    public string Overlay { get; }

    /// <summary>What <c>kubectl kustomize</c> printed.</summary>
    public string Yaml { get; }

    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects { get; }

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T Single<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
        Objects.OfType<T>().SingleOrDefault(o => o.Metadata.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"k8s/overlays/{Overlay}: no {typeof(T).Name} named {name}; rendered: {string.Join(", ", Objects.Select(o => $"{o.Kind}/{o.Metadata.Name}"))}");

    /// <summary>The xcsct node workload.</summary>
    public V1Deployment Node => Single<V1Deployment>("xcsct");

    public V1Container NodeContainer => Node.Spec.Template.Spec.Containers.Single(c => c.Name == "xcsct");

    /// <summary>The pod templates of every workload in the render, with the workload's name.</summary>
    public IEnumerable<(string Workload, V1PodTemplateSpec Template)> PodTemplates =>
        All<V1Deployment>().Select(d => ($"Deployment/{d.Metadata.Name}", d.Spec.Template))
            .Concat(All<V1StatefulSet>().Select(s => ($"StatefulSet/{s.Metadata.Name}", s.Spec.Template)));
}

/// <summary>Runs kubectl: <c>XCSCT_KUBECTL</c> if set, else <c>kubectl</c> on the PATH (Debian: package kubernetes-client).</summary>
internal static class Kubectl
{
    public static string Executable
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("XCSCT_KUBECTL");
            if (!string.IsNullOrWhiteSpace(configured))
                return File.Exists(configured) ? configured : throw new InvalidOperationException($"XCSCT_KUBECTL={configured}: no such file");
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, "kubectl");
                if (File.Exists(candidate)) return candidate;
            }
            throw new InvalidOperationException(
                "kubectl not found on PATH: the Kubernetes manifest checks need it to render k8s/overlays. "
                + "Install Debian's kubernetes-client (apt-get install kubernetes-client; .ci/run does) or set XCSCT_KUBECTL to a kubectl binary.");
        }
    }

    /// <summary>Runs kubectl with the arguments; its standard output, or an exception with its error output.</summary>
    public static string Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Executable} {string.Join(' ', args)}: no answer within 2 minutes");
        }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{Executable} {string.Join(' ', args)} failed (exit {p.ExitCode}): {stderr.Result.Trim()}");
        return stdout.Result;
    }
}
