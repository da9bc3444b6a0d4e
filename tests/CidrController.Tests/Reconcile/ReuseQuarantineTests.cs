using CidrController.Allocation;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Nodes;
using CidrController.Kubernetes.Pools;
using CidrController.Kubernetes.Quarantine;
using CidrController.Kubernetes.Reconcile;

using Microsoft.Extensions.Logging.Abstractions;

namespace CidrController.Tests.Reconcile;

/// <summary>--cidr-reuse-delay: a gone node's block waits out its quarantine before another node gets it.</summary>
public sealed class ReuseQuarantineTests
{
    private readonly FakeNodeApi _api = new();
    private readonly RecordingEventSink _events = new();
    private readonly ObservedNodeStore _store = new();
    private readonly ManualClock _clock = new();
    private readonly RecordingQuarantineJournal _journal = new();
    private readonly NodeCidrLedger _ledger;
    private readonly NodeReconciler _reconciler;

    public ReuseQuarantineTests()
    {
        var allocator = new CidrAllocator([new RangeSpec(IpBlock.Parse("10.1.0.0/24"), 25)], []);
        _ledger = new NodeCidrLedger(new PoolCatalog(allocator, []), new ReuseQuarantine(TimeSpan.FromMinutes(5), _clock, _journal));
        _reconciler = new NodeReconciler(_ledger, _store, _api, _events, new ControllerMetrics(), NullLogger<NodeReconciler>.Instance);
    }

    private async Task<ReconcileResult> Reconcile(string name) => await _reconciler.ReconcileAsync(name, 0, CancellationToken.None);

    private async Task Create(string name)
    {
        _store.Set(_api.Add(name));
        await Reconcile(name);
    }

    private async Task Delete(string name)
    {
        _api.Remove(name);
        _store.Remove(name);
        await Reconcile(name);
    }

    [Fact]
    public async Task A_released_block_is_reused_only_after_the_delay_and_the_waiting_node_is_told_when()
    {
        await Create("a");
        await Create("b");
        await Delete("a");
        _store.Set(_api.Add("c"));

        var waiting = await Reconcile("c");
        Assert.Equal(ReconcileAction.WaitForRelease, waiting.Action);
        Assert.InRange(waiting.RetryAfter, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, _ledger.Quarantine.Count);
        var (node, record) = Assert.Single(_journal.Recorded);
        Assert.Equal("a", node);
        Assert.Equal(["10.1.0.0/25"], record.Blocks.Select(b => b.ToString()));
        Assert.Equal(_clock.Now + TimeSpan.FromMinutes(5), record.ReusableAfter);

        _clock.Now += TimeSpan.FromMinutes(4);
        Assert.Equal(ReconcileAction.WaitForRelease, (await Reconcile("c")).Action);

        _clock.Now += TimeSpan.FromMinutes(1);
        Assert.Equal(ReconcileAction.Done, (await Reconcile("c")).Action);
        Assert.Equal(["10.1.0.0/25"], _api.Get("c")!.PodCidrs.Select(c => c.ToString()));
        Assert.Equal(0, _ledger.Quarantine.Count);
    }

    [Fact]
    public async Task Without_a_delay_the_block_is_reusable_at_once_as_upstream()
    {
        var ledger = new NodeCidrLedger(new CidrAllocator([new RangeSpec(IpBlock.Parse("10.1.0.0/24"), 25)], []));
        var reconciler = new NodeReconciler(ledger, _store, _api, _events, new ControllerMetrics(), NullLogger<NodeReconciler>.Instance);
        foreach (var name in new[] { "a", "b" })
        {
            _store.Set(_api.Add(name));
            await reconciler.ReconcileAsync(name, 0, CancellationToken.None);
        }

        _api.Remove("a");
        _store.Remove("a");
        await reconciler.ReconcileAsync("a", 0, CancellationToken.None);
        _store.Set(_api.Add("c"));

        Assert.Equal(ReconcileAction.Done, (await reconciler.ReconcileAsync("c", 0, CancellationToken.None)).Action);
        Assert.Equal(0, ledger.Quarantine.Count);
        Assert.Empty(_journal.Recorded);
    }

    [Fact]
    public void A_rebuilt_quarantine_never_frees_a_block_a_node_holds_again()
    {
        _ledger.Adopt("holder", "uid-holder", [PodCidr.Parse("10.1.0.0/25")]);

        _ledger.RestoreQuarantine([new QuarantineRecord([IpBlock.Parse("10.1.0.0/25"), IpBlock.Parse("10.1.0.128/25")], _clock.Now + TimeSpan.FromMinutes(1))]);
        _clock.Now += TimeSpan.FromMinutes(2);
        _ledger.ReleaseExpired();

        Assert.Equal(0, _ledger.Quarantine.Count);
        Assert.Equal((UInt128)1, _ledger.Allocator.Ranges[0].GetStatistics().InUse);
        Assert.Equal(["10.1.0.0/25"], _ledger.HeldBy("holder").Select(b => b.ToString()));
    }

    [Fact]
    public void A_block_that_waits_twice_stays_taken_until_the_later_wait_ends()
    {
        // Found by the ledger's model test: the first wait's end freed the block the second wait still held.
        var block = IpBlock.Parse("10.1.0.0/25");
        _ledger.Adopt("a", "uid-a", [PodCidr.Of(block)]);
        _ledger.Forget("a");
        _clock.Now += TimeSpan.FromMinutes(1);
        _ledger.Adopt("copy", "uid-copy", [PodCidr.Of(block)]); // someone created a node with the same podCIDR
        _ledger.Forget("copy");

        _clock.Now += TimeSpan.FromMinutes(4);
        Assert.True(_ledger.ReleaseExpired());
        Assert.Equal((UInt128)1, _ledger.Allocator.Ranges[0].GetStatistics().InUse);

        _clock.Now += TimeSpan.FromMinutes(1);
        Assert.True(_ledger.ReleaseExpired());
        Assert.Equal((UInt128)0, _ledger.Allocator.Ranges[0].GetStatistics().InUse);
    }
}
