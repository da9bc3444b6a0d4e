using CidrController.Allocation;

namespace CidrController.Kubernetes.Status;

/// <summary>One cluster CIDR's capacity and use. Counts are strings in JSON: IPv6 ranges exceed 2^53.</summary>
internal sealed record RangeStatus(
    string Pool,
    string ClusterCidr,
    IpFamily Family,
    int NodeMaskSize,
    UInt128 AddressesPerBlock,
    UInt128 BlocksTotal,
    UInt128 BlocksExcluded,
    UInt128 BlocksUsed,
    UInt128 BlocksFree,
    double Usage)
{
    public static RangeStatus From(string pool, BlockRange range)
    {
        var s = range.GetStatistics();
        return new RangeStatus(pool, range.Cluster.ToString(), range.Family, range.NodeMaskSize, s.AddressesPerBlock, s.TotalBlocks, s.Excluded, s.InUse, s.Free, s.Usage);
    }
}
