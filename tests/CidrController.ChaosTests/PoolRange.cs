namespace CidrController.ChaosTests;

/// <summary>One cluster CIDR as the chaos run configures it, and which of its blocks a CIDR covers.</summary>
internal sealed record PoolRange(NetBlock Cluster, int NodeMask, IReadOnlyList<NetBlock> ServiceRanges)
{
    public string Label => Cluster.ToString();

    public int BlockCount => 1 << (NodeMask - Cluster.Prefix);

    public NetBlock Block(int index) => Cluster.Subnet(NodeMask, index);

    /// <summary>Blocks overlapping a service range: never handed out, not counted as in use.</summary>
    public IReadOnlySet<int> Excluded => Enumerable.Range(0, BlockCount).Where(i => ServiceRanges.Any(s => s.Overlaps(Block(i)))).ToHashSet();

    /// <summary>Indices of the blocks <paramref name="cidr"/> covers (a larger CIDR covers several, a smaller one its enclosing block).</summary>
    public IEnumerable<int> Covered(NetBlock cidr)
    {
        if (!cidr.Overlaps(Cluster))
        {
            yield break;
        }

        for (var i = 0; i < BlockCount; i++)
        {
            if (Block(i).Overlaps(cidr))
            {
                yield return i;
            }
        }
    }
}
