using System.Text.Json;

using CidrController.Allocation;
using CidrController.Kubernetes.Pools;
using CidrController.Kubernetes.Reconcile;

namespace CidrController.Tests.Pools;

/// <summary>Choosing the pool a node's blocks come from, and keeping pools from overlapping.</summary>
public sealed class PoolCatalogTests
{
    private static readonly Dictionary<string, string> Gpu = new() { ["pool"] = "gpu" };
    private static readonly Dictionary<string, string> Plain = new() { ["pool"] = "cpu" };

    private static PoolCatalog Catalog(string clusterCidr = "10.0.0.0/16", string? service = null) =>
        new(new CidrAllocator([new RangeSpec(IpBlock.Parse(clusterCidr), 24)], service is null ? [] : [IpBlock.Parse(service)]), service is null ? [] : [IpBlock.Parse(service)]);

    private static ClusterCidrPool Pool(string name, string ipv4, int hostBits = 8, bool gpuOnly = true, string uid = "")
    {
        var selector = gpuOnly ? ""","nodeSelector":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"pool","operator":"In","values":["gpu"]}]}]}""" : "";
        var json = $$$"""{"metadata":{"name":"{{{name}}}","uid":"{{{(uid.Length == 0 ? "uid-" + name : uid)}}}"},"spec":{"perNodeHostBits":{{{hostBits}}},"ipv4":"{{{ipv4}}}"{{{selector}}}}}""";
        Assert.True(ClusterCidrPool.TryParse(JsonDocument.Parse(json).RootElement, out var pool, out var problem), problem);
        return pool;
    }

    private static string Take(PoolCatalog catalog, IReadOnlyDictionary<string, string> labels)
    {
        var (result, pool) = catalog.Propose(labels, "node");
        return result.Success ? $"{pool.Name} {result.Blocks[0].Block}" : $"none ({pool.Name} full)";
    }

    [Fact]
    public void Selected_nodes_use_their_pool_others_the_default_and_a_full_pool_falls_back_to_the_default()
    {
        var catalog = Catalog();
        var pending = catalog.Upsert(Pool("gpu", "10.9.0.0/23")).Pending!;
        Assert.Equal("default 10.0.0.0/24", Take(catalog, Gpu)); // accepted, not admitted yet: hands out nothing
        new NodeCidrLedger(catalog).Admit(pending);

        Assert.Equal("gpu 10.9.0.0/24", Take(catalog, Gpu));
        Assert.Equal("default 10.0.1.0/24", Take(catalog, Plain));
        Assert.Equal("gpu 10.9.1.0/24", Take(catalog, Gpu));
        Assert.Equal("default 10.0.2.0/24", Take(catalog, Gpu));
    }

    [Fact]
    public void A_pool_overlapping_the_flags_ranges_or_another_pool_is_refused()
    {
        var catalog = Catalog();
        Assert.Null(catalog.Upsert(Pool("a", "10.9.0.0/16")).Refusal);

        Assert.Equal("10.0.128.0/17 overlaps 10.0.0.0/16 of pool default", catalog.Upsert(Pool("b", "10.0.128.0/17")).Refusal);
        Assert.Equal("10.9.4.0/24 overlaps 10.9.0.0/16 of pool a", catalog.Upsert(Pool("c", "10.9.4.0/24")).Refusal);
        Assert.Equal(["default", "a"], catalog.Entries.Select(e => e.Name));
    }

    [Fact]
    public void A_pool_being_deleted_takes_no_new_nodes_and_blocks_are_found_in_their_pool()
    {
        var catalog = Catalog();
        new NodeCidrLedger(catalog).Admit(catalog.Upsert(Pool("gpu", "10.9.0.0/16")).Pending!);
        Assert.Equal("gpu 10.9.0.0/24", Take(catalog, Gpu));

        catalog.Upsert(Pool("gpu", "10.9.0.0/16") with { Deleting = true });

        Assert.Equal("default 10.0.0.0/24", Take(catalog, Gpu));
        Assert.Equal("gpu", catalog.PoolOf(IpBlock.Parse("10.9.0.0/24"))!.Name);
        Assert.Equal("default", catalog.PoolOf(IpBlock.Parse("10.0.7.0/24"))!.Name);
        Assert.Null(catalog.PoolOf(IpBlock.Parse("192.168.0.0/24")));
    }

    [Fact]
    public void The_service_range_is_excluded_in_pools_too()
    {
        var catalog = Catalog(service: "10.9.0.0/24");
        new NodeCidrLedger(catalog).Admit(catalog.Upsert(Pool("gpu", "10.9.0.0/22")).Pending!);

        Assert.Equal("gpu 10.9.1.0/24", Take(catalog, Gpu));
    }
}
