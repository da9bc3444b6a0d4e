using System.Diagnostics;

using CidrController.Allocation;

namespace CidrController.Allocation.Benchmarks;

/// <summary>
/// Bytes per block in use for fd00::/48 at /112 with 1,000,000 blocks handed out: once as allocated
/// (contiguous) and once after releasing every other block (the worst fragmentation for the run list).
/// </summary>
internal static class MemoryReport
{
    private const int OneMillion = 1_000_000;

    public static void Print()
    {
        var spec = new RangeSpec(IpBlock.Parse("fd00::/48"), 112);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        var range = new BlockRange(spec);
        for (var i = 0; i < OneMillion; i++)
        {
            range.TryAllocateNext(out _, out _);
        }

        stopwatch.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Report("contiguous", range, allocated, stopwatch.Elapsed);

        for (var i = 0; i < OneMillion; i += 2)
        {
            range.Release(range.BlockAt((UInt128)i));
        }

        Report("every other block released", range, allocated, stopwatch.Elapsed);
    }

    private static void Report(string label, BlockRange range, long allocatedWhileFilling, TimeSpan fillTime)
    {
        var stats = range.GetStatistics();
        var bytes = range.Storage.ApproximateBytes;
        var runs = ((SparseBlockRuns)range.Storage).RunCount;
        Console.WriteLine(
            $"{label}: in use {stats.InUse}, runs {runs}, storage {bytes} B, {(double)bytes / (double)stats.InUse:F3} B/block; " +
            $"filling allocated {allocatedWhileFilling} B in {fillTime.TotalMilliseconds:F0} ms");
    }
}
