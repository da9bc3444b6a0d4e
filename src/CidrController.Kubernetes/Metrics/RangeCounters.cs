using CidrController.Allocation;

namespace CidrController.Kubernetes.Metrics;

/// <summary>
/// The allocation and release totals of one cluster CIDR label across every <see cref="BlockRange"/> that has
/// served it: a new range (the next leadership term, a pool deleted and created again) starts counting from zero,
/// so what the previous one had counted is carried over. Not thread-safe: the caller serializes reads.
/// </summary>
internal sealed class RangeCounters
{
    private BlockRange? _current;
    private ulong _carriedAllocations;
    private ulong _carriedReleases;
    private ulong _lastAllocations;
    private ulong _lastReleases;

    /// <summary>Reads <paramref name="range"/>'s totals and returns the label's totals over all its ranges.</summary>
    public (ulong Allocations, ulong Releases) Read(BlockRange range)
    {
        if (!ReferenceEquals(range, _current))
        {
            _carriedAllocations += _lastAllocations;
            _carriedReleases += _lastReleases;
            _current = range;
        }

        var stats = range.GetStatistics();
        _lastAllocations = stats.AllocationsTotal;
        _lastReleases = stats.ReleasesTotal;
        return (_carriedAllocations + _lastAllocations, _carriedReleases + _lastReleases);
    }
}
