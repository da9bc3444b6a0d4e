using CidrController.Allocation;

namespace CidrController.Kubernetes.Pools;

/// <summary>
/// Every pool a node's blocks can come from: the ClusterCIDR pools, each with an allocator of its own, and
/// the default pool from the flags (--cluster-cidr), the catch-all used when no pool selects a node or
/// every selecting pool is full. No two pools may overlap — one would hand out the other's addresses — so
/// a block belongs to exactly one pool. Thread-safe: pools change while workers allocate.
/// </summary>
internal sealed class PoolCatalog
{
    /// <summary>The name reported for the pool made of the --cluster-cidr ranges.</summary>
    public const string DefaultPoolName = "default";

    private readonly Lock _lock = new();
    private readonly IReadOnlyList<IpBlock> _serviceRanges;
    private readonly Dictionary<string, PoolEntry> _pools = new(StringComparer.Ordinal);

    // Accepted but not yet admitted by the ledger: they take part in occupation and overlap checks, not in proposals.
    private readonly Dictionary<string, PoolEntry> _pending = new(StringComparer.Ordinal);

    public PoolCatalog(CidrAllocator defaultAllocator, IReadOnlyList<IpBlock> serviceRanges)
    {
        Default = new PoolEntry(DefaultPoolName, null, defaultAllocator);
        _serviceRanges = serviceRanges;
    }

    public PoolEntry Default { get; }

    /// <summary>The default pool and every accepted ClusterCIDR pool (admitted or pending), default first then by name.</summary>
    public IReadOnlyList<PoolEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [Default, .. _pools.Values.Concat(_pending.Values).OrderBy(p => p.Name, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>
    /// Accepts a ClusterCIDR pool as pending (see <see cref="PendingPool"/>), or refreshes one already known (its
    /// spec is immutable; only its deletion state changes), or refuses it with a reason (it is then ignored).
    /// </summary>
    public PoolUpsert Upsert(ClusterCidrPool pool)
    {
        lock (_lock)
        {
            if ((_pools.GetValueOrDefault(pool.Name) ?? _pending.GetValueOrDefault(pool.Name)) is { } known && known.Pool!.Uid == pool.Uid)
            {
                known.Pool = pool;
                return PoolUpsert.Known;
            }

            foreach (var entry in EntriesLocked())
            {
                if (entry.Name == pool.Name)
                {
                    continue;
                }

                foreach (var range in pool.Ranges)
                {
                    if (entry.Allocator.Ranges.FirstOrDefault(r => r.Cluster.Overlaps(range.Cluster)) is { } clash)
                    {
                        return new PoolUpsert($"{range.Cluster} overlaps {clash.Cluster} of pool {entry.Name}", null);
                    }
                }
            }

            _pools.Remove(pool.Name); // an earlier object of the same name (another uid) is gone
            var added = new PoolEntry(pool.Name, pool, new CidrAllocator(pool.Ranges, _serviceRanges));
            _pending[pool.Name] = added;
            return new PoolUpsert(null, new PendingPool(added));
        }
    }

    /// <summary>Pools accepted but not yet admitted (see <see cref="Reconcile.NodeCidrLedger.Admit"/>).</summary>
    public IReadOnlyList<PendingPool> Pending
    {
        get
        {
            lock (_lock)
            {
                return [.. _pending.Values.Select(e => new PendingPool(e))];
            }
        }
    }

    /// <summary>Lets a pending pool hand out blocks; the ledger calls this once what nodes hold in it is occupied.</summary>
    internal void Open(PendingPool pool)
    {
        lock (_lock)
        {
            if (_pending.TryGetValue(pool.Name, out var entry) && ReferenceEquals(entry, pool.Entry))
            {
                _pending.Remove(pool.Name);
                _pools[pool.Name] = entry;
            }
        }
    }

    /// <summary>Forgets a pool whose ClusterCIDR is gone. Nodes holding its blocks keep them (they are then outside every pool).</summary>
    public bool Remove(string name)
    {
        lock (_lock)
        {
            return _pools.Remove(name) | _pending.Remove(name);
        }
    }

    public PoolEntry? Find(string name)
    {
        lock (_lock)
        {
            return name == DefaultPoolName ? Default : _pools.GetValueOrDefault(name) ?? _pending.GetValueOrDefault(name);
        }
    }

    /// <summary>
    /// One block per family from the best pool that selects the node and has room, else from the default
    /// pool. A pool that selects the node but is full is skipped, as node-ipam-controller does.
    /// </summary>
    public (AllocationResult Result, PoolEntry Pool) Propose(IReadOnlyDictionary<string, string> labels, string nodeName)
    {
        List<PoolEntry> candidates;
        lock (_lock)
        {
            if (_pools.Count == 0)
            {
                // No ClusterCIDRs (the common case): no ranking, no allocation on the drain's hot path.
                return (Default.Allocator.Allocate(), Default);
            }

            candidates = PoolPrecedence.Rank(_pools.Values.Select(p => p.Pool!), labels, nodeName).Select(p => _pools[p.Name]).ToList();
        }

        AllocationResult? firstFailure = null;
        PoolEntry? firstPool = null;
        foreach (var candidate in candidates)
        {
            var result = candidate.Allocator.Allocate();
            if (result.Success)
            {
                return (result, candidate);
            }

            firstFailure ??= result;
            firstPool ??= candidate;
        }

        if (Default.Allocator.Ranges.Count > 0)
        {
            var fallback = Default.Allocator.Allocate();
            if (fallback.Success || firstFailure is null)
            {
                return (fallback, Default);
            }
        }

        // Report the best selecting pool as the one the node waits for.
        return (firstFailure ?? new AllocationResult(false, [], null), firstPool ?? Default);
    }

    /// <summary>The pool whose ranges contain (or overlap) this block, or null when it lies outside every pool.</summary>
    public PoolEntry? PoolOf(IpBlock block)
    {
        lock (_lock)
        {
            foreach (var entry in EntriesLocked())
            {
                if (entry.Allocator.FindRange(block) is not null)
                {
                    return entry;
                }
            }

            return null;
        }
    }

    /// <summary>Occupies a node's existing block in the pool it lies in; InRange false when it lies in none.</summary>
    public OccupyResult Occupy(IpBlock block) => PoolOf(block)?.Allocator.Occupy(block) ?? default;

    /// <summary>Releases a block in the pool it lies in (nothing when that pool is gone).</summary>
    public OccupyResult Release(IpBlock block) => PoolOf(block)?.Allocator.Release(block) ?? default;

    private IEnumerable<PoolEntry> EntriesLocked() => _pools.Values.Concat(_pending.Values).Prepend(Default);
}
