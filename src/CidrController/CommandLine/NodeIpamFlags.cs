using CidrController.Allocation;
using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>
/// The node IPAM flags (kube-controller-manager's names and defaults), their combination rules as upstream's
/// <c>setNodeCIDRMaskSizes</c> states them, and how they fill <see cref="ControllerOptions"/>.
/// </summary>
internal sealed class NodeIpamFlags
{
    private const string RangeAllocator = "RangeAllocator";
    private static readonly ControllerOptions Defaults = new();

    private Flag<bool> _allocate = null!;
    private Flag<string> _allocatorType = null!;
    private Flag<IReadOnlyList<IpBlock>> _clusterCidr = null!;
    private Flag<int> _maskSize = null!;
    private Flag<int> _maskSizeIpv4 = null!;
    private Flag<int> _maskSizeIpv6 = null!;
    private Flag<IReadOnlyList<IpBlock>> _serviceRange = null!;
    private Flag<int> _workers = null!;
    private Flag<bool> _pools = null!;
    private Flag<TimeSpan> _poolSyncPeriod = null!;
    private Flag<TimeSpan> _reuseDelay = null!;

    public void AddFlags(FlagSet flags)
    {
        _allocate = flags.Bool("--allocate-node-cidrs", Defaults.AllocateNodeCidrs,
            "Allocate a pod CIDR to every node; false: allocate nothing, only serve health and metrics.");
        _allocatorType = flags.String("--cidr-allocator-type", RangeAllocator,
            "Allocator type; only RangeAllocator (this controller does not talk to cloud APIs).",
            type => type == RangeAllocator ? null : "only RangeAllocator is supported; this controller does not talk to cloud APIs");
        _clusterCidr = flags.Cidrs("--cluster-cidr",
            "Pod address space, comma-separated; the first family is a node's primary. Several disjoint ranges of a family are used in order. Required when allocating.",
            FlagSyntax.Cidrs, Disjoint);
        _maskSize = flags.Int("--node-cidr-mask-size", 0,
            "Node CIDR mask size for a single-stack cluster; not allowed with dual-stack or the per-family flags.",
            FlagSyntax.Between(0, 128), defaultText: $"{ControllerOptions.DefaultIpv4NodeMaskSize} for IPv4, {ControllerOptions.DefaultIpv6NodeMaskSize} for IPv6");
        _maskSizeIpv4 = flags.Int("--node-cidr-mask-size-ipv4", ControllerOptions.DefaultIpv4NodeMaskSize,
            "Node CIDR mask size for the IPv4 cluster CIDR (0..32).", FlagSyntax.Between(0, 32));
        _maskSizeIpv6 = flags.Int("--node-cidr-mask-size-ipv6", ControllerOptions.DefaultIpv6NodeMaskSize,
            "Node CIDR mask size for the IPv6 cluster CIDR (0..128).", FlagSyntax.Between(0, 128));
        _serviceRange = flags.Cidrs("--service-cluster-ip-range",
            "Service CIDRs, comma-separated, at most one per family; node blocks overlapping them are never allocated.",
            FlagSyntax.CidrsOrNone, FlagSyntax.OnePerFamily);
        _workers = flags.Int("--concurrent-node-syncs", Defaults.ConcurrentNodeSyncs,
            "Number of nodes reconciled in parallel (a node is never handled by two at once).", FlagSyntax.Between(1, int.MaxValue));
        _pools = flags.Bool("--cluster-cidr-pools", Defaults.ClusterCidrPools,
            "Also allocate from ClusterCIDR pools (networking.x-k8s.io/v1, node-ipam-controller's resource) chosen by node labels.");
        _poolSyncPeriod = flags.Duration("--cluster-cidr-pool-sync-period", Defaults.PoolSyncInterval,
            "Safety-net resync period for ClusterCIDR pools: a pool created, changed or deleted is picked up within this time.", FlagSyntax.Positive);
        _reuseDelay = flags.Duration("--cidr-reuse-delay", Defaults.CidrReuseDelay,
            "Quarantine: a gone node's block is not handed out again until this long after (routes and conntrack can outlive a node).", FlagSyntax.NotNegative);
    }

    public ControllerOptions ApplyTo(ControllerOptions options)
    {
        var ranges = Ranges();
        if (_allocate.Value && ranges.Count == 0)
        {
            throw FlagException.MissingRequired(_clusterCidr, "the pod address space to allocate from (or pass --allocate-node-cidrs=false)");
        }

        return options with
        {
            AllocateNodeCidrs = _allocate.Value,
            ClusterRanges = ranges,
            ServiceRanges = _serviceRange.Value,
            ConcurrentNodeSyncs = _workers.Value,
            ClusterCidrPools = _pools.Value,
            PoolSyncInterval = _poolSyncPeriod.Value,
            CidrReuseDelay = _reuseDelay.Value,
        };
    }

    /// <summary>
    /// Upstream allows one range per family. We allow several (a family's ranges are used in order, the next
    /// when the earlier are full: a pod network can grow without renumbering), as long as no two overlap —
    /// an overlap would hand out the same addresses from two ranges.
    /// </summary>
    private static string? Disjoint(IReadOnlyList<IpBlock> clusters)
    {
        for (var i = 0; i < clusters.Count; i++)
        {
            for (var j = i + 1; j < clusters.Count; j++)
            {
                if (clusters[i].Overlaps(clusters[j]))
                {
                    return $"{clusters[i]} and {clusters[j]} overlap; cluster CIDRs must be disjoint";
                }
            }
        }

        return null;
    }

    /// <summary>The ranges in flag order (the first family is a node's primary), each with its family's node mask.</summary>
    private List<RangeSpec> Ranges()
    {
        var clusters = _clusterCidr.Value;
        if (clusters.Count == 0)
        {
            return [];
        }

        var hasIpv4 = clusters.Any(c => c.Family == IpFamily.IPv4);
        var hasIpv6 = clusters.Any(c => c.Family == IpFamily.IPv6);
        if (_maskSize.Changed && hasIpv4 && hasIpv6)
        {
            throw FlagException.InvalidValue(_maskSize, _maskSize.Text,
                "not allowed with a dual-stack --cluster-cidr; use --node-cidr-mask-size-ipv4 and --node-cidr-mask-size-ipv6");
        }

        if (_maskSize.Changed && (_maskSizeIpv4.Changed || _maskSizeIpv6.Changed))
        {
            throw FlagException.InvalidValue(_maskSize, _maskSize.Text, $"not allowed together with {(_maskSizeIpv4.Changed ? _maskSizeIpv4 : _maskSizeIpv6)}");
        }

        if (!hasIpv6 && _maskSizeIpv6.Changed)
        {
            throw WrongFamily(_maskSizeIpv6, "IPv4");
        }

        if (!hasIpv4 && _maskSizeIpv4.Changed)
        {
            throw WrongFamily(_maskSizeIpv4, "IPv6");
        }

        return clusters.Select(ToRange).ToList();
    }

    private static FlagException WrongFamily(Flag flag, string clusterFamily) =>
        FlagException.InvalidValue(flag, flag.Text,
            $"not allowed with a single-stack {clusterFamily} --cluster-cidr (use --node-cidr-mask-size or the {clusterFamily} flag)");

    private RangeSpec ToRange(IpBlock cluster)
    {
        var maskFlag = _maskSize.Changed ? _maskSize : cluster.Family == IpFamily.IPv4 ? _maskSizeIpv4 : _maskSizeIpv6;
        var mask = maskFlag.Value;
        if (mask > cluster.MaxPrefixLength)
        {
            throw FlagException.InvalidValue(maskFlag, maskFlag.Text, $"must be between 0 and {cluster.MaxPrefixLength} for {cluster.Family}");
        }

        if (cluster.PrefixLength > mask)
        {
            throw FlagException.InvalidValue(_clusterCidr, cluster.ToString(),
                $"prefix /{cluster.PrefixLength} is longer than the node mask /{mask} of {maskFlag}; a node block cannot be larger than its cluster CIDR");
        }

        return new RangeSpec(cluster, mask);
    }
}
