using System.Text.Json;

using CidrController.Allocation;
using CidrController.Kubernetes.Nodes;
using CidrController.Kubernetes.Pools;
using CidrController.Kubernetes.Quarantine;
using CidrController.Kubernetes.Reconcile;
using CidrController.Tests.Reconcile;

namespace CidrController.Tests.Pools;

/// <summary>A pool accepted while nodes already hold addresses in it hands out nothing until the ledger admits it.</summary>
public sealed class PoolAdmissionTests
{
    private static readonly IReadOnlyDictionary<string, string> Anyone = new Dictionary<string, string>();

    private static ClusterCidrPool Pool(string name, string ipv4)
    {
        var json = $$$"""{"metadata":{"name":"{{{name}}}","uid":"uid-{{{name}}}"},"spec":{"perNodeHostBits":8,"ipv4":"{{{ipv4}}}"}}""";
        Assert.True(ClusterCidrPool.TryParse(JsonDocument.Parse(json).RootElement, out var pool, out var problem), problem);
        return pool;
    }

    [Fact]
    public void Admission_occupies_what_nodes_already_hold_in_the_new_pool_before_it_hands_out_anything()
    {
        var catalog = new PoolCatalog(new CidrAllocator([new RangeSpec(IpBlock.Parse("10.1.0.0/16"), 24)], []), []);
        var ledger = new NodeCidrLedger(catalog);
        var report = ledger.Adopt("squatter", "uid-s", [PodCidr.Parse("10.9.0.0/24")]);
        Assert.Equal(CidrProblemKind.OutOfRange, Assert.Single(report.Problems).Kind);

        var pending = catalog.Upsert(Pool("everyone", "10.9.0.0/16")).Pending!;
        Assert.Equal("default", catalog.Propose(Anyone, "n").Pool.Name); // pending: not a candidate

        Assert.Equal(1, ledger.Admit(pending));
        Assert.Equal(["10.9.0.0/24"], ledger.HeldBy("squatter").Select(b => b.ToString()));
        var (result, pool) = catalog.Propose(Anyone, "n");
        Assert.Equal(("everyone", "10.9.1.0/24"), (pool.Name, result.Blocks[0].Block.ToString()));
        Assert.Empty(catalog.Pending);
    }

    [Fact]
    public void A_pool_recreated_under_its_name_before_admission_is_not_opened_by_the_old_token()
    {
        var catalog = new PoolCatalog(new CidrAllocator([new RangeSpec(IpBlock.Parse("10.1.0.0/16"), 24)], []), []);
        var stale = catalog.Upsert(Pool("p", "10.9.0.0/16")).Pending!;
        var fresh = catalog.Upsert(Pool("p", "10.9.0.0/16") with { Uid = "uid-p-2" }).Pending!;

        new NodeCidrLedger(catalog).Admit(stale);
        Assert.Equal(["p"], catalog.Pending.Select(p => p.Name));

        new NodeCidrLedger(catalog).Admit(fresh);
        Assert.Empty(catalog.Pending);
    }

    /// <summary>
    /// A pool can go while nodes still hold its blocks (deleted before it carried the finalizer, or replaced by an
    /// object of the same name): the nodes keep them, and a later pool over the same range must not hand them out.
    /// </summary>
    [Theory]
    [InlineData("another name")]
    [InlineData("same name, another uid")]
    public void A_pool_over_the_range_of_one_gone_while_nodes_hold_its_blocks_does_not_hand_them_out(string successor)
    {
        var catalog = new PoolCatalog(new CidrAllocator([new RangeSpec(IpBlock.Parse("10.1.0.0/16"), 24)], []), []);
        var ledger = new NodeCidrLedger(catalog);
        ledger.Admit(catalog.Upsert(Pool("pool-11", "10.9.0.0/22")).Pending!);
        var held = ledger.Propose("holder", "uid-h").Blocks.Select(b => b.Block).ToArray();
        ledger.Commit("holder", "uid-h", held);
        var inFlight = ledger.Propose("proposed", "uid-p").Blocks.Select(b => b.Block).ToArray();
        ledger.HoldTentatively("proposed", "uid-p", inFlight);
        Assert.Equal(["10.9.0.0/24", "10.9.1.0/24"], held.Concat(inFlight).Select(b => b.ToString()));

        var next = successor == "another name"
            ? Pool("pool-20", "10.9.0.0/22")
            : Pool("pool-11", "10.9.0.0/22") with { Uid = "uid-pool-11-2" };
        if (successor == "another name")
        {
            Assert.True(catalog.Remove("pool-11"));
        }

        ledger.Admit(catalog.Upsert(next).Pending!);

        var (result, pool) = catalog.Propose(Anyone, "newcomer");
        Assert.Equal((next.Name, "10.9.2.0/24"), (pool.Name, result.Blocks[0].Block.ToString()));
        Assert.Equal(3, pool.Allocator.Ranges.Sum(r => (int)r.GetStatistics().InUse));
    }

    [Fact]
    public void A_pool_over_the_range_of_one_gone_does_not_hand_out_blocks_still_waiting_out_the_reuse_delay()
    {
        var catalog = new PoolCatalog(new CidrAllocator([new RangeSpec(IpBlock.Parse("10.1.0.0/16"), 24)], []), []);
        var ledger = new NodeCidrLedger(catalog, new ReuseQuarantine(TimeSpan.FromMinutes(5), new ManualClock()));
        ledger.Admit(catalog.Upsert(Pool("pool-11", "10.9.0.0/22")).Pending!);
        var held = ledger.Propose("gone", "uid-g").Blocks.Select(b => b.Block).ToArray();
        ledger.Commit("gone", "uid-g", held);
        ledger.Forget("gone"); // its block waits out the reuse delay

        Assert.True(catalog.Remove("pool-11"));
        ledger.Admit(catalog.Upsert(Pool("pool-20", "10.9.0.0/22")).Pending!);

        var (result, pool) = catalog.Propose(Anyone, "newcomer");
        Assert.Equal(("pool-20", "10.9.1.0/24"), (pool.Name, result.Blocks[0].Block.ToString()));
    }
}
