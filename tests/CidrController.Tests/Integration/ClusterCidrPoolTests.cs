using System.Text.Json.Nodes;

using CidrController.ApiEmulator;
using CidrController.Kubernetes.Configuration;

using static CidrController.Tests.Integration.InProcessController;

namespace CidrController.Tests.Integration;

/// <summary>ClusterCIDR pools end to end: chosen by labels, added and deleted while running, invalid ones ignored.</summary>
public sealed class ClusterCidrPoolTests : IAsyncLifetime
{
    private const string Finalizer = "networking.x-k8s.io/cluster-cidr-finalizer";
    private static readonly Dictionary<string, string> GpuLabels = new() { ["pool"] = "gpu" };
    private KubeApiEmulator _api = null!;

    public async Task InitializeAsync() => _api = await KubeApiEmulator.StartAsync(new EmulatorOptions { BearerToken = "pool-test-token" });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private ControllerOptions PoolOptions(string clusterCidrs = "10.1.0.0/16", int v4Mask = 24) =>
        Options(_api, clusterCidrs, v4Mask: v4Mask) with { PoolSyncInterval = TimeSpan.FromMilliseconds(200) };

    private static JsonObject GpuSelector() => JsonNode.Parse(
        """{"nodeSelectorTerms":[{"matchExpressions":[{"key":"pool","operator":"In","values":["gpu"]}]}]}""")!.AsObject();

    private string[] Cidrs(string node) => PodCidrs(_api.GetNode(node));

    private string[] Finalizers(string pool) =>
        _api.GetClusterCidr(pool)?["metadata"]?["finalizers"]?.AsArray().Select(f => f!.GetValue<string>()).ToArray() ?? [];

    /// <summary>ClusterCIDR lists the controller has made: one per pool pass.</summary>
    private int PoolPasses() =>
        _api.Requests.Count(r => r.Method == "GET" && r.StatusCode == 200 && r.PathAndQuery.Contains("/clustercidrs", StringComparison.Ordinal));

    /// <summary>Waits until the controller has completed <paramref name="passes"/> more pool passes (a list, then its writes).</summary>
    private async Task PoolPassesAsync(int passes)
    {
        var target = PoolPasses() + passes + 1; // +1: the pass in flight when counting began may have listed before the change
        await Eventually.TrueAsync(() => PoolPasses() >= target, $"fewer than {passes} pool passes");
    }

    private IEnumerable<string> EventReasons(string kind, string name) =>
        _api.Events.Where(e => e["involvedObject"]?["kind"]?.GetValue<string>() == kind && e["involvedObject"]?["name"]?.GetValue<string>() == name)
            .Select(e => e["reason"]!.GetValue<string>());

    [Fact]
    public async Task A_pool_created_while_running_is_seen_through_its_watch_not_the_periodic_pass()
    {
        // The periodic pass is an hour away: only the watch can make the pool usable before this test times out.
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16") with { PoolSyncInterval = TimeSpan.FromHours(1) });
        await controller.WaitReadyAsync();

        _api.CreateClusterCidr("gpu", perNodeHostBits: 6, ipv4: "10.9.0.0/16", nodeSelector: GpuSelector());
        // The finalizer is written while the pass runs, before the pool hands out blocks (that comes at the pass's
        // end, and is logged): a node created in between would rightly get a block of the default range.
        await Eventually.TrueAsync(() => Finalizers("gpu").Contains(Finalizer) && controller.Logs.Any(l => l.Contains("ClusterCIDR pool gpu in use", StringComparison.Ordinal)),
            "the new pool was not seen", TimeSpan.FromSeconds(10));
        _api.CreateNode("gpu-1", labels: GpuLabels);

        await Eventually.TrueAsync(() => Cidrs("gpu-1").Length > 0, "gpu-1 never got a podCIDR");
        Assert.Equal(["10.9.0.0/26"], Cidrs("gpu-1"));
    }

    [Fact]
    public async Task Labelled_nodes_take_their_pools_blocks_others_the_flags_ranges_and_the_pool_gets_the_finalizer()
    {
        _api.CreateClusterCidr("gpu", perNodeHostBits: 6, ipv4: "10.9.0.0/16", nodeSelector: GpuSelector());
        _api.CreateNode("gpu-1", labels: GpuLabels);
        _api.CreateNode("cpu-1");
        await using var controller = await StartAsync(PoolOptions());

        await Eventually.TrueAsync(() => Cidrs("gpu-1").Length > 0 && Cidrs("cpu-1").Length > 0, "nodes never got podCIDRs");

        Assert.Equal(["10.9.0.0/26"], Cidrs("gpu-1"));
        Assert.Equal(["10.1.0.0/24"], Cidrs("cpu-1"));
        await Eventually.TrueAsync(() => Finalizers("gpu").Contains(Finalizer), "the pool never got the finalizer");
        Assert.Equal(1, await controller.MetricAsync("node_ipam_controller_cidrset_allocated_cidrs", "clusterCIDR=\"10.9.0.0/16\""));
        Assert.Equal(1023, await controller.MetricAsync("cidr_controller_pool_free_cidrs", "pool=\"gpu\""));
    }

    [Fact]
    public async Task A_pool_created_while_running_takes_the_node_waiting_for_a_block()
    {
        await using var controller = await StartAsync(PoolOptions("10.1.0.0/24", v4Mask: 24));
        _api.CreateNode("first");
        await Eventually.TrueAsync(() => Cidrs("first").Length > 0, "first node not allocated");
        _api.CreateNode("gpu-1", labels: GpuLabels);
        await Eventually.TrueAsync(() => EventReasons("Node", "gpu-1").Contains("CIDRNotAvailable"), "the default pool was not full");

        _api.CreateClusterCidr("gpu", perNodeHostBits: 8, ipv4: "10.9.0.0/16", nodeSelector: GpuSelector());

        await Eventually.TrueAsync(() => Cidrs("gpu-1").Length > 0, "the new pool was not used without a restart");
        Assert.Equal(["10.9.0.0/24"], Cidrs("gpu-1"));
    }

    [Fact]
    public async Task A_pool_being_deleted_takes_no_new_nodes_and_goes_when_its_last_node_is_gone()
    {
        _api.CreateClusterCidr("gpu", perNodeHostBits: 8, ipv4: "10.9.0.0/16", nodeSelector: GpuSelector());
        _api.CreateNode("gpu-1", labels: GpuLabels);
        await using var controller = await StartAsync(PoolOptions());
        await Eventually.TrueAsync(() => Cidrs("gpu-1").Length > 0 && Finalizers("gpu").Length > 0, "setup");

        _api.DeleteClusterCidr("gpu");
        await PoolPassesAsync(3); // the finalizer must hold while gpu-1 uses the pool
        Assert.NotNull(_api.GetClusterCidr("gpu"));
        _api.CreateNode("gpu-2", labels: GpuLabels);
        await Eventually.TrueAsync(() => Cidrs("gpu-2").Length > 0, "gpu-2 not allocated");
        Assert.Equal(["10.1.0.0/24"], Cidrs("gpu-2"));

        _api.DeleteNode("gpu-1");
        await Eventually.TrueAsync(() => _api.GetClusterCidr("gpu") is null, "the unused, deleting pool was never let go");
    }

    [Fact]
    public async Task A_restart_keeps_the_finalizer_of_a_deleting_pool_whose_node_still_holds_its_blocks()
    {
        _api.CreateClusterCidr("gpu", perNodeHostBits: 8, ipv4: "10.9.0.0/16", nodeSelector: GpuSelector());
        _api.CreateNode("gpu-1", labels: GpuLabels);
        await using (var before = await StartAsync(PoolOptions()))
        {
            await Eventually.TrueAsync(() => Cidrs("gpu-1").Length > 0 && Finalizers("gpu").Length > 0, "setup");
        }

        _api.DeleteClusterCidr("gpu");

        // The restarted controller reads the pools before it has occupied the nodes' blocks: the pool looks
        // unused then, but gpu-1 still holds 10.9.0.0/24 (found by the chaos test: pools gone under live nodes).
        await using var after = await StartAsync(PoolOptions());
        _api.CreateNode("n1");
        await Eventually.TrueAsync(() => Cidrs("n1").Length > 0, "n1 not allocated after the restart");
        await PoolPassesAsync(3);
        Assert.NotNull(_api.GetClusterCidr("gpu"));
        Assert.Equal(1, await after.MetricAsync("node_ipam_controller_cidrset_allocated_cidrs", "clusterCIDR=\"10.9.0.0/16\""));

        _api.DeleteNode("gpu-1");
        await Eventually.TrueAsync(() => _api.GetClusterCidr("gpu") is null, "the unused, deleting pool was never let go");
    }

    [Fact]
    public async Task A_restart_keeps_the_pool_in_use_and_refuses_the_one_created_later_over_it_whatever_their_names()
    {
        _api.CreateClusterCidr("zz-first", perNodeHostBits: 8, ipv4: "10.9.0.0/16", nodeSelector: GpuSelector());
        _api.CreateNode("gpu-1", labels: GpuLabels);
        await using (var before = await StartAsync(PoolOptions()))
        {
            await Eventually.TrueAsync(() => Cidrs("gpu-1").Length > 0 && Finalizers("zz-first").Length > 0, "setup");
            _api.CreateClusterCidr("aa-later", perNodeHostBits: 8, ipv4: "10.9.0.0/17", nodeSelector: GpuSelector());
            await Eventually.TrueAsync(() => EventReasons("ClusterCIDR", "aa-later").Contains("InvalidClusterCIDR"), "the later, overlapping pool was not refused");
        }

        // The list comes in name order; the pool refused before must still be the refused one after a restart,
        // or zz-first (with gpu-1 on it) is ignored and aa-later hands out gpu-1's addresses.
        await using var after = await StartAsync(PoolOptions());
        _api.CreateNode("gpu-2", labels: GpuLabels);
        await Eventually.TrueAsync(() => Cidrs("gpu-2").Length > 0, "gpu-2 not allocated after the restart");
        Assert.Equal(["10.9.1.0/24"], Cidrs("gpu-2"));
        Assert.Equal(2, await after.MetricAsync("node_ipam_controller_cidrset_allocated_cidrs", "clusterCIDR=\"10.9.0.0/16\""));
        Assert.Empty(Finalizers("aa-later"));
    }

    [Fact]
    public async Task Invalid_and_overlapping_pools_are_reported_once_and_ignored()
    {
        _api.CreateClusterCidr("tiny", perNodeHostBits: 2, ipv4: "10.8.0.0/16");
        _api.CreateClusterCidr("clash", perNodeHostBits: 8, ipv4: "10.1.128.0/17");
        _api.CreateNode("n1");
        await using var controller = await StartAsync(PoolOptions());

        await Eventually.TrueAsync(() => EventReasons("ClusterCIDR", "tiny").Contains("InvalidClusterCIDR") && EventReasons("ClusterCIDR", "clash").Contains("InvalidClusterCIDR"), "invalid pools not reported");
        await Eventually.TrueAsync(() => Cidrs("n1").Length > 0, "n1 not allocated");
        await PoolPassesAsync(3); // a report repeated per pass would show by now

        Assert.Equal(["10.1.0.0/24"], Cidrs("n1"));
        Assert.Single(EventReasons("ClusterCIDR", "tiny"));
        Assert.Contains(controller.Logs, l => l.Contains("10.1.128.0/17 overlaps 10.1.0.0/16 of pool default", StringComparison.Ordinal));
        Assert.Empty(Finalizers("tiny"));
    }

    [Fact]
    public async Task Restarting_with_a_changed_cluster_cidr_keeps_existing_nodes_and_reports_the_ones_outside()
    {
        await using (var before = await StartAsync(PoolOptions("10.1.0.0/16")))
        {
            _api.CreateNode("old");
            await Eventually.TrueAsync(() => Cidrs("old").Length > 0, "old not allocated");
        }

        await using var after = await StartAsync(PoolOptions("10.2.0.0/16"));
        _api.CreateNode("new");
        await Eventually.TrueAsync(() => Cidrs("new").Length > 0, "new not allocated after the change");

        Assert.Equal(["10.1.0.0/24"], Cidrs("old"));
        Assert.Equal(["10.2.0.0/24"], Cidrs("new"));
        await Eventually.TrueAsync(() => EventReasons("Node", "old").Contains("PodCIDROutOfRange"), "the node outside every range was not reported");
    }

    [Fact]
    public async Task A_pool_created_while_running_never_hands_out_addresses_nodes_already_hold_in_it()
    {
        _api.CreateNode("squatter", ["10.9.0.0/24"]);
        await using var controller = await StartAsync(PoolOptions());
        await Eventually.TrueAsync(() => _api.Events.Any(e => e["reason"]?.GetValue<string>() == "PodCIDROutOfRange"), "squatter not reported out of range");

        _api.CreateClusterCidr("gpu", perNodeHostBits: 8, ipv4: "10.9.0.0/16", nodeSelector: GpuSelector());
        await Eventually.TrueAsync(() => controller.Logs.Any(l => l.Contains("ClusterCIDR pool gpu in use", StringComparison.Ordinal)), "pool not accepted");
        _api.CreateNode("gpu-1", labels: GpuLabels);
        await Eventually.TrueAsync(() => Cidrs("gpu-1").Length > 0, "gpu-1 not allocated");

        Assert.Equal(["10.9.1.0/24"], Cidrs("gpu-1"));
        Assert.Equal(2, await controller.MetricAsync("node_ipam_controller_cidrset_allocated_cidrs", "clusterCIDR=\"10.9.0.0/16\""));
    }
}
