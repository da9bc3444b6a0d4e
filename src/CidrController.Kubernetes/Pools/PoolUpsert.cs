namespace CidrController.Kubernetes.Pools;

/// <summary>What <see cref="PoolCatalog.Upsert"/> did with a ClusterCIDR pool.</summary>
/// <param name="Refusal">Why the pool is ignored (it overlaps another), or null when it was accepted.</param>
/// <param name="Pending">A pool new to the catalog, waiting to be admitted through the ledger; null when refused or already known.</param>
internal readonly record struct PoolUpsert(string? Refusal, PendingPool? Pending)
{
    public static PoolUpsert Known => default;
}
