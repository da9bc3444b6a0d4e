namespace CidrController.Kubernetes.Pools;

/// <summary>
/// A ClusterCIDR pool the catalog accepted but that hands out nothing yet: blocks it covers can be occupied in it,
/// none proposed from it. Only <see cref="Reconcile.NodeCidrLedger.Admit"/> opens it, after occupying in it what
/// nodes already hold there — so a pool can never hand out an address a node has.
/// </summary>
internal sealed class PendingPool
{
    internal PendingPool(PoolEntry entry) => Entry = entry;

    internal PoolEntry Entry { get; }

    public string Name => Entry.Name;
}
