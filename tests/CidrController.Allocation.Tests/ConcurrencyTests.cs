using System.Collections.Concurrent;

using CidrController.Allocation;

namespace CidrController.Allocation.Tests;

public class ConcurrencyTests
{
    [Theory]
    [InlineData("10.0.0.0/20", 28)]        // 256 blocks: heavy contention and exhaustion
    [InlineData("fd00::/48", 112)]         // sparse storage
    public void Many_threads_allocating_and_releasing_never_share_a_block(string cluster, int mask)
    {
        var range = new BlockRange(new RangeSpec(IpBlock.Parse(cluster), mask));
        var holders = new ConcurrentDictionary<IpBlock, int>();
        var held = new List<IpBlock>[8];
        var doubleHandOuts = 0;

        Parallel.For(0, held.Length, new ParallelOptions { MaxDegreeOfParallelism = held.Length }, worker =>
        {
            var mine = held[worker] = [];
            var random = new Random(worker);
            for (var i = 0; i < 20_000; i++)
            {
                if (mine.Count > 0 && random.Next(100) < 45)
                {
                    var index = random.Next(mine.Count);
                    var block = mine[index];
                    mine[index] = mine[^1];
                    mine.RemoveAt(mine.Count - 1);
                    holders.TryRemove(block, out _); // before Release: afterwards someone else may take it
                    Assert.Equal(new OccupyResult(true, 1, 1), range.Release(block));
                }
                else if (range.TryAllocateNext(out var block, out _))
                {
                    if (!holders.TryAdd(block, worker))
                    {
                        Interlocked.Increment(ref doubleHandOuts);
                    }

                    mine.Add(block);
                }
            }
        });

        Assert.Equal(0, doubleHandOuts);
        var all = held.SelectMany(h => h).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        var stats = range.GetStatistics();
        Assert.Equal((UInt128)all.Count, stats.InUse);
        Assert.Equal(stats.AllocationsTotal - stats.ReleasesTotal, (ulong)all.Count);
        foreach (var block in all)
        {
            Assert.Equal(new OccupyResult(true, 1, 0), range.Occupy(block)); // still held
        }

        foreach (var block in all)
        {
            range.Release(block);
        }

        Assert.Equal(UInt128.Zero, range.GetStatistics().InUse);
    }

    [Fact]
    public void Dual_stack_allocations_from_many_threads_are_all_or_nothing()
    {
        // 64 IPv4 blocks but 256 IPv6 blocks: the IPv4 family runs out and every failure must give IPv6 back.
        var allocator = new CidrAllocator(
            [new RangeSpec(IpBlock.Parse("10.0.0.0/24"), 30), new RangeSpec(IpBlock.Parse("fd00::/56"), 64)],
            []);
        var nodes = new ConcurrentBag<AllocationResult>();
        var failures = 0;
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var result = allocator.Allocate();
            if (result.Success)
            {
                nodes.Add(result);
            }
            else
            {
                Assert.Empty(result.Blocks);
                Assert.Equal(IpFamily.IPv4, result.ExhaustedFamily);
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(64, nodes.Count);
        Assert.Equal(336, failures);
        Assert.Equal(64, nodes.Select(n => n.Blocks[0].Block).Distinct().Count());
        Assert.Equal(64, nodes.Select(n => n.Blocks[1].Block).Distinct().Count());
        Assert.Equal((UInt128)64, allocator.Ranges[0].GetStatistics().InUse);
        Assert.Equal((UInt128)64, allocator.Ranges[1].GetStatistics().InUse);
    }
}
