namespace CidrController.Allocation;

/// <summary>
/// One cluster CIDR divided into blocks of one size (upstream's <c>cidrset.CidrSet</c>). Block <i>i</i> is
/// the <i>i</i>-th subnet in address order. Thread-safe: every operation takes this instance's lock.
/// </summary>
/// <remarks>
/// <para>
/// Allocation is upstream's cursor scan: start at the cursor, wrap around once, take the first free block,
/// move the cursor just past it. A released block therefore comes back only after the cursor wraps, and the
/// same sequence of calls gives the same blocks as kube-controller-manager wherever upstream accepts the size
/// (node mask − prefix ≤ 16 for IPv6).
/// </para>
/// <para>
/// Unlike upstream, blocks excluded for a service CIDR are remembered separately from node-held ones:
/// <see cref="Release"/> never frees them, and statistics report them apart. Upstream simply occupies them.
/// </para>
/// <para>
/// Storage is a dense bitmap up to 2^24 blocks and a run list above, where memory follows the blocks in use.
/// Both give identical answers (the same scan over the same logical bitmap).
/// </para>
/// </remarks>
public sealed class BlockRange
{
    /// <summary>Largest range stored as a dense bitmap: 2^24 blocks = 2 MiB.</summary>
    internal const int DenseMaxBlockBits = 24;

    private readonly Lock _lock = new();
    private readonly BlockSet _set;
    private readonly int _blockBits;   // log2(blocks), 0..128
    private readonly int _shift;       // log2(addresses per block), 0..128
    private readonly UInt128 _indexMask;
    private readonly List<Exclusion> _exclusions = [];

    // Counts are modulo 2^128; only a 2^128-block range can wrap and the getters resolve that (see Saturated*).
    private UInt128 _nodeHeld;
    private UInt128 _excludedCount;
    private ulong _allocations;
    private ulong _releases;
    private UInt128 _cursor;

    /// <summary>Creates the range; throws <see cref="ArgumentException"/> if the node mask does not fit the cluster CIDR.</summary>
    public BlockRange(RangeSpec spec)
        : this(spec, sparse: false)
    {
    }

    private BlockRange(RangeSpec spec, bool sparse)
    {
        var cluster = spec.Cluster;
        if (spec.NodeMaskSize < cluster.PrefixLength || spec.NodeMaskSize > cluster.MaxPrefixLength)
        {
            throw new ArgumentException(
                $"node CIDR mask size /{spec.NodeMaskSize} does not fit cluster CIDR {cluster}: it must be between /{cluster.PrefixLength} and /{cluster.MaxPrefixLength}",
                nameof(spec));
        }

        Spec = spec;
        _blockBits = spec.NodeMaskSize - cluster.PrefixLength;
        _shift = cluster.MaxPrefixLength - spec.NodeMaskSize;
        _indexMask = IpBlock.HostMask(_blockBits);
        _set = !sparse && _blockBits <= DenseMaxBlockBits
            ? new DenseBlockBitmap(1 << _blockBits)
            : new SparseBlockRuns(_indexMask);
    }

    public RangeSpec Spec { get; }

    public IpBlock Cluster => Spec.Cluster;

    public int NodeMaskSize => Spec.NodeMaskSize;

    public IpFamily Family => Spec.Cluster.Family;

    /// <summary>Number of blocks; saturates at <see cref="UInt128.MaxValue"/> for 2^128.</summary>
    public UInt128 BlockCount => _blockBits >= 128 ? UInt128.MaxValue : UInt128.One << _blockBits;

    internal BlockSet Storage => _set;

    internal UInt128 Cursor
    {
        get
        {
            lock (_lock)
            {
                return _cursor;
            }
        }
    }

    /// <summary>The <paramref name="index"/>-th block in address order.</summary>
    public IpBlock BlockAt(UInt128 index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, _indexMask);
        var offset = _shift >= 128 ? UInt128.Zero : index << _shift;
        return new IpBlock(Family, Cluster.Address + offset, NodeMaskSize);
    }

    /// <summary>
    /// Takes the next free block at or after the cursor (wrapping once). False means the range is exhausted.
    /// <paramref name="skipped"/> is how many used blocks the scan passed over (upstream's "tries").
    /// </summary>
    public bool TryAllocateNext(out IpBlock block, out UInt128 skipped)
    {
        lock (_lock)
        {
            if (!_set.TryFindFree(_cursor, out var index) && !_set.TryFindFree(UInt128.Zero, out index))
            {
                block = default;
                skipped = UInt128.Zero;
                return false;
            }

            skipped = (index - _cursor) & _indexMask;
            _cursor = (index + 1) & _indexMask;
            _set.Mark(index, index);
            _nodeHeld++;
            _allocations = SaturatingAdd(_allocations, UInt128.One);
            block = BlockAt(index);
            return true;
        }
    }

    /// <summary>
    /// Marks every block <paramref name="cidr"/> spans as node-held (a smaller CIDR takes its enclosing block,
    /// one at least as large as the cluster CIDR takes all). Idempotent; does not move the cursor.
    /// </summary>
    public OccupyResult Occupy(IpBlock cidr)
    {
        if (!TryGetIndices(cidr, out var first, out var last))
        {
            return OccupyResult.OutOfRange;
        }

        lock (_lock)
        {
            // Only a 2^128-block range can change 2^128 blocks (which wraps to 0); ask the set only then.
            var wasEmpty = IsWholeSpace(first, last) && _set.IsEmpty;
            var changed = _set.Mark(first, last);
            var reported = changed == 0 && wasEmpty ? UInt128.MaxValue : changed;
            _nodeHeld += changed;
            _allocations = SaturatingAdd(_allocations, reported);
            return new OccupyResult(true, Covered(first, last), reported);
        }
    }

    /// <summary>
    /// Frees every node-held block <paramref name="cidr"/> spans. Idempotent; excluded (service) blocks stay
    /// excluded. Does not move the cursor, so the block is handed out again only after the cursor wraps.
    /// </summary>
    public OccupyResult Release(IpBlock cidr)
    {
        if (!TryGetIndices(cidr, out var first, out var last))
        {
            return OccupyResult.OutOfRange;
        }

        lock (_lock)
        {
            var wasFull = IsWholeSpace(first, last) && _exclusions.Count == 0 && _set.IsFull;
            var changed = ClearOutsideExclusions(first, last);
            var reported = changed == 0 && wasFull ? UInt128.MaxValue : changed;
            _nodeHeld -= changed;
            _releases = SaturatingAdd(_releases, reported);
            return new OccupyResult(true, Covered(first, last), reported);
        }
    }

    /// <summary>
    /// Excludes every block a service CIDR overlaps: never handed out, never released. A service CIDR that
    /// does not overlap the cluster CIDR changes nothing. A block a node already holds becomes excluded.
    /// </summary>
    public void Exclude(IpBlock serviceCidr)
    {
        if (!TryGetIndices(serviceCidr, out var first, out var last))
        {
            return;
        }

        lock (_lock)
        {
            var newlyUsed = _set.Mark(first, last);
            var excludedBefore = _excludedCount;
            AddExclusion(first, last);
            var newlyExcluded = _excludedCount - excludedBefore;

            // Newly excluded blocks were either free (now marked) or node-held (now counted as excluded).
            _nodeHeld -= newlyExcluded - newlyUsed;
        }
    }

    /// <summary>A consistent snapshot of the counters.</summary>
    public RangeStatistics GetStatistics()
    {
        lock (_lock)
        {
            var excluded = _excludedCount == 0 && _exclusions.Count > 0 ? UInt128.MaxValue : _excludedCount;
            var inUse = _nodeHeld == 0 && _exclusions.Count == 0 && !_set.IsEmpty ? UInt128.MaxValue : _nodeHeld;
            var perBlock = _shift >= 128 ? UInt128.MaxValue : UInt128.One << _shift;
            return new RangeStatistics(BlockCount, inUse, excluded, _allocations, _releases, perBlock);
        }
    }

    public override string ToString() => Spec.ToString();

    internal bool IsUsed(UInt128 index)
    {
        lock (_lock)
        {
            return _set.IsUsed(index);
        }
    }

    /// <summary>A range whose storage is always the sparse run list, to test it against the dense bitmap.</summary>
    internal static BlockRange CreateSparse(RangeSpec spec) => new(spec, sparse: true);

    // Upstream getBeginningAndEndIndices: first and last block index a CIDR spans.
    private bool TryGetIndices(IpBlock cidr, out UInt128 first, out UInt128 last)
    {
        first = UInt128.Zero;
        last = _indexMask;
        if (!Cluster.Overlaps(cidr))
        {
            return false;
        }

        if (cidr.PrefixLength > Cluster.PrefixLength)
        {
            first = IndexOf(cidr.Address);
            last = IndexOf(cidr.LastAddress);
        }

        return true;
    }

    private UInt128 IndexOf(UInt128 address) => _shift >= 128 ? UInt128.Zero : (address - Cluster.Address) >> _shift;

    private bool IsWholeSpace(UInt128 first, UInt128 last) => _blockBits >= 128 && first == 0 && last == UInt128.MaxValue;

    private UInt128 Covered(UInt128 first, UInt128 last) => IsWholeSpace(first, last) ? UInt128.MaxValue : last - first + 1;

    private UInt128 ClearOutsideExclusions(UInt128 first, UInt128 last)
    {
        UInt128 changed = 0;
        var from = first;
        foreach (var exclusion in _exclusions)
        {
            if (exclusion.Last < from)
            {
                continue;
            }

            if (exclusion.First > last)
            {
                break;
            }

            if (exclusion.First > from)
            {
                changed += _set.Clear(from, exclusion.First - 1);
            }

            if (exclusion.Last >= last)
            {
                return changed;
            }

            from = exclusion.Last + 1;
        }

        return changed + _set.Clear(from, last);
    }

    // Keeps the exclusions sorted, disjoint and merged; there are only ever a handful (one per service CIDR).
    private void AddExclusion(UInt128 first, UInt128 last)
    {
        _exclusions.Add(new Exclusion(first, last));
        _exclusions.Sort(static (a, b) => a.First.CompareTo(b.First));
        var merged = new List<Exclusion>(_exclusions.Count);
        foreach (var e in _exclusions)
        {
            if (merged.Count > 0 && (merged[^1].Last == UInt128.MaxValue || merged[^1].Last + 1 >= e.First))
            {
                merged[^1] = merged[^1] with { Last = UInt128.Max(merged[^1].Last, e.Last) };
                continue;
            }

            merged.Add(e);
        }

        _exclusions.Clear();
        _exclusions.AddRange(merged);
        _excludedCount = UInt128.Zero;
        foreach (var e in _exclusions)
        {
            _excludedCount += e.Last - e.First + 1;
        }
    }

    private static ulong SaturatingAdd(ulong counter, UInt128 amount) =>
        amount >= ulong.MaxValue - counter ? ulong.MaxValue : counter + (ulong)amount;

    private readonly record struct Exclusion(UInt128 First, UInt128 Last);
}
