using CidrController.Allocation;

namespace CidrController.Allocation.Tests;

/// <summary>
/// A deliberately simple model of upstream's cidrset: a set of used indices, a cursor, linear scans, and block
/// addresses computed by multiplication. Only for small ranges.
/// </summary>
internal sealed class ReferenceRange
{
    private readonly IpBlock _cluster;
    private readonly int _mask;
    private readonly int _count;
    private readonly UInt128 _blockSize;
    private readonly HashSet<int> _used = [];
    private readonly HashSet<int> _excluded = [];
    private int _cursor;

    public ReferenceRange(IpBlock cluster, int mask)
    {
        _cluster = cluster;
        _mask = mask;
        _count = 1 << (mask - cluster.PrefixLength);
        _blockSize = UInt128.One << (cluster.MaxPrefixLength - mask);
    }

    public int InUse => _used.Count - _excluded.Count;

    public int Excluded => _excluded.Count;

    public bool IsUsed(int index) => _used.Contains(index);

    public IpBlock? AllocateNext(out int skipped)
    {
        for (var i = 0; i < _count; i++)
        {
            var candidate = (_cursor + i) % _count;
            if (_used.Add(candidate))
            {
                _cursor = (candidate + 1) % _count;
                skipped = i;
                return BlockOf(candidate);
            }
        }

        skipped = 0;
        return null;
    }

    public OccupyResult Occupy(IpBlock cidr)
    {
        var covered = Covered(cidr);
        var changed = covered.Count(_used.Add);
        return new OccupyResult(covered.Count > 0, (UInt128)covered.Count, (UInt128)changed);
    }

    public OccupyResult Release(IpBlock cidr)
    {
        var covered = Covered(cidr);
        var changed = covered.Count(i => !_excluded.Contains(i) && _used.Remove(i));
        return new OccupyResult(covered.Count > 0, (UInt128)covered.Count, (UInt128)changed);
    }

    public void Exclude(IpBlock cidr)
    {
        foreach (var i in Covered(cidr))
        {
            _used.Add(i);
            _excluded.Add(i);
        }
    }

    public IpBlock BlockOf(int index) => new(_cluster.Family, _cluster.Address + ((UInt128)index * _blockSize), _mask);

    // Every block whose address interval intersects the CIDR's.
    private List<int> Covered(IpBlock cidr)
    {
        var covered = new List<int>();
        if (cidr.Family != _cluster.Family)
        {
            return covered;
        }

        for (var i = 0; i < _count; i++)
        {
            var start = BlockOf(i).Address;
            var end = start + _blockSize - 1;
            if (start <= cidr.LastAddress && cidr.Address <= end)
            {
                covered.Add(i);
            }
        }

        return covered;
    }
}
