using System.Text.Json;

using CidrController.Kubernetes.Pools;

namespace CidrController.Tests.Pools;

/// <summary>ClusterCIDR parsing, validation and node-ipam-controller's precedence, case by case.</summary>
public sealed class PoolPrecedenceTests
{
    private static ClusterCidrPool Pool(string name, string spec, string metadata = "")
    {
        var json = $$"""{"apiVersion":"networking.x-k8s.io/v1","kind":"ClusterCIDR","metadata":{"name":"{{name}}","uid":"uid-{{name}}"{{metadata}}},"spec":{{spec}}}""";
        Assert.True(ClusterCidrPool.TryParse(JsonDocument.Parse(json).RootElement, out var pool, out var problem), problem);
        return pool;
    }

    private static string Problem(string spec)
    {
        var json = $$"""{"metadata":{"name":"bad"},"spec":{{spec}}}""";
        Assert.False(ClusterCidrPool.TryParse(JsonDocument.Parse(json).RootElement, out _, out var problem));
        return problem;
    }

    private static string Selector(params string[] expressions) =>
        $$"""{"nodeSelectorTerms":[{"matchExpressions":[{{string.Join(",", expressions)}}]}]}""";

    private static string In(string key, params string[] values) =>
        $$"""{"key":"{{key}}","operator":"In","values":[{{string.Join(",", values.Select(v => $"\"{v}\""))}}]}""";

    private static readonly Dictionary<string, string> GpuNodeInZoneA = new() { ["pool"] = "gpu", ["zone"] = "a", ["cores"] = "64" };

    private static string[] Ranked(IReadOnlyDictionary<string, string> labels, params ClusterCidrPool[] pools) =>
        PoolPrecedence.Rank(pools, labels, "node-1").Select(p => p.Name).ToArray();

    [Fact]
    public void Dual_stack_pool_carves_each_family_at_address_bits_minus_host_bits()
    {
        var pool = Pool("dual", """{"perNodeHostBits":8,"ipv4":"10.2.0.0/16","ipv6":"fd00:2::/112"}""");

        Assert.Equal(["10.2.0.0/16 at /24", "fd00:2::/112 at /120"], pool.Ranges.Select(r => r.ToString()));
        Assert.Equal((UInt128)256, pool.MaxBlocks);
        Assert.True(pool.Selector.SelectsEverything);
    }

    [Theory]
    [InlineData("""{"perNodeHostBits":3,"ipv4":"10.0.0.0/8"}""", "spec.perNodeHostBits must be an integer of at least 4")]
    [InlineData("""{"ipv4":"10.0.0.0/8"}""", "spec.perNodeHostBits must be an integer of at least 4")]
    [InlineData("""{"perNodeHostBits":8}""", "a CIDR must be specified for ipv4 or ipv6")]
    [InlineData("""{"perNodeHostBits":8,"ipv4":"fd00::/48"}""", "spec.ipv4 must be a valid IPv4 CIDR: fd00::/48 is IPv6")]
    [InlineData("""{"perNodeHostBits":8,"ipv6":"not-a-cidr"}""", "spec.ipv6 must be a valid IPv6 CIDR")]
    [InlineData("""{"perNodeHostBits":8,"ipv4":"10.0.0.0/25"}""", "spec.ipv4 10.0.0.0/25 is smaller than one node block (perNodeHostBits 8 needs a prefix of at most /24)")]
    [InlineData("""{"perNodeHostBits":8,"ipv4":"10.0.0.0/8","nodeSelector":{"nodeSelectorTerms":[]}}""", "nodeSelectorTerms is required and must not be empty")]
    [InlineData("""{"perNodeHostBits":8,"ipv4":"10.0.0.0/8","nodeSelector":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"a","operator":"In","values":[]}]}]}}""", "a: values must be non-empty for operator In")]
    [InlineData("""{"perNodeHostBits":8,"ipv4":"10.0.0.0/8","nodeSelector":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"a","operator":"Near"}]}]}}""", "a: unknown operator Near")]
    [InlineData("""{"perNodeHostBits":8,"ipv4":"10.0.0.0/8","nodeSelector":{"nodeSelectorTerms":[{"matchFields":[{"key":"spec.podCIDR","operator":"In","values":["x"]}]}]}}""", "matchFields supports only metadata.name")]
    public void Invalid_pools_are_refused_with_a_reason(string spec, string expected) =>
        Assert.Contains(expected, Problem(spec), StringComparison.Ordinal);

    [Fact]
    public void P0_the_pool_whose_matching_term_has_more_requirements_wins()
    {
        var broad = Pool("broad", $$"""{"perNodeHostBits":8,"ipv4":"10.1.0.0/24","nodeSelector":{{Selector(In("pool", "gpu"))}}}""");
        var narrow = Pool("narrow", $$"""{"perNodeHostBits":8,"ipv4":"10.2.0.0/16","nodeSelector":{{Selector(In("pool", "gpu"), In("zone", "a"))}}}""");
        var everyone = Pool("everyone", """{"perNodeHostBits":8,"ipv4":"10.3.0.0/24"}""");

        Assert.Equal(["narrow", "broad", "everyone"], Ranked(GpuNodeInZoneA, everyone, broad, narrow));
    }

    [Fact]
    public void P1_then_fewer_blocks_P2_then_smaller_blocks_P4_then_the_lower_cidr()
    {
        var big = Pool("big", """{"perNodeHostBits":8,"ipv4":"10.1.0.0/16"}""");
        var small = Pool("small", """{"perNodeHostBits":8,"ipv4":"10.2.0.0/20"}""");
        var smallWithSmallerBlocks = Pool("small-27", """{"perNodeHostBits":5,"ipv4":"10.3.0.0/23"}""");
        var smallAtLowerCidr = Pool("small-lower", """{"perNodeHostBits":8,"ipv4":"10.0.0.0/20"}""");

        Assert.Equal(["small-27", "small-lower", "small", "big"], Ranked(GpuNodeInZoneA, big, small, smallWithSmallerBlocks, smallAtLowerCidr));
    }

    [Fact]
    public void Capacity_of_a_dual_stack_pool_is_its_smaller_family()
    {
        var dual = Pool("dual", """{"perNodeHostBits":8,"ipv4":"10.1.0.0/16","ipv6":"fd00::/116"}""");
        var v4 = Pool("v4", """{"perNodeHostBits":8,"ipv4":"10.2.0.0/20"}""");

        Assert.Equal((UInt128)16, dual.MaxBlocks);
        Assert.Equal(["dual", "v4"], Ranked(GpuNodeInZoneA, v4, dual));
    }

    [Fact]
    public void Selectors_use_every_operator_and_node_name_fields()
    {
        var gt = Pool("gt", """{"perNodeHostBits":8,"ipv4":"10.1.0.0/16","nodeSelector":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"cores","operator":"Gt","values":["32"]},{"key":"spot","operator":"DoesNotExist"}]}]}}""");
        var lt = Pool("lt", """{"perNodeHostBits":8,"ipv4":"10.2.0.0/16","nodeSelector":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"cores","operator":"Lt","values":["32"]}]}]}}""");
        var notIn = Pool("not-in", """{"perNodeHostBits":8,"ipv4":"10.3.0.0/16","nodeSelector":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"NotIn","values":["b","c"]},{"key":"pool","operator":"Exists"}]}]}}""");
        var byName = Pool("by-name", """{"perNodeHostBits":8,"ipv4":"10.4.0.0/16","nodeSelector":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["node-1"]}]}]}}""");
        var otherName = Pool("other-name", """{"perNodeHostBits":8,"ipv4":"10.5.0.0/16","nodeSelector":{"nodeSelectorTerms":[{"matchFields":[{"key":"metadata.name","operator":"In","values":["node-2"]}]}]}}""");

        Assert.Equal(["gt", "not-in", "by-name"], Ranked(GpuNodeInZoneA, gt, lt, notIn, byName, otherName));
    }

    [Fact]
    public void Terms_are_ORed_and_the_most_specific_matching_term_counts()
    {
        var cpuTerm = $$"""{"matchExpressions":[{{In("pool", "cpu")}}]}""";
        var gpuTerm = $$"""{"matchExpressions":[{{In("pool", "gpu")}},{{In("zone", "a")}},{{In("cores", "64")}}]}""";
        var pool = Pool("or", """{"perNodeHostBits":8,"ipv4":"10.1.0.0/16","nodeSelector":{"nodeSelectorTerms":[""" + cpuTerm + "," + gpuTerm + "]}}");

        Assert.Equal(3, pool.Selector.MatchCount(GpuNodeInZoneA, "node-1"));
        Assert.Null(pool.Selector.MatchCount(new Dictionary<string, string> { ["pool"] = "arm" }, "node-1"));
    }

    [Fact]
    public void A_pool_being_deleted_takes_no_new_nodes()
    {
        var deleting = Pool("going", """{"perNodeHostBits":8,"ipv4":"10.1.0.0/24"}""", ""","deletionTimestamp":"2026-11-26T00:00:00Z","finalizers":["networking.x-k8s.io/cluster-cidr-finalizer"]""");

        Assert.True(deleting.Deleting);
        Assert.Equal([ClusterCidrPool.Finalizer], deleting.Finalizers);
        Assert.Empty(Ranked(GpuNodeInZoneA, deleting));
    }
}
