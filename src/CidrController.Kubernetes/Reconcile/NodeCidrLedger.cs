using CidrController.Allocation;
using CidrController.Kubernetes.Nodes;
using CidrController.Kubernetes.Pools;
using CidrController.Kubernetes.Quarantine;

namespace CidrController.Kubernetes.Reconcile;

/// <summary>
/// Which node holds which blocks, kept in step with the allocator. Every block a live node holds is
/// occupied; a block is released only when no live node holds it any more. That last rule is why the
/// ledger, not the allocator, decides releases: two nodes can be created with overlapping podCIDRs
/// (the API server does not check), and releasing one of them must not free blocks the other still uses.
/// </summary>
internal sealed class NodeCidrLedger
{
    private readonly Lock _lock = new();
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>(0);

    private readonly PoolCatalog _pools;
    private readonly ReuseQuarantine _quarantine;
    private readonly Dictionary<string, Holding> _holdings = new(StringComparer.Ordinal);

    // Nodes whose blocks overlap another node's. Kept small (overlaps are operator mistakes), so a release
    // can re-occupy what the survivors still hold without scanning every node.
    private readonly HashSet<string> _overlapping = new(StringComparer.Ordinal);

    /// <summary>A ledger over the flags' ranges only (no ClusterCIDR pools).</summary>
    public NodeCidrLedger(CidrAllocator allocator)
        : this(new PoolCatalog(allocator, []))
    {
    }

    /// <summary>A ledger over every pool: blocks are occupied and released in the pool they lie in.</summary>
    /// <param name="quarantine">Where a node's blocks wait before reuse (--cidr-reuse-delay); none: reusable at once.</param>
    public NodeCidrLedger(PoolCatalog pools, ReuseQuarantine? quarantine = null)
    {
        _pools = pools;
        _quarantine = quarantine ?? ReuseQuarantine.None;
    }

    public ReuseQuarantine Quarantine => _quarantine;

    /// <summary>
    /// Takes back blocks the quarantine's journal still holds (after a restart or a leader change). Only blocks
    /// nobody holds now are taken: a block a live node holds must not be freed when the quarantine ends. Blocks
    /// outside every pool are ignored. Must follow the adoption of every existing node, and precede any proposal.
    /// </summary>
    public int RestoreQuarantine(IReadOnlyList<QuarantineRecord> records)
    {
        lock (_lock)
        {
            var restored = 0;
            foreach (var record in records)
            {
                var free = record.Blocks.Where(b => _pools.Occupy(b) is { InRange: true } r && r.BlocksChanged == r.BlocksCovered).ToArray();
                _quarantine.Restore(free, record.ReusableAfter);
                restored += free.Length;
            }

            return restored;
        }
    }

    /// <summary>The default pool's allocator (the --cluster-cidr ranges).</summary>
    public CidrAllocator Allocator => _pools.Default.Allocator;

    public PoolCatalog Pools => _pools;

    public int NodeCount
    {
        get
        {
            lock (_lock)
            {
                return _holdings.Count;
            }
        }
    }

    /// <summary>True when the node (this uid) already holds blocks the ledger accounted for.</summary>
    public bool Holds(string node, string uid)
    {
        lock (_lock)
        {
            return _holdings.TryGetValue(node, out var holding) && holding.Uid == uid && !holding.Tentative;
        }
    }

    /// <summary>Blocks proposed to this node whose patch had no definite answer, or null.</summary>
    public IpBlock[]? TentativeFor(string node, string uid)
    {
        lock (_lock)
        {
            return _holdings.TryGetValue(node, out var holding) && holding.Uid == uid && holding.Tentative ? holding.Blocks : null;
        }
    }

    /// <summary>
    /// Accounts for the podCIDRs a node already has (set by us earlier, by another allocator, or by hand):
    /// occupies the in-range ones and reports every anomaly. Idempotent for an unchanged node.
    /// </summary>
    public AdoptionReport Adopt(string node, string uid, IReadOnlyList<PodCidr> podCidrs)
    {
        lock (_lock)
        {
            if (_holdings.TryGetValue(node, out var existing))
            {
                if (existing.Uid == uid && Same(existing.Source, podCidrs))
                {
                    // A tentative proposal the node turns out to have: it is now simply held.
                    _holdings[node] = existing with { Tentative = false };
                    return AdoptionReport.Unchanged;
                }

                RetireLocked(node, existing);
            }

            var problems = new List<CidrProblem>();
            var held = new List<IpBlock>(podCidrs.Count);
            foreach (var cidr in podCidrs)
            {
                if (!cidr.IsValid)
                {
                    problems.Add(new CidrProblem(CidrProblemKind.Invalid, cidr.ToString(), cidr.Error));
                    continue;
                }

                var block = cidr.Block;
                var result = _pools.Occupy(block);
                if (!result.InRange)
                {
                    problems.Add(new CidrProblem(CidrProblemKind.OutOfRange, cidr.ToString(), $"{block} lies outside every configured cluster CIDR"));
                    continue;
                }

                held.Add(block);
                if (result.BlocksChanged < result.BlocksCovered)
                {
                    var others = MarkOverlapLocked(node, block);
                    problems.Add(new CidrProblem(CidrProblemKind.Overlap, cidr.ToString(), $"{block} overlaps the pod CIDR of {others}"));
                }

                if (result.BlocksCovered > 1)
                {
                    // Upstream occupies it silently; one node then holds blocks many nodes could have used.
                    problems.Add(new CidrProblem(CidrProblemKind.Oversized, cidr.ToString(), $"{block} covers {result.BlocksCovered} node blocks, not one"));
                }
            }

            _holdings[node] = new Holding(uid, [.. podCidrs], [.. held], Tentative: false);
            return new AdoptionReport(Changed: true, problems);
        }
    }

    /// <summary>
    /// Lets a newly accepted ClusterCIDR pool hand out blocks — only after every block nodes hold in its ranges is
    /// occupied in it, all under the ledger's lock so no proposal can come between. Returns how many blocks that
    /// lay outside every pool were taken in. Admissions are rare (a pool is created, or a term starts), so every
    /// holding is looked at.
    /// </summary>
    public int Admit(PendingPool pool)
    {
        lock (_lock)
        {
            var taken = 0;
            var allocator = pool.Entry.Allocator;
            foreach (var (node, holding) in _holdings.ToArray())
            {
                // Blocks the ledger already counts as held can lie in the new pool too: they were occupied in an
                // earlier pool over the same range that is gone while nodes still hold them (deleted before it
                // carried the finalizer, or replaced by an object of the same name). Nothing holds them in any
                // pool now, so the new one would hand them out again. Occupying is idempotent: a block adopted
                // while this pool was pending is occupied in it already. Tentative proposals count too: their
                // patch may have landed. Occupy leaves a block outside the pool's ranges alone.
                foreach (var block in holding.Blocks)
                {
                    allocator.Occupy(block);
                }

                if (holding.Tentative || holding.Source.Length == holding.Blocks.Length)
                {
                    continue;
                }

                // PodCIDRs that lay outside every pool until now (nodes adopted before this pool existed).
                var blocks = holding.Blocks.ToList();
                foreach (var cidr in holding.Source)
                {
                    if (!cidr.IsValid || blocks.Contains(cidr.Block))
                    {
                        continue;
                    }

                    var result = _pools.Occupy(cidr.Block);
                    if (!result.InRange)
                    {
                        continue;
                    }

                    blocks.Add(cidr.Block);
                    taken++;
                    if (result.BlocksChanged < result.BlocksCovered)
                    {
                        MarkOverlapLocked(node, cidr.Block);
                    }
                }

                _holdings[node] = holding with { Blocks = [.. blocks] };
            }

            // Blocks waiting out the reuse delay are not to be handed out either.
            foreach (var waiting in _quarantine.Waiting())
            {
                allocator.Occupy(waiting);
            }

            _pools.Open(pool);
            return taken;
        }
    }

    /// <summary>
    /// Takes one block per family for a node that has none and holds them for it, tentatively, from this moment:
    /// the watch may show the node with these blocks before the patch's answer arrives, and adopting them must
    /// then recognise them as this node's own rather than report an overlap.
    /// </summary>
    /// <param name="labels">The node's labels: they choose its ClusterCIDR pool.</param>
    public AllocationResult Propose(string node, string uid, IReadOnlyDictionary<string, string>? labels = null)
    {
        lock (_lock)
        {
            ReleaseExpiredLocked();
            var (result, _) = _pools.Propose(labels ?? NoLabels, node);
            if (result.Success)
            {
                var blocks = result.Blocks.Select(b => b.Block).ToArray();
                _holdings[node] = new Holding(uid, Array.ConvertAll(blocks, PodCidr.Of), blocks, Tentative: true);
            }

            return result;
        }
    }

    /// <summary>
    /// Frees what an earlier life of this node name (another uid) held. A node deleted and recreated between two
    /// observations must not wait for — or in a full pool, wait for ever for — the blocks of its previous life.
    /// </summary>
    public bool ForgetOtherLife(string node, string uid)
    {
        lock (_lock)
        {
            if (!_holdings.TryGetValue(node, out var holding) || holding.Uid == uid)
            {
                return false;
            }

            RetireLocked(node, holding);
            return holding.Blocks.Length > 0;
        }
    }

    /// <summary>The API server accepted the proposal: the node now holds it.</summary>
    public void Commit(string node, string uid, IReadOnlyList<IpBlock> blocks) => Record(node, uid, blocks, tentative: false);

    /// <summary>
    /// The patch failed without a definite answer: the node may or may not have the blocks. They stay
    /// reserved for this node and its next attempt patches the same blocks again (a no-op if they did land),
    /// so neither a leak nor a duplicate can follow.
    /// </summary>
    public void HoldTentatively(string node, string uid, IReadOnlyList<IpBlock> blocks) => Record(node, uid, blocks, tentative: true);

    private void Record(string node, string uid, IReadOnlyList<IpBlock> blocks, bool tentative)
    {
        lock (_lock)
        {
            if (_holdings.TryGetValue(node, out var existing) && !Same(existing.Blocks, blocks))
            {
                RetireLocked(node, existing);
            }

            IpBlock[] held = [.. blocks];
            _holdings[node] = new Holding(uid, Array.ConvertAll(held, PodCidr.Of), held, tentative);
        }
    }

    private static bool Same<T>(T[] a, IReadOnlyList<T> b)
        where T : IEquatable<T>
    {
        if (a.Length != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!a[i].Equals(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The proposal never reached the node (404, or the node has other podCIDRs): drop the hold and give its
    /// blocks back — only if the hold is still this proposal. If an adoption replaced it meanwhile, the blocks
    /// were released then, and releasing them again would free them under whichever node has them now.
    /// Returns true if blocks were freed.
    /// </summary>
    public bool Abandon(string node, string uid, IReadOnlyList<IpBlock> blocks)
    {
        lock (_lock)
        {
            if (!_holdings.TryGetValue(node, out var holding) || holding.Uid != uid || !holding.Tentative || !Same(holding.Blocks, blocks))
            {
                return false;
            }

            ReleaseLocked(node, holding);

            // A proposed block may have been occupied meanwhile by a node adopted with the same CIDR.
            ReoccupyOverlappingLocked(blocks);
            return true;
        }
    }

    /// <summary>The Node object is gone: free what it held. Returns true if any block was freed.</summary>
    public bool Forget(string node)
    {
        lock (_lock)
        {
            if (!_holdings.TryGetValue(node, out var holding))
            {
                return false;
            }

            RetireLocked(node, holding);
            return holding.Blocks.Length > 0;
        }
    }

    public IReadOnlyList<IpBlock> HeldBy(string node)
    {
        lock (_lock)
        {
            return _holdings.TryGetValue(node, out var holding) ? holding.Blocks : [];
        }
    }

    /// <summary>
    /// A node's blocks are done with (the node is gone, or has other podCIDRs now): into the reuse quarantine when
    /// it is on, else released at once.
    /// </summary>
    private void RetireLocked(string node, Holding holding)
    {
        if (!_quarantine.TryHold(node, holding.Blocks))
        {
            ReleaseLocked(node, holding);
            return;
        }

        _holdings.Remove(node);
        _overlapping.Remove(node);
    }

    /// <summary>Releases the quarantined blocks whose time has come. Returns true if any was freed.</summary>
    public bool ReleaseExpired()
    {
        lock (_lock)
        {
            return ReleaseExpiredLocked();
        }
    }

    private bool ReleaseExpiredLocked()
    {
        var expired = _quarantine.TakeExpired();
        if (expired.Count == 0)
        {
            return false;
        }

        foreach (var block in expired)
        {
            _pools.Release(block);
        }

        // A node adopted meanwhile over a quarantined block was marked overlapping: it keeps what it holds. And a
        // block can wait twice (a node adopted over it, then gone too): the later wait still holds it.
        ReoccupyOverlappingLocked(expired);
        foreach (var waiting in _quarantine.Waiting())
        {
            if (OverlapsAny(waiting, expired))
            {
                _pools.Occupy(waiting);
            }
        }

        return true;
    }

    private void ReleaseLocked(string node, Holding holding)
    {
        _holdings.Remove(node);
        foreach (var block in holding.Blocks)
        {
            _pools.Release(block);
        }

        if (_overlapping.Remove(node))
        {
            ReoccupyOverlappingLocked(holding.Blocks);
        }
    }

    private void ReoccupyOverlappingLocked(IReadOnlyList<IpBlock> freed)
    {
        foreach (var other in _overlapping)
        {
            foreach (var block in _holdings[other].Blocks)
            {
                if (OverlapsAny(block, freed))
                {
                    _pools.Occupy(block);
                }
            }
        }
    }

    private string MarkOverlapLocked(string node, IpBlock block)
    {
        var owners = new List<string>();
        foreach (var (other, holding) in _holdings)
        {
            if (other != node && OverlapsAny(block, holding.Blocks))
            {
                owners.Add(other);
                _overlapping.Add(other);
            }
        }

        _overlapping.Add(node);
        return owners.Count == 0 ? "a block already taken (a proposal in flight or the service range)" : $"node(s) {string.Join(", ", owners)}";
    }

    private static bool OverlapsAny(IpBlock block, IReadOnlyList<IpBlock> blocks)
    {
        foreach (var other in blocks)
        {
            if (block.Overlaps(other))
            {
                return true;
            }
        }

        return false;
    }

    /// <param name="Source">The podCIDRs as the node carries them (invalid ones included).</param>
    /// <param name="Blocks">Those the ledger occupies: the valid ones inside a pool.</param>
    private sealed record Holding(string Uid, PodCidr[] Source, IpBlock[] Blocks, bool Tentative);
}
