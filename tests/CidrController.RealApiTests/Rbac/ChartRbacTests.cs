using System.Net;

using CidrController.TestHarness;

using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CidrController.RealApiTests.Rbac;

/// <summary>
/// The chart's RBAC, proven on a real server: its ServiceAccount, ClusterRole, Roles and bindings applied as
/// rendered, a token for the ServiceAccount from the TokenRequest API, and the controller run with only that
/// token and the Deployment's own arguments. Then one rule removed at a time (nodes list/watch, nodes patch, events
/// create, clustercidrs list/watch, the Lease, with a reuse delay the quarantine's ConfigMap): the controller keeps retrying and shows it — a Warning naming the
/// refusal, the 403 counted per verb and resource, /readyz 503 with the missing permission — and once the rule is
/// put back, without a restart, it allocates and is ready again.
/// </summary>
[Collection(RealControlPlaneCollection.Name)]
public sealed class ChartRbacTests(RealControlPlane controlPlane) : IDisposable
{
    private const string Namespace = "cidr-system";
    private readonly RealCluster _cluster = new(controlPlane);

    public void Dispose() => _cluster.Dispose();

    [ChartRbacFact]
    public async Task With_only_the_charts_rbac_it_allocates_writes_events_and_holds_its_lease()
    {
        await _cluster.ResetNodesAsync();
        var release = await InstallRbacAsync("rbac-full", _ => { });
        await _cluster.CreateNodeAsync("rbac-node");
        await _cluster.CreateNodeAsync("rbac-outside", ["192.168.0.0/24"]);

        await using var controller = StartAsServiceAccount(release);

        Assert.Equal(["10.210.0.0/24"], await _cluster.AllocatedAsync("rbac-node", controller));
        await RealCluster.EventuallyAsync(
            async () => (await _cluster.Admin.CoreV1.ListNamespacedEventAsync("default")).Items
                .Any(e => e.InvolvedObject.Name == "rbac-outside" && e.Reason == "PodCIDROutOfRange"),
            "no PodCIDROutOfRange event written with the chart's RBAC", controller);
        await RealCluster.EventuallyAsync(
            async () => (await _cluster.Admin.ListNamespacedLeaseAsync(Namespace)).Items
                .Any(l => l.Metadata.Name.StartsWith(release.Name, StringComparison.Ordinal) && !string.IsNullOrEmpty(l.Spec.HolderIdentity)),
            "the controller does not hold its Lease", controller);
        Assert.True(await controller.WaitReadyAsync(TimeSpan.FromSeconds(30)), controller.Output);
        Assert.DoesNotContain("orbidden", controller.Output, StringComparison.Ordinal);
    }

    [ChartRbacFact]
    public async Task With_a_reuse_delay_the_charts_rbac_lets_it_keep_its_quarantine_in_its_configmap()
    {
        await _cluster.ResetNodesAsync();
        var release = await InstallRbacAsync("rbac-quarantine", _ => { }, "--set", "cidrReuseDelay=1h");
        await _cluster.CreateNodeAsync("rbac-q-node");

        await using var controller = StartAsServiceAccount(release);
        var block = (await _cluster.AllocatedAsync("rbac-q-node", controller))[0];
        await _cluster.Admin.DeleteNodeAsync("rbac-q-node");

        var configMap = $"{release.Name}-cidr-controller-quarantine";
        await RealCluster.EventuallyAsync(
            async () => (await _cluster.Admin.CoreV1.ListNamespacedConfigMapAsync(Namespace)).Items
                .Any(c => c.Metadata.Name == configMap && c.Data?.TryGetValue("pending.json", out var text) == true && text.Contains(block, StringComparison.Ordinal)),
            $"the released block is not in ConfigMap {Namespace}/{configMap}", controller);
        Assert.True(await controller.WaitReadyAsync(TimeSpan.FromSeconds(30)), controller.Output);
        Assert.DoesNotContain("orbidden", controller.Output, StringComparison.Ordinal);
    }

    [ChartRbacFact]
    public async Task With_a_reuse_delay_and_without_its_configmap_rules_it_retries_visibly_and_allocates_once_the_rules_are_back() =>
        await AssertRetriedVisiblyThenRecoversAsync("rbac-noconfigmap", "get", "configmaps", objects =>
        {
            var own = ControllerRole(objects, "-leader-election");
            own.Rules = [.. own.Rules.Where(rule => !rule.Resources.Contains("configmaps"))];
        },
        values: ["--set", "cidrReuseDelay=1h"]);

    [ChartRbacFact]
    public async Task Without_patch_on_nodes_it_retries_visibly_and_allocates_once_the_rule_is_back() =>
        await AssertRetriedVisiblyThenRecoversAsync("rbac-nopatch", "patch", "nodes", objects =>
            RemoveVerb(ControllerClusterRole(objects), "nodes", "patch"));

    [ChartRbacFact]
    public async Task Without_list_and_watch_on_nodes_it_retries_visibly_and_allocates_once_the_rule_is_back() =>
        await AssertRetriedVisiblyThenRecoversAsync("rbac-nolist", "list", "nodes", objects =>
        {
            RemoveVerb(ControllerClusterRole(objects), "nodes", "list");
            RemoveVerb(ControllerClusterRole(objects), "nodes", "watch");
        });

    [ChartRbacFact]
    public async Task Without_create_on_events_it_retries_visibly_and_writes_events_once_the_rule_is_back() =>
        await AssertRetriedVisiblyThenRecoversAsync("rbac-noevents", "create", "events", objects =>
            RemoveVerb(ControllerRole(objects, "-events"), "events", "create"),
            async controller =>
            {
                // Nothing writes the dropped event again: a new problem must be reported now that it may.
                await _cluster.CreateNodeAsync("rbac-noevents-outside-2", ["192.168.1.0/24"]);
                await RealCluster.EventuallyAsync(
                    async () => (await _cluster.Admin.CoreV1.ListNamespacedEventAsync("default")).Items.Any(e => e.InvolvedObject.Name == "rbac-noevents-outside-2"),
                    "no event written once events may be created again", controller);
            });

    [ChartRbacFact]
    public async Task Without_list_and_watch_on_clustercidrs_it_retries_visibly_and_reads_pools_once_the_rule_is_back() =>
        await AssertRetriedVisiblyThenRecoversAsync("rbac-nopools", "list", "clustercidrs", objects =>
        {
            RemoveVerb(ControllerClusterRole(objects), "clustercidrs", "list");
            RemoveVerb(ControllerClusterRole(objects), "clustercidrs", "watch");
        });

    [ChartRbacFact]
    public async Task Without_its_lease_rules_it_retries_visibly_and_leads_once_the_rules_are_back() =>
        await AssertRetriedVisiblyThenRecoversAsync("rbac-nolease", "get", "leases", objects =>
            objects.Remove(ControllerRole(objects, "-leader-election")));

    /// <summary>
    /// Runs the controller with one rule gone: it must stay up and show the refusal it is retrying — a Warning naming
    /// it, <c>cidr_controller_api_errors_total{verb,resource,code="403"}</c>, /readyz 503 with the missing permission,
    /// no Error line — and, once the rule is restored, allocate (and do <paramref name="afterRestore"/>) and be ready.
    /// </summary>
    private async Task AssertRetriedVisiblyThenRecoversAsync(string releaseName, string verb, string resource, Action<List<object>> removeRule,
        Func<ControllerProcess, Task>? afterRestore = null, string[]? values = null)
    {
        await _cluster.ResetNodesAsync();
        var release = await InstallRbacAsync(releaseName, removeRule, values ?? []);
        await _cluster.CreateNodeAsync($"{releaseName}-node");
        await _cluster.CreateNodeAsync($"{releaseName}-outside", ["192.168.0.0/24"]);

        await using var controller = StartAsServiceAccount(release);
        var refusal = $"may not {verb} {resource}";
        await RealCluster.EventuallyAsync(
            async () => HasLoudForbiddenLine(controller.Output)
                && await ForbiddenCountAsync(controller, verb, resource) > 0
                && await ReadyzAsync(controller) is (503, var body) && body.Contains(refusal, StringComparison.Ordinal),
            $"no Warning, 403 count and /readyz reason for the missing permission to {verb} {resource}", controller);
        Assert.DoesNotContain(controller.Output.Split('\n'), line => line.Contains(" ERR ", StringComparison.Ordinal));

        await RestoreRbacAsync(release);
        await _cluster.AllocatedAsync($"{releaseName}-node", controller);
        if (afterRestore is not null)
        {
            await afterRestore(controller);
        }

        await RealCluster.EventuallyAsync(async () => await ReadyzAsync(controller) is (200, _), "/readyz not ok once the rule is back", controller);
        Assert.False(controller.HasExited, controller.Output);
    }

    private static async Task<double> ForbiddenCountAsync(ControllerProcess controller, string verb, string resource) =>
        PrometheusText.Value(await controller.GetAsync("metrics"), "cidr_controller_api_errors_total", $"verb=\"{verb}\",resource=\"{resource}\",code=\"403\"") ?? 0;

    private static async Task<(int Status, string Body)> ReadyzAsync(ControllerProcess controller)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(new Uri(controller.HealthAddress, "readyz"));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException)
        {
            return (0, "");
        }
    }

    private static bool HasLoudForbiddenLine(string output) =>
        output.Split('\n').Any(line => (line.Contains("WRN", StringComparison.Ordinal) || line.Contains("ERR", StringComparison.Ordinal)
            || line.Contains("Warning", StringComparison.Ordinal) || line.Contains("Error", StringComparison.Ordinal))
            && line.Contains("orbidden", StringComparison.Ordinal));

    private sealed record InstalledRelease(string Name, string Token, IReadOnlyList<string> Args, string[] Values);

    /// <summary>Renders the chart as release <paramref name="name"/> (with <paramref name="values"/>), applies its RBAC objects (after <paramref name="edit"/>), returns the SA token and the Deployment's args.</summary>
    private async Task<InstalledRelease> InstallRbacAsync(string name, Action<List<object>> edit, params string[] values)
    {
        var objects = await RenderAsync(name, values);
        edit(objects);
        if ((await _cluster.Admin.ListNamespaceAsync()).Items.All(n => n.Metadata.Name != Namespace))
        {
            await _cluster.Admin.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        }

        foreach (var o in objects)
        {
            switch (o)
            {
                case V1ServiceAccount sa:
                    await _cluster.Admin.CreateNamespacedServiceAccountAsync(sa, Namespace);
                    break;
                case V1ClusterRole role:
                    await _cluster.Admin.CreateClusterRoleAsync(role);
                    break;
                case V1ClusterRoleBinding binding:
                    await _cluster.Admin.CreateClusterRoleBindingAsync(binding);
                    break;
                case V1Role role:
                    await _cluster.Admin.CreateNamespacedRoleAsync(role, role.Metadata.NamespaceProperty);
                    break;
                case V1RoleBinding binding:
                    await _cluster.Admin.CreateNamespacedRoleBindingAsync(binding, binding.Metadata.NamespaceProperty);
                    break;
            }
        }

        var serviceAccount = objects.OfType<V1ServiceAccount>().Single().Metadata.Name;
        var token = await controlPlane.CreateServiceAccountTokenAsync(Namespace, serviceAccount);
        var container = objects.OfType<V1Deployment>().Single().Spec.Template.Spec.Containers.Single();
        var args = container.Args.Where(a => !a.StartsWith("--metrics-bind-address", StringComparison.Ordinal)).ToList();
        return new InstalledRelease(name, token, args, values);
    }

    private static async Task<List<object>> RenderAsync(string name, string[] values) =>
        [.. KubernetesYaml.LoadAllFromString(await HelmChart.TemplateAsync(name, Namespace, ["--set", "clusterCIDRs={10.210.0.0/16}", "--kube-version", "1.26.4", .. values]))];

    /// <summary>Puts the release's roles back as the chart renders them (an operator fixing RBAC; no restart).</summary>
    private async Task RestoreRbacAsync(InstalledRelease release)
    {
        foreach (var o in await RenderAsync(release.Name, release.Values))
        {
            switch (o)
            {
                case V1ClusterRole role:
                    role.Metadata.ResourceVersion = (await _cluster.Admin.ReadClusterRoleAsync(role.Metadata.Name)).Metadata.ResourceVersion;
                    await _cluster.Admin.ReplaceClusterRoleAsync(role, role.Metadata.Name);
                    break;
                case V1Role role:
                    var ns = role.Metadata.NamespaceProperty;
                    try
                    {
                        await _cluster.Admin.CreateNamespacedRoleAsync(role, ns);
                    }
                    catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
                    {
                        role.Metadata.ResourceVersion = (await _cluster.Admin.ReadNamespacedRoleAsync(role.Metadata.Name, ns)).Metadata.ResourceVersion;
                        await _cluster.Admin.ReplaceNamespacedRoleAsync(role, role.Metadata.Name, ns);
                    }

                    break;
            }
        }
    }

    private ControllerProcess StartAsServiceAccount(InstalledRelease release) =>
        _cluster.StartController([$"--kubeconfig={_cluster.WriteKubeconfig(release.Token)}", .. release.Args]);

    /// <summary>The controller's own ClusterRole (the chart also renders one for /metrics scrapers).</summary>
    private static V1ClusterRole ControllerClusterRole(List<object> objects) =>
        objects.OfType<V1ClusterRole>().Single(role => role.Rules.Any(rule => rule.Resources?.Contains("nodes") == true));

    /// <summary>One of the chart's namespaced Roles, by the suffix of its name ("-leader-election", "-events").</summary>
    private static V1Role ControllerRole(List<object> objects, string suffix) =>
        objects.OfType<V1Role>().Single(role => role.Metadata.Name.EndsWith(suffix, StringComparison.Ordinal));

    private static void RemoveVerb(V1ClusterRole role, string resource, string verb) => RemoveVerb(role.Rules, resource, verb);

    private static void RemoveVerb(V1Role role, string resource, string verb) => RemoveVerb(role.Rules, resource, verb);

    private static void RemoveVerb(IList<V1PolicyRule> rules, string resource, string verb)
    {
        foreach (var rule in rules.Where(r => r.Resources.Contains(resource)))
        {
            rule.Verbs = [.. rule.Verbs.Where(v => v != verb)];
        }
    }
}
