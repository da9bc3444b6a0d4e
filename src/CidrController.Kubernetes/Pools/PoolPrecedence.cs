namespace CidrController.Kubernetes.Pools;

/// <summary>
/// Orders the pools that select a node, best first, by node-ipam-controller's rules: (1) the pool whose
/// matching selector term has more requirements; (2) fewer blocks in total (its smaller family — note:
/// capacity, not free blocks, as node-ipam-controller compares); (3) smaller blocks; (4) the selector's
/// canonical text; (5) the CIDR; and, so the order is total, (6) the name. A full pool is skipped by the
/// caller, which then tries the next.
/// </summary>
internal sealed class PoolPrecedence : IComparer<(ClusterCidrPool Pool, int MatchCount)>
{
    public static PoolPrecedence Instance { get; } = new();

    public int Compare((ClusterCidrPool Pool, int MatchCount) x, (ClusterCidrPool Pool, int MatchCount) y)
    {
        var byMatch = y.MatchCount.CompareTo(x.MatchCount);
        if (byMatch != 0)
        {
            return byMatch;
        }

        var byCapacity = x.Pool.MaxBlocks.CompareTo(y.Pool.MaxBlocks);
        if (byCapacity != 0)
        {
            return byCapacity;
        }

        var byBlockSize = y.Pool.NodeMaskSize.CompareTo(x.Pool.NodeMaskSize);
        if (byBlockSize != 0)
        {
            return byBlockSize;
        }

        var bySelector = string.CompareOrdinal(x.Pool.Selector.Canonical, y.Pool.Selector.Canonical);
        if (bySelector != 0)
        {
            return bySelector;
        }

        var byCidr = string.CompareOrdinal(x.Pool.CidrLabel, y.Pool.CidrLabel);
        return byCidr != 0 ? byCidr : string.CompareOrdinal(x.Pool.Name, y.Pool.Name);
    }

    /// <summary>The pools that select this node (deleting pools excluded: they take no new nodes), best first.</summary>
    public static IReadOnlyList<ClusterCidrPool> Rank(IEnumerable<ClusterCidrPool> pools, IReadOnlyDictionary<string, string> labels, string nodeName)
    {
        var candidates = new List<(ClusterCidrPool Pool, int MatchCount)>();
        foreach (var pool in pools)
        {
            if (!pool.Deleting && pool.Selector.MatchCount(labels, nodeName) is { } count)
            {
                candidates.Add((pool, count));
            }
        }

        candidates.Sort(Instance);
        return candidates.Select(c => c.Pool).ToList();
    }
}
