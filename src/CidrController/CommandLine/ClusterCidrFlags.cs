using CidrController.Allocation;

namespace CidrController.CommandLine;

/// <summary>
/// <c>--cluster-cidr</c> with the <c>--node-cidr-mask-size*</c> flags, combined as kube-controller-manager does
/// (<c>setNodeCIDRMaskSizes</c>), into the ranges the allocator carves node blocks from.
/// </summary>
internal static class ClusterCidrFlags
{
    private const int DefaultIpv4MaskSize = 24;
    private const int DefaultIpv6MaskSize = 64;

    /// <summary>The ranges in flag order (the first family is a node's primary); empty when --cluster-cidr is absent.</summary>
    public static IReadOnlyList<RangeSpec> Parse(FlagValues values)
    {
        var masks = ParseMaskSizes(values);
        var text = values.Get(ControllerFlags.ClusterCidr);
        if (text is null)
        {
            return [];
        }

        var clusters = CidrList.Parse(ControllerFlags.ClusterCidr, text);
        RequireDisjoint(text, clusters);
        RequireMaskFlagsFitFamilies(values, masks, clusters);
        return clusters.Select(cluster => ToRange(cluster, values, masks)).ToList();
    }

    /// <summary>
    /// Upstream allows one range per family. We allow several (a family's ranges are used in order, the next
    /// when the earlier are full: a pod network can grow without renumbering), as long as no two overlap —
    /// an overlap would hand out the same addresses from two ranges. With one range per family nothing
    /// changes from upstream.
    /// </summary>
    private static void RequireDisjoint(string text, IReadOnlyList<IpBlock> clusters)
    {
        for (var i = 0; i < clusters.Count; i++)
        {
            for (var j = i + 1; j < clusters.Count; j++)
            {
                if (clusters[i].Overlaps(clusters[j]))
                {
                    throw FlagException.InvalidValue(ControllerFlags.ClusterCidr, text, $"{clusters[i]} and {clusters[j]} overlap; cluster CIDRs must be disjoint");
                }
            }
        }
    }

    private static MaskSizes ParseMaskSizes(FlagValues values) => new(
        ParseMask(values, ControllerFlags.NodeCidrMaskSize, 128),
        ParseMask(values, ControllerFlags.NodeCidrMaskSizeIpv4, 32),
        ParseMask(values, ControllerFlags.NodeCidrMaskSizeIpv6, 128));

    private static int? ParseMask(FlagValues values, Flag flag, int max)
    {
        var text = values.Get(flag);
        return text is null ? null : ScalarFlagParser.ParseInt(flag, text, 0, max);
    }

    private static void RequireMaskFlagsFitFamilies(FlagValues values, MaskSizes masks, IReadOnlyList<IpBlock> clusters)
    {
        var hasIpv4 = clusters.Any(cluster => cluster.Family == IpFamily.IPv4);
        var hasIpv6 = clusters.Any(cluster => cluster.Family == IpFamily.IPv6);
        if (masks.Single is not null)
        {
            RequireSingleMaskAlone(values, hasIpv4 && hasIpv6);
        }

        if (!hasIpv6 && masks.Ipv6 is not null)
        {
            throw WrongFamily(values, ControllerFlags.NodeCidrMaskSizeIpv6, "IPv4");
        }

        if (!hasIpv4 && masks.Ipv4 is not null)
        {
            throw WrongFamily(values, ControllerFlags.NodeCidrMaskSizeIpv4, "IPv6");
        }
    }

    private static void RequireSingleMaskAlone(FlagValues values, bool dualStack)
    {
        var flag = ControllerFlags.NodeCidrMaskSize;
        var value = values.Get(flag)!;
        if (dualStack)
        {
            throw FlagException.InvalidValue(flag, value,
                "not allowed with a dual-stack --cluster-cidr; use --node-cidr-mask-size-ipv4 and --node-cidr-mask-size-ipv6");
        }

        var perFamily = values.IsSet(ControllerFlags.NodeCidrMaskSizeIpv4) ? ControllerFlags.NodeCidrMaskSizeIpv4
            : values.IsSet(ControllerFlags.NodeCidrMaskSizeIpv6) ? ControllerFlags.NodeCidrMaskSizeIpv6
            : null;
        if (perFamily is not null)
        {
            throw FlagException.InvalidValue(flag, value, $"not allowed together with {perFamily.Name}");
        }
    }

    private static FlagException WrongFamily(FlagValues values, Flag flag, string clusterFamily) =>
        FlagException.InvalidValue(flag, values.Get(flag)!,
            $"not allowed with a single-stack {clusterFamily} --cluster-cidr (use --node-cidr-mask-size or the {clusterFamily} flag)");

    private static RangeSpec ToRange(IpBlock cluster, FlagValues values, MaskSizes masks)
    {
        var (maskFlag, mask) = MaskFor(cluster.Family, masks);
        if (mask > cluster.MaxPrefixLength)
        {
            throw FlagException.InvalidValue(maskFlag, values.Get(maskFlag)!, $"must be between 0 and {cluster.MaxPrefixLength} for {cluster.Family}");
        }

        if (cluster.PrefixLength > mask)
        {
            throw FlagException.InvalidValue(ControllerFlags.ClusterCidr, cluster.ToString(),
                $"prefix /{cluster.PrefixLength} is longer than the node mask /{mask} of {maskFlag.Name}; a node block cannot be larger than its cluster CIDR");
        }

        return new RangeSpec(cluster, mask);
    }

    /// <summary>The mask for one family and the flag it came from (named in errors).</summary>
    private static (Flag Flag, int Mask) MaskFor(IpFamily family, MaskSizes masks)
    {
        if (masks.Single is { } single)
        {
            return (ControllerFlags.NodeCidrMaskSize, single);
        }

        return family == IpFamily.IPv4
            ? (ControllerFlags.NodeCidrMaskSizeIpv4, masks.Ipv4 ?? DefaultIpv4MaskSize)
            : (ControllerFlags.NodeCidrMaskSizeIpv6, masks.Ipv6 ?? DefaultIpv6MaskSize);
    }
}
