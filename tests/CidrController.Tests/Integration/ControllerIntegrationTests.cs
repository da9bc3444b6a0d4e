using CidrController.ApiEmulator;

using static CidrController.Tests.Integration.InProcessController;

namespace CidrController.Tests.Integration;

/// <summary>The controller in this process against the emulator over HTTP: what an operator would see on the nodes.</summary>
public sealed class ControllerIntegrationTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;

    public async Task InitializeAsync() => _api = await KubeApiEmulator.StartAsync(new EmulatorOptions { BookmarkInterval = TimeSpan.FromSeconds(1), BearerToken = "integration-test-token" });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private string[] Cidrs(string node) => PodCidrs(_api.GetNode(node));

    private async Task WaitForCidrs(params string[] nodes) =>
        await Eventually.TrueAsync(() => nodes.All(n => Cidrs(n).Length > 0), $"nodes {string.Join(",", nodes)} never got podCIDRs");

    private IEnumerable<string> EventReasons(string node) =>
        _api.Events.Where(e => (e["involvedObject"]?["name"] ?? e["regarding"]?["name"])?.GetValue<string>() == node)
            .Select(e => e["reason"]!.GetValue<string>());

    [Fact]
    public async Task Nodes_get_consecutive_blocks_and_the_service_range_is_never_handed_out()
    {
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16", serviceRanges: "10.1.0.0/22"));
        _api.CreateNode("n1");
        await WaitForCidrs("n1");
        _api.CreateNode("n2");
        await WaitForCidrs("n2");

        Assert.Equal(["10.1.4.0/24"], Cidrs("n1"));
        Assert.Equal(["10.1.5.0/24"], Cidrs("n2"));
        Assert.Equal("10.1.4.0/24", _api.GetNode("n1")!["spec"]!["podCIDR"]!.GetValue<string>());
        var patch = _api.Requests.First(r => r.Method == "PATCH" && r.PathAndQuery.StartsWith("/api/v1/nodes/n1", StringComparison.Ordinal));
        Assert.Equal("""{"spec":{"podCIDR":"10.1.4.0/24","podCIDRs":["10.1.4.0/24"]}}""", patch.Body);
        Assert.Equal(4, await controller.MetricAsync("cidr_controller_cidrset_excluded_cidrs", "clusterCIDR=\"10.1.0.0/16\""));
        Assert.Equal(2, await controller.MetricAsync("node_ipam_controller_cidrset_allocated_cidrs", "clusterCIDR=\"10.1.0.0/16\""));
    }

    [Fact]
    public async Task Dual_stack_nodes_get_one_block_per_family_in_flag_order()
    {
        await using var controller = await StartAsync(Options(_api, "fd00:1::/48,10.1.0.0/16"));
        _api.CreateNode("n1");

        await WaitForCidrs("n1");

        Assert.Equal(["fd00:1::/64", "10.1.0.0/24"], Cidrs("n1"));
    }

    [Fact]
    public async Task A_familys_ranges_are_used_in_flag_order_the_next_when_the_earlier_is_full()
    {
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/24,fd00:1::/48,10.7.0.0/24", v4Mask: 25));
        var handedOut = new string[4][];
        for (var i = 0; i < 4; i++)
        {
            _api.CreateNode($"n{i}");
            await WaitForCidrs($"n{i}");
            handedOut[i] = Cidrs($"n{i}");
        }

        Assert.Equal(["10.1.0.0/25", "fd00:1::/64"], handedOut[0]);
        Assert.Equal(["10.1.0.128/25", "fd00:1:0:1::/64"], handedOut[1]);
        Assert.Equal(["10.7.0.0/25"], handedOut[2][..1]);
        Assert.Equal(["10.7.0.128/25"], handedOut[3][..1]);
        _api.CreateNode("n4");
        await Eventually.TrueAsync(() => EventReasons("n4").Contains("CIDRNotAvailable"), "both IPv4 ranges are full, yet no CIDRNotAvailable");
    }

    [Fact]
    public async Task Existing_podcidrs_are_adopted_before_any_allocation_and_bad_ones_reported_without_stopping()
    {
        _api.CreateNode("old-1", ["10.1.0.0/24"]);
        _api.CreateNode("old-2", ["10.1.2.7/24"]);
        _api.CreateNode("outside", ["192.168.9.0/24"]);
        _api.CreateNode("overlap", ["10.1.0.0/23"]);
        for (var i = 0; i < 3; i++)
        {
            _api.CreateNode($"new-{i}");
        }

        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16"));
        await WaitForCidrs("new-0", "new-1", "new-2");

        var handedOut = new[] { "new-0", "new-1", "new-2" }.SelectMany(Cidrs).Order().ToArray();
        Assert.Equal(["10.1.3.0/24", "10.1.4.0/24", "10.1.5.0/24"], handedOut);
        await Eventually.TrueAsync(() => EventReasons("outside").Contains("PodCIDROutOfRange"), "no PodCIDROutOfRange event");
        await Eventually.TrueAsync(() => EventReasons("overlap").Contains("PodCIDROverlap"), "no PodCIDROverlap event");
        Assert.Equal(["192.168.9.0/24"], Cidrs("outside"));
        Assert.Empty(EventReasons("old-2"));
    }

    [Fact]
    public async Task Exhaustion_emits_one_event_and_a_released_block_goes_to_the_waiting_node()
    {
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/24", v4Mask: 25));
        _api.CreateNode("a");
        _api.CreateNode("b");
        await WaitForCidrs("a", "b");
        _api.CreateNode("c");
        await Eventually.TrueAsync(() => EventReasons("c").Contains("CIDRNotAvailable"), "no CIDRNotAvailable event");
        Assert.Equal(1.0, await controller.MetricAsync("cidr_controller_nodes_waiting_for_cidr"));
        var freed = Cidrs("a")[0];

        _api.DeleteNode("a");

        await WaitForCidrs("c");
        Assert.Equal([freed], Cidrs("c"));
        Assert.Single(EventReasons("c"), "CIDRNotAvailable");
    }

    [Fact]
    public async Task A_node_with_a_finalizer_keeps_its_block_until_the_object_is_gone()
    {
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/24", v4Mask: 25));
        _api.CreateNode("held", finalizers: ["example.com/hold"]);
        _api.CreateNode("other");
        await WaitForCidrs("held", "other");
        var block = Cidrs("held")[0];

        _api.DeleteNode("held");
        _api.CreateNode("waiting");
        await Eventually.TrueAsync(() => EventReasons("waiting").Contains("CIDRNotAvailable"), "the deleting node's block was handed out");
        Assert.Empty(Cidrs("waiting"));

        _api.RemoveFinalizers("held");
        await WaitForCidrs("waiting");
        Assert.Equal([block], Cidrs("waiting"));
    }

    [Theory]
    [InlineData(500, null, "10.1.0.0/24")]
    [InlineData(429, 1, "10.1.0.0/24")]
    [InlineData(409, null, "10.1.2.0/24")] // a conflict releases the proposal; the cursor has moved past it, as upstream's
    public async Task Patch_errors_are_retried_until_the_node_has_its_block(int status, int? retryAfter, string expected)
    {
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16"));
        _api.Faults.FailRequests("PATCH", "/api/v1/nodes/", status, count: 2, retryAfterSeconds: retryAfter);
        _api.CreateNode("n1");

        await WaitForCidrs("n1");
        // The emulator applies a patch before it records the request: the node can show the block a moment earlier.
        await Eventually.TrueAsync(() => _api.Requests.Any(r => r.Method == "PATCH" && r.PathAndQuery.StartsWith("/api/v1/nodes/n1", StringComparison.Ordinal) && r.StatusCode == 200),
            "the patch that landed is not recorded");

        Assert.Equal([expected], Cidrs("n1"));
        Assert.Equal(3, _api.Requests.Count(r => r.Method == "PATCH" && r.PathAndQuery.StartsWith("/api/v1/nodes/n1", StringComparison.Ordinal)));
        Assert.Equal(1, await controller.MetricAsync("node_ipam_controller_cidrset_allocated_cidrs"));
    }

    [Fact]
    public async Task A_patch_that_timed_out_after_landing_is_neither_leaked_nor_handed_out_twice()
    {
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16"));
        _api.Faults.HangAfterWrite("PATCH", "/api/v1/nodes/n1");
        _api.CreateNode("n1");
        await WaitForCidrs("n1");
        _api.CreateNode("n2");
        await WaitForCidrs("n2");

        Assert.Equal(["10.1.0.0/24"], Cidrs("n1"));
        Assert.Equal(["10.1.1.0/24"], Cidrs("n2"));
        await Eventually.TrueAsync(async () => await controller.MetricAsync("node_ipam_controller_cidrset_allocated_cidrs") == 2, "in-use count is not 2");
    }

    [Fact]
    public async Task Dropped_watches_and_a_forced_410_are_healed_by_relisting_and_deletions_during_the_gap_free_blocks()
    {
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/24", v4Mask: 25));
        _api.CreateNode("a");
        _api.CreateNode("b");
        await WaitForCidrs("a", "b");

        _api.Faults.ExpireNextWatch();
        _api.CompactWatchHistory();
        _api.Faults.DropWatches();
        _api.DeleteNode("a");
        _api.CreateNode("c");

        await WaitForCidrs("c");
        Assert.Equal(2, await controller.MetricAsync("node_ipam_controller_cidrset_allocated_cidrs"));
        Assert.Contains(controller.Logs, l => l.Contains("relisting", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Readiness_is_false_while_nodes_cannot_be_listed_and_recovers_without_a_restart()
    {
        var forbidden = _api.Faults.FailRequests("GET", "/api/v1/nodes", 403);
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16"));
        await Eventually.TrueAsync(() => controller.Logs.Any(l => l.Contains("RBAC", StringComparison.Ordinal)), "no log line naming the missing permission");
        Assert.StartsWith("503", await controller.GetAsync("readyz"), StringComparison.Ordinal);
        Assert.StartsWith("200", await controller.GetAsync("healthz"), StringComparison.Ordinal);

        forbidden.Dispose();
        await controller.WaitReadyAsync();
        _api.CreateNode("n1");
        await WaitForCidrs("n1");
    }
}
