using CidrController.Allocation;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Nodes;
using CidrController.Kubernetes.Reconcile;

using Microsoft.Extensions.Logging.Abstractions;

namespace CidrController.Tests.Reconcile;

/// <summary>The reconcile decisions, driven through a scripted Node API (no HTTP).</summary>
public sealed class NodeReconcilerTests
{
    private readonly FakeNodeApi _api = new();
    private readonly RecordingEventSink _events = new();
    private readonly ObservedNodeStore _store = new();
    private readonly ControllerMetrics _metrics = new();
    private NodeCidrLedger _ledger = null!;
    private NodeReconciler _reconciler = null!;

    private void Configure(string clusterCidrs, int v4Mask = 24, int v6Mask = 64, string? serviceRange = null)
    {
        var ranges = clusterCidrs.Split(',').Select(IpBlock.Parse).Select(b => new RangeSpec(b, b.Family == IpFamily.IPv4 ? v4Mask : v6Mask));
        var service = serviceRange is null ? [] : new[] { IpBlock.Parse(serviceRange) };
        _ledger = new NodeCidrLedger(new CidrAllocator(ranges, service));
        _reconciler = new NodeReconciler(_ledger, _store, _api, _events, _metrics, NullLogger<NodeReconciler>.Instance);
    }

    private Task<ReconcileResult> Reconcile(string name, int failures = 0) => _reconciler.ReconcileAsync(name, failures, CancellationToken.None);

    private void Observe(string name, params string[] podCidrs) => _store.Set(_api.Add(name, podCidrs));

    private void ObserveFromApi(string name) => _store.Set(_api.Get(name)!);

    [Fact]
    public async Task New_node_gets_the_first_block_via_upstreams_patch()
    {
        Configure("10.1.0.0/16");
        Observe("a");

        var result = await Reconcile("a");

        Assert.Equal(ReconcileAction.Done, result.Action);
        Assert.Equal([("a", "10.1.0.0/24")], _api.Patches);
        Assert.Equal(["10.1.0.0/24"], _api.Get("a")!.PodCidrs.Select(c => c.ToString()));
        Assert.True(_ledger.Holds("a", "uid-a"));
    }

    [Fact]
    public async Task Dual_stack_node_gets_one_block_per_family_in_flag_order()
    {
        Configure("fd00:1::/48,10.1.0.0/16");
        Observe("a");

        await Reconcile("a");

        Assert.Equal(["fd00:1::/64", "10.1.0.0/24"], _api.Get("a")!.PodCidrs.Select(c => c.ToString()));
    }

    [Fact]
    public async Task Existing_podcidr_is_adopted_without_a_patch_and_never_handed_out_again()
    {
        Configure("10.1.0.0/16");
        Observe("old", "10.1.0.0/24");
        Observe("new");

        await Reconcile("old");
        await Reconcile("new");

        Assert.Equal([("new", "10.1.1.0/24")], _api.Patches);
    }

    [Fact]
    public async Task Host_bits_in_an_existing_podcidr_take_the_enclosing_block()
    {
        Configure("10.244.0.0/16");
        Observe("odd", "10.244.0.1/24");
        Observe("new");

        await Reconcile("odd");
        await Reconcile("new");

        Assert.Empty(_events.Events);
        Assert.Equal([("new", "10.244.1.0/24")], _api.Patches);
    }

    [Theory]
    [InlineData("not-a-cidr", "InvalidPodCIDR")]
    [InlineData("10.1.0.0", "InvalidPodCIDR")]
    [InlineData("192.168.0.0/24", "PodCIDROutOfRange")]
    [InlineData("fd00::/64", "PodCIDROutOfRange")]
    [InlineData("10.1.0.0/16", "PodCIDROversized")]
    [InlineData("10.1.4.0/22", "PodCIDROversized")]
    public async Task Bad_existing_podcidr_is_reported_and_kept(string podCidr, string reason)
    {
        Configure("10.1.0.0/16");
        Observe("bad", podCidr);

        var result = await Reconcile("bad");

        Assert.Equal(ReconcileAction.Done, result.Action);
        var warning = Assert.Single(_events.Events);
        Assert.Equal(("bad", "Warning", reason), (warning.Node, warning.Type, warning.Reason));
        Assert.Contains(podCidr, warning.Message, StringComparison.Ordinal);
        Assert.Empty(_api.Patches);
    }

    [Fact]
    public async Task Overlapping_podcidrs_are_reported_and_the_block_stays_taken_until_both_nodes_are_gone()
    {
        Configure("10.1.0.0/16");
        Observe("a", "10.1.0.0/24");
        Observe("b", "10.1.0.0/23");
        await Reconcile("a");
        await Reconcile("b");
        Assert.Equal(1, _events.Count("PodCIDROverlap"));

        _api.Remove("a");
        _store.Remove("a");
        await Reconcile("a");
        Observe("c");
        await Reconcile("c");

        // b's /23 still covers 10.1.0.0/24 and 10.1.1.0/24: c must get neither.
        Assert.Equal([("c", "10.1.2.0/24")], _api.Patches);
    }

    [Fact]
    public async Task Rejected_patch_releases_the_proposal_and_adopts_what_the_node_has()
    {
        Configure("10.1.0.0/16");
        Observe("a");
        // Someone else set the node's podCIDR after we observed it.
        _api.Add("a", "10.1.7.0/24");

        var result = await Reconcile("a");
        Observe("b");
        await Reconcile("b");

        Assert.Equal(ReconcileAction.Done, result.Action);
        Assert.Equal(["10.1.7.0/24"], _store.Get("a")!.PodCidrs.Select(c => c.ToString()));
        Assert.Equal(["10.1.7.0/24"], _ledger.HeldBy("a").Select(b => b.ToString()));
        // The proposal 10.1.0.0/24 went back (occupy does not move the cursor, so b gets the next one).
        Assert.Equal(("b", "10.1.1.0/24"), _api.Patches[^1]);
        Assert.Equal((UInt128)2, _ledger.Allocator.Ranges[0].GetStatistics().InUse);
    }

    [Fact]
    public async Task Timed_out_patch_that_landed_is_committed_not_leaked_or_doubled()
    {
        Configure("10.1.0.0/16");
        Observe("a");
        _api.ScriptNext(PatchStatus.Unknown, applyFirst: true);

        var result = await Reconcile("a");

        Assert.Equal(ReconcileAction.Done, result.Action);
        Assert.Equal(["10.1.0.0/24"], _ledger.HeldBy("a").Select(b => b.ToString()));
        Assert.Equal((UInt128)1, _ledger.Allocator.Ranges[0].GetStatistics().InUse);
    }

    [Fact]
    public async Task Failed_patch_keeps_the_blocks_for_that_node_and_retries_the_same_patch()
    {
        Configure("10.1.0.0/16");
        Observe("a");
        Observe("b");
        _api.ScriptNext(PatchStatus.Unknown);

        var first = await Reconcile("a");
        await Reconcile("b");
        var second = await Reconcile("a", failures: 1);

        Assert.Equal(ReconcileAction.Retry, first.Action);
        Assert.Equal(ReconcileAction.Done, second.Action);
        Assert.Equal([("a", "10.1.0.0/24"), ("b", "10.1.1.0/24"), ("a", "10.1.0.0/24")], _api.Patches);
        Assert.Equal((UInt128)2, _ledger.Allocator.Ranges[0].GetStatistics().InUse);
    }

    [Fact]
    public async Task Repeated_api_failures_raise_one_CIDRAssignmentFailed_event_and_honour_retry_after()
    {
        Configure("10.1.0.0/16");
        Observe("a");
        ReconcileResult last = default;
        for (var failures = 0; failures < NodeReconciler.FailuresBeforeEvent + 2; failures++)
        {
            _api.ScriptNext(PatchStatus.Failed, statusCode: 429, retryAfter: TimeSpan.FromSeconds(3));
            last = await Reconcile("a", failures);
        }

        Assert.Equal(new ReconcileResult(ReconcileAction.Retry, TimeSpan.FromSeconds(3)), last);
        Assert.Equal(1, _events.Count("CIDRAssignmentFailed"));
        Assert.All(_api.Patches, p => Assert.Equal("10.1.0.0/24", p.Cidrs));
        Assert.Equal((UInt128)1, _ledger.Allocator.Ranges[0].GetStatistics().InUse);
    }

    [Fact]
    public async Task Exhaustion_waits_then_a_deleted_nodes_block_goes_to_the_waiting_node()
    {
        Configure("10.1.0.0/24", v4Mask: 25);
        Observe("a");
        Observe("b");
        Observe("c");
        var freed = 0;
        _reconciler.BlocksFreed += () => freed++;
        await Reconcile("a");
        await Reconcile("b");

        var waiting = await Reconcile("c");
        Assert.Equal(ReconcileAction.WaitForRelease, waiting.Action);
        Assert.Equal(1, _events.Count("CIDRNotAvailable"));
        Assert.Equal(["c"], _reconciler.WaitingNodes);

        _api.Remove("a");
        _store.Remove("a");
        await Reconcile("a");
        Assert.Equal(1, freed);
        var retried = await Reconcile("c");

        Assert.Equal(ReconcileAction.Done, retried.Action);
        Assert.Equal(["10.1.0.0/25"], _api.Get("c")!.PodCidrs.Select(c => c.ToString()));
        Assert.Empty(_reconciler.WaitingNodes);
    }

    [Fact]
    public async Task Dual_stack_exhaustion_of_the_second_family_releases_the_first()
    {
        Configure("10.1.0.0/16,fd00::/127", v6Mask: 127);
        Observe("a");
        Observe("b");
        await Reconcile("a");

        var result = await Reconcile("b");

        Assert.Equal(ReconcileAction.WaitForRelease, result.Action);
        Assert.Equal((UInt128)1, _ledger.Allocator.Ranges[0].GetStatistics().InUse);
    }

    [Fact]
    public async Task Node_being_deleted_keeps_its_block_until_it_is_gone_and_gets_none_if_it_had_none()
    {
        Configure("10.1.0.0/16");
        Observe("a");
        await Reconcile("a");
        _store.Set(_api.Get("a")! with { Deleting = true });
        _store.Set(new ObservedNode("doomed", "uid-doomed", [], Deleting: true));

        await Reconcile("a");
        await Reconcile("doomed");

        Assert.Equal((UInt128)1, _ledger.Allocator.Ranges[0].GetStatistics().InUse);
        Assert.DoesNotContain(_api.Patches, p => p.Node == "doomed");

        _store.Remove("a");
        await Reconcile("a");
        Assert.Equal((UInt128)0, _ledger.Allocator.Ranges[0].GetStatistics().InUse);
    }

    [Fact]
    public async Task Node_recreated_under_the_same_name_releases_the_old_block()
    {
        Configure("10.1.0.0/16");
        Observe("a");
        await Reconcile("a");
        ObserveFromApi("a");
        await Reconcile("a");

        // Deleted and recreated during a watch gap: same name, new uid, no podCIDR yet.
        _store.Set(_api.Put(new ObservedNode("a", "uid-a-2", [], Deleting: false)));
        await Reconcile("a");

        Assert.Equal((UInt128)1, _ledger.Allocator.Ranges[0].GetStatistics().InUse);
        Assert.Equal(("a", "10.1.1.0/24"), _api.Patches[^1]);
    }
}
