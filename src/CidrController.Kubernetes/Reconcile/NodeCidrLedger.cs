using CidrController.Allocation;
using CidrController.Kubernetes.Pools;

namespace CidrController.Kubernetes.Reconcile;

/// <summary>
/// Which node holds which blocks, kept in step with the allocator. Every block a live node holds is
/// occupied; a block is released only when no live node holds it any more. That last rule is why the
/// ledger, not the allocator, decides releases: two nodes can be created with overlapping podCIDRs
/// (the API server does not check), and releasing one of them must not free blocks the other still uses.
/// </summary>
public sealed class NodeCidrLedger
{
    private readonly Lock _lock = new();
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>(0);

    private readonly PoolCatalog _pools;
    private readonly TimeProvider _time;
    private readonly TimeSpan _reuseDelay;
    private readonly List<Quarantined> _quarantine = [];
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
    public NodeCidrLedger(PoolCatalog pools)
        : this(pools, TimeProvider.System, TimeSpan.Zero)
    {
    }

    /// <param name="reuseDelay">
    /// --cidr-reuse-delay: a block a node used is not handed out again until this long after the node is
    /// gone (its routes and conntrack entries can outlive it). Zero: at once, as upstream.
    /// </param>
    public NodeCidrLedger(PoolCatalog pools, TimeProvider time, TimeSpan reuseDelay)
    {
        _pools = pools;
        _time = time;
        _reuseDelay = reuseDelay;
    }

    /// <summary>--cidr-reuse-delay (zero: released blocks are reusable at once).</summary>
    public TimeSpan ReuseDelay => _reuseDelay;

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Blocks in quarantine (released by their node, not yet reusable).</summary>
    public int QuarantinedCount
    {
        get
        {
            lock (_lock)
            {
                return _quarantine.Sum(q => q.Blocks.Length);
            }
        }
    }

    /// <summary>When the next quarantined block becomes reusable, or null when none waits.</summary>
    public DateTimeOffset? NextReuse
    {
        get
        {
            lock (_lock)
            {
                return _quarantine.Count == 0 ? null : _quarantine.Min(q => q.Until);
            }
        }
    }

    /// <summary>
    /// Puts blocks in quarantine until <paramref name="until"/> (rebuilding it after a restart from what the
    /// API still tells: the CIDRReleased events). Blocks outside every pool are ignored.
    /// </summary>
    public void Quarantine(IReadOnlyList<IpBlock> blocks, DateTimeOffset until)
    {
        lock (_lock)
        {
            // Only blocks nobody holds now: a block a live node holds must not be freed when the quarantine ends.
            var inRange = blocks.Where(b => _pools.Occupy(b) is { InRange: true } r && r.BlocksChanged == r.BlocksCovered).ToArray();
            if (inRange.Length > 0)
            {
                _quarantine.Add(new Quarantined(inRange, until));
            }
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
    public AdoptionReport Adopt(string node, string uid, IReadOnlyList<string> podCidrs)
    {
        lock (_lock)
        {
            if (_holdings.TryGetValue(node, out var existing))
            {
                if (existing.Uid == uid && existing.Source.SequenceEqual(podCidrs, StringComparer.Ordinal))
                {
                    // A tentative proposal the node turns out to have: it is now simply held.
                    _holdings[node] = existing with { Tentative = false };
                    return AdoptionReport.Unchanged;
                }

                RetireLocked(node, existing);
            }

            var problems = new List<CidrProblem>();
            var held = new List<IpBlock>(podCidrs.Count);
            foreach (var text in podCidrs)
            {
                if (!IpBlock.TryParse(text, out var block, out var error))
                {
                    problems.Add(new CidrProblem(CidrProblemKind.Invalid, text, error));
                    continue;
                }

                var result = _pools.Occupy(block);
                if (!result.InRange)
                {
                    problems.Add(new CidrProblem(CidrProblemKind.OutOfRange, text, $"{block} lies outside every configured cluster CIDR"));
                    continue;
                }

                held.Add(block);
                if (result.BlocksChanged < result.BlocksCovered)
                {
                    var others = MarkOverlapLocked(node, block);
                    problems.Add(new CidrProblem(CidrProblemKind.Overlap, text, $"{block} overlaps the pod CIDR of {others}"));
                }
            }

            _holdings[node] = new Holding(uid, [.. podCidrs], [.. held], Tentative: false);
            return new AdoptionReport(Changed: true, problems);
        }
    }

    /// <summary>
    /// Occupies the podCIDRs nodes held outside every pool that now lie in one (a ClusterCIDR accepted while
    /// running over addresses nodes already use), so the new pool never hands them out again. Returns how
    /// many blocks were taken in. Cheap: only holdings with out-of-range entries are looked at.
    /// </summary>
    public int OccupyNewlyCovered()
    {
        lock (_lock)
        {
            var taken = 0;
            foreach (var (node, holding) in _holdings.ToArray())
            {
                if (holding.Tentative || holding.Source.Length == holding.Blocks.Length)
                {
                    continue;
                }

                var blocks = holding.Blocks.ToList();
                foreach (var text in holding.Source)
                {
                    if (!IpBlock.TryParse(text, out var block, out _) || blocks.Contains(block))
                    {
                        continue;
                    }

                    var result = _pools.Occupy(block);
                    if (!result.InRange)
                    {
                        continue;
                    }

                    blocks.Add(block);
                    taken++;
                    if (result.BlocksChanged < result.BlocksCovered)
                    {
                        MarkOverlapLocked(node, block);
                    }
                }

                _holdings[node] = holding with { Blocks = [.. blocks] };
            }

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
                _holdings[node] = new Holding(uid, [.. blocks.Select(b => b.ToString())], blocks, Tentative: true);
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
            if (_holdings.TryGetValue(node, out var existing) && !SameBlocks(existing.Blocks, blocks))
            {
                RetireLocked(node, existing);
            }

            var source = new string[blocks.Count];
            for (var i = 0; i < blocks.Count; i++)
            {
                source[i] = blocks[i].ToString();
            }

            _holdings[node] = new Holding(uid, source, [.. blocks], tentative);
        }
    }

    private static bool SameBlocks(IpBlock[] a, IReadOnlyList<IpBlock> b)
    {
        if (a.Length != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
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
            if (!_holdings.TryGetValue(node, out var holding) || holding.Uid != uid || !holding.Tentative || !SameBlocks(holding.Blocks, blocks))
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
    /// A node's blocks are done with (the node is gone, or has other podCIDRs now): into quarantine when
    /// --cidr-reuse-delay is set, else released at once.
    /// </summary>
    private void RetireLocked(string node, Holding holding)
    {
        if (_reuseDelay <= TimeSpan.Zero || holding.Blocks.Length == 0)
        {
            ReleaseLocked(node, holding);
            return;
        }

        _holdings.Remove(node);
        _overlapping.Remove(node);
        _quarantine.Add(new Quarantined(holding.Blocks, _time.GetUtcNow() + _reuseDelay));
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
        if (_quarantine.Count == 0)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        var freed = false;
        for (var i = _quarantine.Count - 1; i >= 0; i--)
        {
            if (_quarantine[i].Until > now)
            {
                continue;
            }

            var blocks = _quarantine[i].Blocks;
            _quarantine.RemoveAt(i);
            foreach (var block in blocks)
            {
                _pools.Release(block);
            }

            // A node adopted meanwhile over a quarantined block was marked overlapping: it keeps what it holds.
            ReoccupyOverlappingLocked(blocks);
            freed = true;
        }

        return freed;
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

    private sealed record Quarantined(IpBlock[] Blocks, DateTimeOffset Until);

    private sealed record Holding(string Uid, string[] Source, IpBlock[] Blocks, bool Tentative);
}
