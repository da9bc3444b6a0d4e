using CidrController.Allocation;

namespace CidrController.Kubernetes.Pools;

/// <summary>One pool: its name, its ClusterCIDR (null for the default pool from the flags) and its allocator.</summary>
internal sealed class PoolEntry(string name, ClusterCidrPool? pool, CidrAllocator allocator)
{
    public string Name { get; } = name;

    /// <summary>The latest observation of the ClusterCIDR (its deletion state changes; its spec cannot).</summary>
    public ClusterCidrPool? Pool { get; internal set; } = pool;

    public CidrAllocator Allocator { get; } = allocator;

    public bool IsDefault => Pool is null;
}
