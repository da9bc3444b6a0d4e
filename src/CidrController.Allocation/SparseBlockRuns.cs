using System.Runtime.InteropServices;

namespace CidrController.Allocation;

/// <summary>
/// Used blocks as a sorted list of disjoint, non-adjacent runs <c>[First, Last]</c>: memory is proportional
/// to the number of runs, never to the space, so <c>fd00::/48</c> at /112 (2^64 blocks) and even
/// <c>::/0</c> at /128 (2^128) work, and occupying a CIDR that spans 2^64 blocks is one run.
/// </summary>
/// <remarks>
/// Finding the next free block from a cursor is a binary search: the cursor is either free or inside a run,
/// and the block after a run is free because runs are merged. Inserting a run in the middle moves the tail
/// of the list (O(runs)); the cursor allocates in address order, so in practice runs grow at their end.
/// </remarks>
internal sealed class SparseBlockRuns : BlockSet
{
    private readonly List<Run> _runs = [];

    public SparseBlockRuns(UInt128 lastIndex)
        : base(lastIndex)
    {
    }

    public int RunCount => _runs.Count;

    public override bool IsEmpty => _runs.Count == 0;

    public override long ApproximateBytes => (_runs.Capacity * 32L) + 56;

    public override bool IsUsed(UInt128 index)
    {
        var runs = CollectionsMarshal.AsSpan(_runs);
        var p = LastStartingAtOrBefore(runs, index);
        return p >= 0 && runs[p].Last >= index;
    }

    public override bool TryFindFree(UInt128 from, out UInt128 index)
    {
        index = from;
        if (from > LastIndex)
        {
            return false;
        }

        var runs = CollectionsMarshal.AsSpan(_runs);
        var p = LastStartingAtOrBefore(runs, from);
        if (p < 0 || runs[p].Last < from)
        {
            return true;
        }

        if (runs[p].Last == LastIndex)
        {
            return false;
        }

        index = runs[p].Last + 1;
        return true;
    }

    public override UInt128 Mark(UInt128 first, UInt128 last)
    {
        var runs = CollectionsMarshal.AsSpan(_runs);

        // Runs that overlap or touch first..last are merged into one.
        var lo = FirstEndingAtOrAfter(runs, first == 0 ? first : first - 1);
        var hi = LastStartingAtOrBefore(runs, last == UInt128.MaxValue ? last : last + 1);
        if (lo > hi)
        {
            _runs.Insert(lo, new Run(first, last));
            return last - first + 1;
        }

        UInt128 alreadyUsed = 0;
        for (var i = lo; i <= hi; i++)
        {
            alreadyUsed += Overlap(runs[i], first, last);
        }

        var merged = new Run(UInt128.Min(first, runs[lo].First), UInt128.Max(last, runs[hi].Last));
        runs[lo] = merged;
        if (hi > lo)
        {
            _runs.RemoveRange(lo + 1, hi - lo);
        }

        return last - first + 1 - alreadyUsed;
    }

    public override UInt128 Clear(UInt128 first, UInt128 last)
    {
        var runs = CollectionsMarshal.AsSpan(_runs);
        var lo = FirstEndingAtOrAfter(runs, first);
        var hi = LastStartingAtOrBefore(runs, last);
        if (lo > hi)
        {
            return 0;
        }

        UInt128 cleared = 0;
        for (var i = lo; i <= hi; i++)
        {
            cleared += Overlap(runs[i], first, last);
        }

        var left = runs[lo].First < first ? new Run(runs[lo].First, first - 1) : (Run?)null;
        var right = runs[hi].Last > last ? new Run(last + 1, runs[hi].Last) : (Run?)null;
        var keep = (left is null ? 0 : 1) + (right is null ? 0 : 1);
        var span = hi - lo + 1;
        if (keep > span)
        {
            _runs.Insert(lo, default);
        }
        else if (keep < span)
        {
            _runs.RemoveRange(lo + keep, span - keep);
        }

        var at = lo;
        if (left is { } l)
        {
            _runs[at++] = l;
        }

        if (right is { } r)
        {
            _runs[at] = r;
        }

        return cleared;
    }

    // Size of run ∩ first..last minus nothing: 0 when they only touch.
    private static UInt128 Overlap(Run run, UInt128 first, UInt128 last)
    {
        var a = UInt128.Max(run.First, first);
        var b = UInt128.Min(run.Last, last);
        return a > b ? UInt128.Zero : b - a + 1;
    }

    // Index of the last run with First <= value, or -1.
    private static int LastStartingAtOrBefore(ReadOnlySpan<Run> runs, UInt128 value)
    {
        int lo = 0, hi = runs.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (runs[mid].First <= value)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    // Index of the first run with Last >= value, or runs.Length.
    private static int FirstEndingAtOrAfter(ReadOnlySpan<Run> runs, UInt128 value)
    {
        int lo = 0, hi = runs.Length - 1, found = runs.Length;
        while (lo <= hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (runs[mid].Last >= value)
            {
                found = mid;
                hi = mid - 1;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return found;
    }

    private readonly record struct Run(UInt128 First, UInt128 Last);
}
