using BenchmarkDotNet.Attributes;

using CidrController.Allocation;

namespace CidrController.Allocation.Benchmarks;

public class AllocateNextBenchmarks
{
    private const int Slash8AtSlash24 = 65_536;
    private const int OneMillion = 1_000_000;

    private static readonly RangeSpec Ipv4Spec = new(IpBlock.Parse("10.0.0.0/8"), 24);
    private static readonly RangeSpec Ipv6Spec = new(IpBlock.Parse("fd00::/48"), 112);

    private BlockRange _almostFull = null!;

    [GlobalSetup(Target = nameof(OneFreeBlockAtTheFarEnd))]
    public void SetupAlmostFull()
    {
        // Every block used but the last; the cursor is at 0, so each call scans all 65,536 bits (1,024 words).
        _almostFull = new BlockRange(Ipv4Spec);
        _almostFull.Occupy(IpBlock.Parse("10.0.0.0/8"));
        _almostFull.Release(IpBlock.Parse("10.255.255.0/24"));
    }

    /// <summary>Amortised cost per call of allocating every block of 10.0.0.0/8 at /24 (includes creating the range).</summary>
    [Benchmark(OperationsPerInvoke = Slash8AtSlash24)]
    public IpBlock WholeSlash8AtSlash24()
    {
        var range = new BlockRange(Ipv4Spec);
        IpBlock last = default;
        for (var i = 0; i < Slash8AtSlash24; i++)
        {
            range.TryAllocateNext(out last, out _);
        }

        return last;
    }

    /// <summary>Worst case: one free block at the far end of 65,536 (AllocateNext + Release of that block).</summary>
    [Benchmark]
    public UInt128 OneFreeBlockAtTheFarEnd()
    {
        _almostFull.TryAllocateNext(out var block, out var skipped);
        _almostFull.Release(block);
        return skipped;
    }

    /// <summary>fd00::/48 at /112 (2^64 blocks, sparse storage): allocate 1,000,000 blocks, per call.</summary>
    [Benchmark(OperationsPerInvoke = OneMillion)]
    public IpBlock Fd00Slash48AtSlash112OneMillion()
    {
        var range = new BlockRange(Ipv6Spec);
        IpBlock last = default;
        for (var i = 0; i < OneMillion; i++)
        {
            range.TryAllocateNext(out last, out _);
        }

        return last;
    }
}
