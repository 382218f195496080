using System.Data.Common;
using System.Text.RegularExpressions;
using k8s.Models;
using Microsoft.AspNetCore.Routing;
using XcsCt.Actors.Hosting;
using XcsCt.Host.Serve;

namespace XcsCt.Integration.Deploy;

/// <summary>
/// The Kubernetes manifests (k8s/, each overlay rendered by <c>kubectl kustomize</c> and parsed
/// into the official models) against each other and against the program: selectors select the
/// pods they mean, ports and probe paths are the ones the node's settings and endpoints give,
/// every <c>XCSCT__</c> variable is a setting the program binds, and discovery finds the nodes.
/// </summary>
public sealed partial class ManifestTests
{
    public static TheoryData<string> Overlays => new(KustomizeRender.Overlays);

    private const string PodIp = "10.1.2.3";

    /// <summary>
    /// The node container's environment as the program sees it: the image's ENV, then the
    /// ConfigMaps of envFrom, then env (field references as a pod would resolve them, secret
    /// references from the rendered Secret or, for a Secret the overlay does not bring, from the
    /// README's <c>kubectl create secret</c> command).
    /// </summary>
    internal static Dictionary<string, string> NodeEnvironment(KustomizeRender render)
    {
        var env = DockerfileTests.ImageEnvironment();
        env.Remove("XCSCT__TOKEN");
        var container = render.NodeContainer;
        foreach (var source in container.EnvFrom ?? [])
        {
            Assert.Null(source.SecretRef);
            var map = render.Single<V1ConfigMap>(source.ConfigMapRef.Name);
            foreach (var (k, v) in map.Data) env[k] = v;
        }
        foreach (var variable in container.Env ?? [])
        {
            if (variable.ValueFrom is null) env[variable.Name] = variable.Value;
            else if (variable.ValueFrom.FieldRef is { } field)
                env[variable.Name] = field.FieldPath == "status.podIP" ? PodIp : throw new Xunit.Sdk.XunitException($"{variable.Name}: field {field.FieldPath} is not one this check resolves");
            else if (variable.ValueFrom.SecretKeyRef is { } secret)
                env[variable.Name] = SecretValue(render, secret.Name, secret.Key);
            else throw new Xunit.Sdk.XunitException($"{variable.Name}: a value source this check does not resolve");
        }
        return env;
    }

    /// <summary>Binds the node's environment into the program's settings (unknown keys fail) and validates them.</summary>
    internal static ServeOptions NodeOptions(KustomizeRender render)
    {
        var where = $"k8s/overlays/{render.Overlay} Deployment/xcsct";
        return ManifestSettings.ValidatedHere(ManifestSettings.Bind(NodeEnvironment(render), where), where);
    }

    private static string SecretValue(KustomizeRender render, string name, string key)
    {
        var secret = render.All<V1Secret>().SingleOrDefault(s => s.Metadata.Name == name);
        if (secret is not null)
        {
            if (secret.StringData?.TryGetValue(key, out var text) == true) return text;
            if (secret.Data?.TryGetValue(key, out var bytes) == true) return System.Text.Encoding.UTF8.GetString(bytes);
            throw new Xunit.Sdk.XunitException($"k8s/overlays/{render.Overlay}: Secret {name} has no key {key}");
        }
        var documented = ReadmeSecrets().GetValueOrDefault(name)
            ?? throw new Xunit.Sdk.XunitException($"k8s/overlays/{render.Overlay}: Secret {name} is neither rendered nor created by a `kubectl create secret generic {name}` command in README.md");
        return documented.TryGetValue(key, out var value)
            ? value
            : throw new Xunit.Sdk.XunitException($"README.md: `kubectl create secret generic {name}` gives no --from-literal={key}=...");
    }

    /// <summary>Secrets README.md tells the user to create: name -> key -> example value.</summary>
    internal static Dictionary<string, Dictionary<string, string>> ReadmeSecrets()
    {
        var readme = File.ReadAllText(Path.Combine(ManifestPaths.Root, "README.md")).Replace("\\\n", " ");
        var result = new Dictionary<string, Dictionary<string, string>>();
        foreach (Match command in CreateSecret().Matches(readme))
        {
            var literals = new Dictionary<string, string>();
            foreach (Match literal in FromLiteral().Matches(command.Groups["rest"].Value))
                literals[literal.Groups["key"].Value] = literal.Groups["value"].Value.Trim('\'', '"');
            result[command.Groups["name"].Value] = literals;
        }
        return result;
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_object_is_a_known_kind_with_only_known_fields(string overlay)
    {
        var render = KustomizeRender.Of(overlay);
        Assert.NotEmpty(render.Objects);
        var kinds = render.Objects.Select(o => o.Kind).ToHashSet();
        foreach (var required in new[] { "Namespace", "ServiceAccount", "Role", "RoleBinding", "Service", "Deployment", "PodDisruptionBudget", "HorizontalPodAutoscaler", "PersistentVolumeClaim", "NetworkPolicy", "ConfigMap" })
            Assert.Contains(required, kinds);
        var names = render.Objects.Select(o => $"{o.Kind}/{o.Metadata.Name}").ToList();
        Assert.Equal(names.Distinct().Count(), names.Count);
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Everything_lives_in_the_one_namespace(string overlay)
    {
        var render = KustomizeRender.Of(overlay);
        var ns = Assert.Single(render.All<V1Namespace>()).Metadata.Name;
        foreach (var o in render.Objects.Where(o => o is not V1Namespace))
            Assert.True(o.Metadata.NamespaceProperty == ns, $"{o.Kind}/{o.Metadata.Name} is in namespace '{o.Metadata.NamespaceProperty}', not {ns}");
        foreach (var binding in render.All<V1RoleBinding>())
            foreach (var subject in binding.Subjects.Where(s => s.Kind == "ServiceAccount"))
                Assert.Equal(ns, subject.NamespaceProperty);
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Discovery_lists_pods_with_the_node_service_account(string overlay)
    {
        var render = KustomizeRender.Of(overlay);
        var pod = render.Node.Spec.Template.Spec;
        var account = render.Single<V1ServiceAccount>(pod.ServiceAccountName);
        Assert.NotEqual(false, pod.AutomountServiceAccountToken);
        Assert.NotEqual(false, account.AutomountServiceAccountToken);
        var binding = Assert.Single(render.All<V1RoleBinding>(), b => b.Subjects.Any(s => s.Kind == "ServiceAccount" && s.Name == account.Metadata.Name));
        Assert.Equal("Role", binding.RoleRef.Kind);
        var role = render.Single<V1Role>(binding.RoleRef.Name);
        var rule = Assert.Single(role.Rules);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Equal(["get", "list", "watch"], rule.Verbs.Order());
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Discovery_settings_name_the_headless_service_and_its_pods(string overlay)
    {
        var render = KustomizeRender.Of(overlay);
        var options = NodeOptions(render);
        Assert.Equal("kubernetes", options.Node.Discovery);
        Assert.Empty(options.Node.Seeds);
        var headless = render.Single<V1Service>(ServeHost.BootstrapServiceName);
        Assert.Equal("None", headless.Spec.ClusterIP);
        Assert.True(headless.Spec.PublishNotReadyAddresses, "the headless service publishes not-ready nodes (nodes meet before they are ready)");

        var selector = ParseSelector(options.Node.KubernetesSelector);
        var selected = render.PodTemplates.Where(t => Selects(selector, t.Template.Metadata.Labels)).Select(t => t.Workload).ToList();
        Assert.Equal(["Deployment/xcsct"], selected);
        Assert.True(selector.All(kv => headless.Spec.Selector.TryGetValue(kv.Key, out var v) && v == kv.Value),
            $"discovery selector {options.Node.KubernetesSelector} is not part of the headless service's selector");
        Assert.Equal(["Deployment/xcsct"], render.PodTemplates.Where(t => Selects(headless.Spec.Selector, t.Template.Metadata.Labels)).Select(t => t.Workload));
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Selectors_select_the_pods_they_mean(string overlay)
    {
        var render = KustomizeRender.Of(overlay);
        foreach (var d in render.All<V1Deployment>())
            Assert.True(Selects(d.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels), $"Deployment/{d.Metadata.Name}: selector does not match its pod labels");
        foreach (var s in render.All<V1StatefulSet>())
        {
            Assert.True(Selects(s.Spec.Selector.MatchLabels, s.Spec.Template.Metadata.Labels), $"StatefulSet/{s.Metadata.Name}: selector does not match its pod labels");
            var governing = render.Single<V1Service>(s.Spec.ServiceName);
            Assert.True(Selects(governing.Spec.Selector, s.Spec.Template.Metadata.Labels), $"StatefulSet/{s.Metadata.Name}: its service {s.Spec.ServiceName} does not select its pods");
        }
        foreach (var service in render.All<V1Service>())
        {
            var targets = render.PodTemplates.Where(t => Selects(service.Spec.Selector, t.Template.Metadata.Labels)).ToList();
            Assert.True(targets.Count == 1, $"Service/{service.Metadata.Name} selects {targets.Count} workloads");
            var ports = targets[0].Template.Spec.Containers.SelectMany(c => c.Ports ?? []).ToList();
            foreach (var port in service.Spec.Ports)
                Assert.True(ports.Any(p => p.Name == port.TargetPort.Value || p.ContainerPort.ToString() == port.TargetPort.Value),
                    $"Service/{service.Metadata.Name}: target port {port.TargetPort.Value} is not a port of {targets[0].Workload}");
        }
        var node = render.Node.Spec.Template.Metadata.Labels;
        var budget = Assert.Single(render.All<V1PodDisruptionBudget>());
        Assert.True(Selects(budget.Spec.Selector.MatchLabels, node), "the disruption budget selects the nodes");
        foreach (var term in render.Node.Spec.Template.Spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
            Assert.True(Selects(term.PodAffinityTerm.LabelSelector.MatchLabels, node), "the anti-affinity term spreads the nodes themselves");
        var autoscaler = Assert.Single(render.All<V2HorizontalPodAutoscaler>());
        Assert.Equal(("apps/v1", "Deployment", "xcsct"), (autoscaler.Spec.ScaleTargetRef.ApiVersion, autoscaler.Spec.ScaleTargetRef.Kind, autoscaler.Spec.ScaleTargetRef.Name));
        foreach (var policy in render.All<V1NetworkPolicy>())
            Assert.True(render.PodTemplates.Any(t => Selects(policy.Spec.PodSelector.MatchLabels, t.Template.Metadata.Labels)), $"NetworkPolicy/{policy.Metadata.Name} selects no pods");
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Container_ports_are_the_ports_the_node_settings_give(string overlay)
    {
        var render = KustomizeRender.Of(overlay);
        var options = NodeOptions(render);
        var ports = render.NodeContainer.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        Assert.Equal(options.HttpUri.Port, ports["http"]);
        Assert.NotEqual(0, options.Node.Port);
        Assert.Equal(options.Node.Port, ports["remoting"]);
        Assert.Equal(options.Node.ManagementPort, ports[ServeHost.ManagementPortName]);
        Assert.Equal(3, ports.Count);
        Assert.Equal(PodIp, options.Node.Hostname);
        Assert.False(options.IsLoopback, "the HTTP API listens on the pod's interfaces");
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Remoting_and_management_are_reachable_from_the_nodes_only(string overlay)
    {
        var render = KustomizeRender.Of(overlay);
        var container = render.NodeContainer;
        var nodeLabels = render.Node.Spec.Template.Metadata.Labels;
        int Resolve(IntOrString port) => int.TryParse(port.Value, out int n) ? n
            : container.Ports.SingleOrDefault(p => p.Name == port.Value)?.ContainerPort ?? throw new Xunit.Sdk.XunitException($"NetworkPolicy port {port.Value} is not a port of the node");
        var clusterPorts = new[] { container.Ports.Single(p => p.Name == "remoting").ContainerPort, container.Ports.Single(p => p.Name == ServeHost.ManagementPortName).ContainerPort };

        var policies = render.All<V1NetworkPolicy>().Where(p => Selects(p.Spec.PodSelector.MatchLabels, nodeLabels)).ToList();
        Assert.NotEmpty(policies);
        foreach (var policy in policies)
        {
            Assert.Contains("Ingress", policy.Spec.PolicyTypes);
            foreach (var rule in policy.Spec.Ingress)
            {
                var opened = rule.Ports is null or { Count: 0 } ? clusterPorts : rule.Ports.Select(p => Resolve(p.Port)).Intersect(clusterPorts).ToArray();
                if (opened.Length == 0) continue;
                Assert.True(rule.FromProperty is { Count: > 0 }, $"NetworkPolicy/{policy.Metadata.Name} opens ports {string.Join(", ", opened)} to everyone");
                foreach (var peer in rule.FromProperty)
                {
                    Assert.True(peer.IpBlock is null && peer.NamespaceSelector is null && peer.PodSelector is not null,
                        $"NetworkPolicy/{policy.Metadata.Name} opens ports {string.Join(", ", opened)} beyond the namespace's pods");
                    var from = render.PodTemplates.Where(t => Selects(peer.PodSelector.MatchLabels, t.Template.Metadata.Labels)).Select(t => t.Workload);
                    Assert.Equal(["Deployment/xcsct"], from);
                }
            }
        }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Probes_ask_endpoints_the_program_maps(string overlay)
    {
        var render = KustomizeRender.Of(overlay);
        var container = render.NodeContainer;
        var mapped = MappedPaths();
        Assert.Equal(ServeHost.LivePath, container.LivenessProbe.HttpGet.Path);
        Assert.Equal(ServeHost.LivePath, container.StartupProbe.HttpGet.Path);
        Assert.Equal(ServeHost.ReadyPath, container.ReadinessProbe.HttpGet.Path);
        foreach (var probe in new[] { container.LivenessProbe, container.StartupProbe, container.ReadinessProbe })
        {
            Assert.Contains(probe.HttpGet.Path, mapped);
            Assert.Equal("http", probe.HttpGet.Port.Value);
        }
        foreach (var pod in render.PodTemplates.Where(t => t.Workload != "Deployment/xcsct"))
            foreach (var c in pod.Template.Spec.Containers)
                Assert.True(c.ReadinessProbe is not null, $"{pod.Workload}/{c.Name} has no readiness probe");
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Replicas_let_bootstrap_form_the_cluster_and_scale_one_node_at_a_time(string overlay)
    {
        var render = KustomizeRender.Of(overlay);
        var options = NodeOptions(render);
        var autoscaler = Assert.Single(render.All<V2HorizontalPodAutoscaler>());
        Assert.Equal(autoscaler.Spec.MinReplicas, render.Node.Spec.Replicas);
        Assert.True(autoscaler.Spec.MinReplicas >= options.Node.RequiredContactPoints,
            $"{autoscaler.Spec.MinReplicas} replicas can never find the {options.Node.RequiredContactPoints} contact points cluster bootstrap requires");
        Assert.True(autoscaler.Spec.MaxReplicas > autoscaler.Spec.MinReplicas);
        Assert.All(autoscaler.Spec.Behavior.ScaleDown.Policies, p => Assert.Equal(("Pods", 1), (p.Type, p.Value)));
        Assert.Equal("1", Assert.Single(render.All<V1PodDisruptionBudget>()).Spec.MaxUnavailable.Value);
        var rolling = render.Node.Spec.Strategy.RollingUpdate;
        Assert.Equal(("1", "0"), (rolling.MaxSurge.Value, rolling.MaxUnavailable.Value));
        // Bounded memory per node: at most one batch per core it may use.
        Assert.True(options.Node.MaxBatchesInFlight >= 1);
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Every_container_has_requests_and_limits(string overlay)
    {
        var render = KustomizeRender.Of(overlay);
        foreach (var (workload, template) in render.PodTemplates)
            foreach (var c in template.Spec.Containers)
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    Assert.True(c.Resources?.Requests?.ContainsKey(resource) == true, $"{workload}/{c.Name}: no {resource} request");
                    Assert.True(c.Resources?.Limits?.ContainsKey(resource) == true, $"{workload}/{c.Name}: no {resource} limit");
                    Assert.True(c.Resources.Limits[resource].ToDecimal() >= c.Resources.Requests[resource].ToDecimal(), $"{workload}/{c.Name}: {resource} limit below its request");
                }
    }

    [Theory, MemberData(nameof(Overlays))]
    public void Nodes_share_one_read_write_many_data_volume_at_the_data_directory(string overlay)
    {
        var render = KustomizeRender.Of(overlay);
        var options = NodeOptions(render);
        var pod = render.Node.Spec.Template.Spec;
        var mount = Assert.Single(render.NodeContainer.VolumeMounts, m => m.MountPath == options.FullDataDirectory);
        var claim = pod.Volumes.Single(v => v.Name == mount.Name).PersistentVolumeClaim.ClaimName;
        Assert.Equal(["ReadWriteMany"], render.Single<V1PersistentVolumeClaim>(claim).Spec.AccessModes);
        Assert.All(options.DataRoots, r => Assert.StartsWith(options.FullDataDirectory, r));
        Assert.True(pod.SecurityContext.RunAsNonRoot);
    }

    [Fact]
    public void Dev_runs_PostgreSQL_the_nodes_connect_to()
    {
        var render = KustomizeRender.Of("dev");
        var options = NodeOptions(render);
        Assert.Equal(JournalProvider.PostgreSql, options.ClusterOptions().Journal);
        var db = new DbConnectionStringBuilder { ConnectionString = options.Journal.ConnectionString };
        var service = render.Single<V1Service>((string)db["Host"]);
        var postgres = Assert.Single(render.All<V1StatefulSet>());
        Assert.True(Selects(service.Spec.Selector, postgres.Spec.Template.Metadata.Labels), $"service {db["Host"]} does not select the PostgreSQL pods");
        Assert.Contains(service.Spec.Ports, p => p.Port.ToString() == (string)db["Port"]);
        Assert.NotEmpty(postgres.Spec.VolumeClaimTemplates);
        var container = Assert.Single(postgres.Spec.Template.Spec.Containers);
        var secretName = Assert.Single(container.EnvFrom, e => e.SecretRef is not null).SecretRef.Name;
        Assert.Equal(SecretValue(render, secretName, "POSTGRES_DB"), db["Database"]);
        Assert.Equal(SecretValue(render, secretName, "POSTGRES_USER"), db["Username"]);
        Assert.Equal(SecretValue(render, secretName, "POSTGRES_PASSWORD"), db["Password"]);
    }

    [Fact]
    public void Prod_brings_no_secret_and_no_database()
    {
        var render = KustomizeRender.Of("prod");
        Assert.Empty(render.All<V1Secret>());
        Assert.Empty(render.All<V1StatefulSet>());
        Assert.Equal(JournalProvider.PostgreSql, NodeOptions(render).ClusterOptions().Journal);
    }

    /// <summary>Route patterns of the endpoints a node maps (the app is built, not started).</summary>
    internal static HashSet<string> MappedPaths()
    {
        var root = Directory.CreateTempSubdirectory("xcsct-routes-").FullName;
        try
        {
            var options = new ServeOptions { DataDirectory = root, DataRoots = [root] };
            var app = ServeHost.Build(options);
            try
            {
                return ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
                    .Select(e => "/" + e.RoutePattern.RawText?.TrimStart('/')).ToHashSet();
            }
            finally
            {
                app.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    internal static Dictionary<string, string> ParseSelector(string selector) =>
        selector.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(term =>
        {
            var kv = term.Split('=', 2);
            return kv.Length == 2 && !kv[0].EndsWith('!') ? (kv[0].Trim(), kv[1].Trim()) : throw new Xunit.Sdk.XunitException($"selector term {term}: expected key=value");
        }).ToDictionary(kv => kv.Item1, kv => kv.Item2);

    internal static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    [GeneratedRegex(@"kubectl(?: -n \S+)? create secret generic (?<name>[a-z0-9-]+)(?<rest>[^\n]*)")]
    private static partial Regex CreateSecret();

    [GeneratedRegex(@"--from-literal=(?<key>[A-Za-z0-9_]+)=(?<value>'[^']*'|""[^""]*""|\S+)")]
    private static partial Regex FromLiteral();
}
