using CidrController.Allocation;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Nodes;
using CidrController.Kubernetes.Reconcile;

using Microsoft.Extensions.Logging.Abstractions;

namespace CidrController.Tests.Reconcile;

/// <summary>
/// Bugs the chaos run's reasoning found: each a sequence of outcomes that gave one block to two nodes, leaked
/// one, or let a node wait for ever. Tiny pools make a wrongly freed block come straight back.
/// </summary>
public sealed class LedgerRaceTests
{
    private readonly FakeNodeApi _api = new();
    private readonly RecordingEventSink _events = new();
    private readonly ObservedNodeStore _store = new();
    private NodeCidrLedger _ledger = null!;
    private NodeReconciler _reconciler = null!;

    private void Configure(string clusterCidr, int mask)
    {
        _ledger = new NodeCidrLedger(new CidrAllocator([new RangeSpec(IpBlock.Parse(clusterCidr), mask)], []));
        _reconciler = new NodeReconciler(_ledger, _store, _api, _events, new ControllerMetrics(), NullLogger<NodeReconciler>.Instance);
    }

    private Task<ReconcileResult> Reconcile(string name) => _reconciler.ReconcileAsync(name, 0, CancellationToken.None);

    private void Observe(string name, params string[] podCidrs) => _store.Set(_api.Add(name, podCidrs));

    private string[] Cidrs(string name) => [.. _api.Get(name)!.PodCidrs.Select(c => c.ToString())];

    [Fact]
    public async Task A_rejected_retry_of_a_held_proposal_gives_the_blocks_back_once_and_never_to_two_nodes()
    {
        // Was: the 409 released the held blocks but left the hold in place; the next attempt patched them onto
        // "a" anyway, unoccupied, and the cursor handed the same block to "c".
        Configure("10.1.0.0/24", 25);
        Observe("a");
        _api.ScriptNext(PatchStatus.Failed, statusCode: 500);
        _api.ScriptNext(PatchStatus.Rejected, statusCode: 409);
        await Reconcile("a");
        await Reconcile("a");
        await Reconcile("a");
        Observe("b");
        await Reconcile("b");
        Observe("c");

        var c = await Reconcile("c");

        Assert.Equal(ReconcileAction.WaitForRelease, c.Action);
        Assert.Empty(Cidrs("c"));
        Assert.NotEqual(Cidrs("a"), Cidrs("b"));
    }

    [Fact]
    public async Task A_held_proposal_for_a_node_that_vanished_is_released_once_when_the_deletion_is_seen()
    {
        // Was: 404 released the held blocks, the hold stayed, and the DELETED event released them a second
        // time — by then they were another node's. Now the hold stays until the deletion is seen.
        Configure("10.1.0.0/24", 25);
        Observe("a");
        _api.ScriptNext(PatchStatus.Failed, statusCode: 500);
        await Reconcile("a");
        _api.Remove("a");
        await Reconcile("a"); // gone from the server, still in the store: the watch has not said so yet
        Observe("b");
        await Reconcile("b");
        Observe("c");
        var early = await Reconcile("c");
        _store.Remove("a");
        await Reconcile("a");
        var c = await Reconcile("c");
        Observe("d");

        var d = await Reconcile("d");

        Assert.Equal(ReconcileAction.WaitForRelease, early.Action);
        Assert.Equal(ReconcileAction.Done, c.Action);
        Assert.Equal(ReconcileAction.WaitForRelease, d.Action);
        Assert.NotEqual(Cidrs("b"), Cidrs("c"));
    }

    [Fact]
    public async Task A_retried_patch_never_lands_on_a_new_node_with_the_same_name()
    {
        // Was: a patch with an unknown outcome landed on "a", was retried by name after "a" had been deleted
        // and recreated (the watch not yet caught up), and put the same block on the new "a" too — while a
        // node created meanwhile as a copy of the old "a"'s CIDR still had it.
        Configure("10.1.0.0/24", 25);
        Observe("a");
        _api.ScriptNext(PatchStatus.Unknown, applyFirst: true);
        _api.FailNextRead();
        await Reconcile("a");
        _api.Put(new ObservedNode("a", "uid-a-second-life", [], Deleting: false)); // store still has the first life

        var retry = await Reconcile("a");

        Assert.Equal(ReconcileAction.Retry, retry.Action);
        Assert.Empty(Cidrs("a"));
    }

    [Fact]
    public async Task A_node_recreated_under_the_same_name_gets_the_block_its_previous_life_held()
    {
        // Was: the old uid's blocks stayed held until the new node got a block — which, in a full pool, it
        // waited for for ever.
        Configure("10.1.0.0/24", 24);
        Observe("a");
        await Reconcile("a");
        _store.Set(_api.Put(new ObservedNode("a", "uid-a-second-life", [], Deleting: false)));

        var result = await Reconcile("a");

        Assert.Equal(ReconcileAction.Done, result.Action);
        Assert.Equal(["10.1.0.0/24"], Cidrs("a"));
    }

    [Fact]
    public async Task A_garbled_answer_to_a_patch_is_an_unknown_outcome_not_a_leak()
    {
        // Was: the JsonException escaped the reconciler with the proposal neither held nor released: once
        // the node was gone its block was never freed.
        Configure("10.1.0.0/24", 24);
        Observe("a");
        _api.ScriptThrow(new System.Text.Json.JsonException("truncated"), applyFirst: true);

        await Reconcile("a");
        _api.Remove("a");
        _store.Remove("a");
        await Reconcile("a");
        Observe("b");
        var b = await Reconcile("b");

        Assert.Equal(ReconcileAction.Done, b.Action);
        Assert.Equal(["10.1.0.0/24"], Cidrs("b"));
    }

    [Fact]
    public async Task Podcidrs_seen_by_the_watch_are_occupied_at_once_not_when_a_worker_gets_to_the_node()
    {
        // Was: adoption waited for a worker, and workers take nodes in any order. "copy" (created with x's
        // block) and x's deletion arrived in that order, but x's worker ran first and freed the block while
        // "copy" still used it, and the waiting node got it.
        Configure("10.1.0.0/24", 24);
        Observe("x", "10.1.0.0/24");
        _reconciler.Adopt(_store.Get("x")!);
        Observe("waiting");
        await Reconcile("waiting");

        Observe("copy", "10.1.0.0/24");
        _reconciler.Observed("copy");
        _store.Remove("x");
        _reconciler.Observed("x");
        await Reconcile("x");
        var waiting = await Reconcile("waiting");

        Assert.Equal(ReconcileAction.WaitForRelease, waiting.Action);
        Assert.Empty(Cidrs("waiting"));
    }
}
