namespace CidrController.Allocation;

/// <summary>
/// Every configured range, grouped by family: what one node gets. Families are ordered by first appearance
/// (flag order, so the first is the node's primary family); within a family, ranges are tried in the order
/// they were added, a later one only when the earlier ones are full. Thread-safe.
/// </summary>
/// <remarks>
/// Each <see cref="BlockRange"/> has its own lock; this class only guards its lists, which are replaced
/// (never mutated) so readers need no lock. <see cref="Allocate"/> is all or nothing: when a later family is
/// exhausted, the blocks already taken are released (upstream leaks them, one per retry). The released block's
/// range cursor has moved past it, exactly as after any upstream release, so it is reused after a wrap.
/// </remarks>
public sealed class CidrAllocator
{
    private readonly Lock _writeLock = new();
    private readonly IpBlock[] _serviceRanges;
    private volatile State _state;

    public CidrAllocator(IEnumerable<RangeSpec> ranges, IEnumerable<IpBlock> serviceRanges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(serviceRanges);
        _serviceRanges = [.. serviceRanges];
        _state = new State([], []);
        foreach (var spec in ranges)
        {
            AddRange(spec);
        }
    }

    /// <summary>Families in node order (first = primary).</summary>
    public IReadOnlyList<IpFamily> Families => _state.Families;

    /// <summary>All ranges, in the order added.</summary>
    public IReadOnlyList<BlockRange> Ranges => _state.Ranges;

    /// <summary>
    /// Adds a range while running: appended to its family, used once the earlier ones are full. A new family
    /// is appended after the existing ones. Service CIDRs are excluded in it. Throws
    /// <see cref="ArgumentException"/> if it overlaps an existing range or its mask size does not fit.
    /// </summary>
    public void AddRange(RangeSpec spec)
    {
        var range = new BlockRange(spec);
        foreach (var service in _serviceRanges)
        {
            range.Exclude(service);
        }

        lock (_writeLock)
        {
            var state = _state;
            foreach (var existing in state.Ranges)
            {
                if (existing.Cluster.Overlaps(spec.Cluster))
                {
                    throw new ArgumentException($"cluster CIDR {spec.Cluster} overlaps the existing range {existing.Cluster}", nameof(spec));
                }
            }

            var families = state.FamilyArray.Contains(spec.Cluster.Family)
                ? state.FamilyArray
                : [.. state.FamilyArray, spec.Cluster.Family];
            _state = new State(families, [.. state.RangeArray, range]);
        }
    }

    /// <summary>One block per family, in family order; nothing at all if any family is exhausted.</summary>
    public AllocationResult Allocate()
    {
        var state = _state;
        var blocks = new AllocatedBlock[state.FamilyArray.Length];
        for (var f = 0; f < blocks.Length; f++)
        {
            if (!TryAllocate(state, state.FamilyArray[f], out blocks[f]))
            {
                for (var taken = 0; taken < f; taken++)
                {
                    blocks[taken].Range.Release(blocks[taken].Block);
                }

                return AllocationResult.Exhausted(state.FamilyArray[f]);
            }
        }

        return new AllocationResult(true, blocks, null);
    }

    /// <summary>Occupies the CIDR in every range it overlaps; <see cref="OccupyResult.InRange"/> is false if none.</summary>
    public OccupyResult Occupy(IpBlock cidr)
    {
        var result = OccupyResult.OutOfRange;
        foreach (var range in _state.RangeArray)
        {
            if (range.Cluster.Overlaps(cidr))
            {
                result = result.Plus(range.Occupy(cidr));
            }
        }

        return result;
    }

    /// <summary>Releases the CIDR in every range it overlaps; <see cref="OccupyResult.InRange"/> is false if none.</summary>
    public OccupyResult Release(IpBlock cidr)
    {
        var result = OccupyResult.OutOfRange;
        foreach (var range in _state.RangeArray)
        {
            if (range.Cluster.Overlaps(cidr))
            {
                result = result.Plus(range.Release(cidr));
            }
        }

        return result;
    }

    /// <summary>The first range containing or overlapping the CIDR, or null.</summary>
    public BlockRange? FindRange(IpBlock cidr)
    {
        foreach (var range in _state.RangeArray)
        {
            if (range.Cluster.Overlaps(cidr))
            {
                return range;
            }
        }

        return null;
    }

    private static bool TryAllocate(State state, IpFamily family, out AllocatedBlock allocated)
    {
        foreach (var range in state.RangeArray)
        {
            if (range.Family == family && range.TryAllocateNext(out var block, out var skipped))
            {
                allocated = new AllocatedBlock(block, range, skipped);
                return true;
            }
        }

        allocated = default;
        return false;
    }

    // Immutable snapshot; AddRange swaps in a new one. The read-only wrappers keep callers from casting back to arrays.
    private sealed class State(IpFamily[] families, BlockRange[] ranges)
    {
        public IpFamily[] FamilyArray { get; } = families;

        public BlockRange[] RangeArray { get; } = ranges;

        public IReadOnlyList<IpFamily> Families { get; } = Array.AsReadOnly(families);

        public IReadOnlyList<BlockRange> Ranges { get; } = Array.AsReadOnly(ranges);
    }
}
