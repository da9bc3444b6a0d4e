using System.Net;

using CidrController.TestHarness;

using k8s;
using k8s.Models;

namespace CidrController.RealApiTests.Rbac;

/// <summary>
/// The chart's RBAC, proven on a real server: its ServiceAccount, ClusterRole, Roles and bindings applied as
/// rendered, a token for the ServiceAccount from the TokenRequest API, and the controller run with only that
/// token and the Deployment's own arguments. Then one rule removed at a time: the controller must say what is
/// missing (a Warning or Error line naming the refusal) instead of idling; without list/watch on nodes it can do
/// nothing at all, and /readyz says so too; nor, with a reuse delay, without its quarantine's ConfigMap. (Without
/// patch on nodes or create on events it logs the refusal but stays ready today.)
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
    public async Task With_a_reuse_delay_and_without_its_configmap_rules_it_logs_the_refusal_and_is_not_ready()
    {
        await using var controller = await AssertLogsRefusalAsync("rbac-noconfigmap", objects =>
            {
                var own = objects.OfType<V1Role>().Single(r => r.Metadata.Name.EndsWith("-leader-election", StringComparison.Ordinal));
                own.Rules = [.. own.Rules.Where(rule => !rule.Resources.Contains("configmaps"))];
            },
            "--set", "cidrReuseDelay=1h");
        await RealCluster.EventuallyAsync(async () => controller.HasExited || !await IsReadyAsync(controller), "/readyz stayed ok though the quarantine cannot be read", controller);
    }

    [ChartRbacFact]
    public async Task Without_patch_on_nodes_it_logs_the_refusal() =>
        await (await AssertLogsRefusalAsync("rbac-nopatch", objects =>
            RemoveVerb(ControllerClusterRole(objects), "nodes", "patch"))).DisposeAsync();

    [ChartRbacFact]
    public async Task Without_list_and_watch_on_nodes_it_logs_the_refusal_and_is_not_ready()
    {
        await using var controller = await AssertLogsRefusalAsync("rbac-nolist", objects =>
        {
            RemoveVerb(ControllerClusterRole(objects), "nodes", "list");
            RemoveVerb(ControllerClusterRole(objects), "nodes", "watch");
        });
        await RealCluster.EventuallyAsync(async () => controller.HasExited || !await IsReadyAsync(controller), "/readyz stayed ok though nodes cannot be listed", controller);
    }

    [ChartRbacFact]
    public async Task Without_create_on_events_it_logs_the_refusal() =>
        await (await AssertLogsRefusalAsync("rbac-noevents", objects =>
            RemoveVerb(objects.OfType<V1Role>().Single(r => r.Metadata.Name.EndsWith("-events", StringComparison.Ordinal)), "events", "create"))).DisposeAsync();

    [ChartRbacFact]
    public async Task Without_its_lease_rules_it_logs_the_refusal() =>
        await (await AssertLogsRefusalAsync("rbac-nolease", objects =>
            objects.RemoveAll(o => o is V1Role r && r.Metadata.Name.EndsWith("-leader-election", StringComparison.Ordinal)))).DisposeAsync();

    /// <summary>Runs the controller with one rule gone and waits for a Warning/Error line about the refusal; returns the still running controller.</summary>
    private async Task<ControllerProcess> AssertLogsRefusalAsync(string releaseName, Action<List<object>> removeRule, params string[] values)
    {
        await _cluster.ResetNodesAsync();
        var release = await InstallRbacAsync(releaseName, removeRule, values);
        await _cluster.CreateNodeAsync($"{releaseName}-node");
        await _cluster.CreateNodeAsync($"{releaseName}-outside", ["192.168.0.0/24"]);

        var controller = StartAsServiceAccount(release);
        try
        {
            await RealCluster.EventuallyAsync(
                () => Task.FromResult(controller.HasExited || HasLoudForbiddenLine(controller.Output)),
                "the controller did not report the missing permission (no Warning/Error line about the refusal)", controller);
            Assert.True(HasLoudForbiddenLine(controller.Output), controller.Output);
            return controller;
        }
        catch
        {
            await controller.DisposeAsync();
            throw;
        }
    }

    private static bool HasLoudForbiddenLine(string output) =>
        output.Split('\n').Any(line => (line.Contains("WRN", StringComparison.Ordinal) || line.Contains("ERR", StringComparison.Ordinal)
            || line.Contains("Warning", StringComparison.Ordinal) || line.Contains("Error", StringComparison.Ordinal))
            && line.Contains("orbidden", StringComparison.Ordinal));

    private static async Task<bool> IsReadyAsync(ControllerProcess controller)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(new Uri(controller.HealthAddress, "readyz"));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private sealed record InstalledRelease(string Name, string Token, IReadOnlyList<string> Args);

    /// <summary>Renders the chart as release <paramref name="name"/> (with <paramref name="values"/>), applies its RBAC objects (after <paramref name="edit"/>), returns the SA token and the Deployment's args.</summary>
    private async Task<InstalledRelease> InstallRbacAsync(string name, Action<List<object>> edit, params string[] values)
    {
        var yaml = await HelmChart.TemplateAsync(name, Namespace, ["--set", "clusterCIDRs={10.210.0.0/16}", "--kube-version", "1.26.4", .. values]);
        var objects = KubernetesYaml.LoadAllFromString(yaml).ToList();
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
        return new InstalledRelease(name, token, args);
    }

    private ControllerProcess StartAsServiceAccount(InstalledRelease release) =>
        _cluster.StartController([$"--kubeconfig={_cluster.WriteKubeconfig(release.Token)}", .. release.Args]);

    /// <summary>The controller's own ClusterRole (the chart also renders one for /metrics scrapers).</summary>
    private static V1ClusterRole ControllerClusterRole(List<object> objects) =>
        objects.OfType<V1ClusterRole>().Single(role => role.Rules.Any(rule => rule.Resources?.Contains("nodes") == true));

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
