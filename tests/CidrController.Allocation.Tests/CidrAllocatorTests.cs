using CidrController.Allocation;

namespace CidrController.Allocation.Tests;

public class CidrAllocatorTests
{
    private static RangeSpec Spec(string cluster, int mask) => new(IpBlock.Parse(cluster), mask);

    private static string[] Texts(AllocationResult result) => [.. result.Blocks.Select(b => b.Block.ToString())];

    [Fact]
    public void Dual_stack_hands_out_one_block_per_family_in_flag_order()
    {
        var allocator = new CidrAllocator([Spec("fd00:10:244::/56", 64), Spec("10.244.0.0/16", 24)], []);
        Assert.Equal([IpFamily.IPv6, IpFamily.IPv4], allocator.Families);

        var first = allocator.Allocate();
        Assert.True(first.Success);
        Assert.Null(first.ExhaustedFamily);
        Assert.Equal(["fd00:10:244::/64", "10.244.0.0/24"], Texts(first));
        Assert.Same(allocator.Ranges[0], first.Blocks[0].Range);
        Assert.Same(allocator.Ranges[1], first.Blocks[1].Range);

        Assert.Equal(["fd00:10:244:1::/64", "10.244.1.0/24"], Texts(allocator.Allocate()));
    }

    [Fact]
    public void When_the_second_family_is_exhausted_the_first_block_is_released()
    {
        var allocator = new CidrAllocator([Spec("10.0.0.0/24", 25), Spec("fd00::/64", 64)], []);
        Assert.Equal(["10.0.0.0/25", "fd00::/64"], Texts(allocator.Allocate()));

        var failed = allocator.Allocate();
        Assert.False(failed.Success);
        Assert.Empty(failed.Blocks);
        Assert.Equal(IpFamily.IPv6, failed.ExhaustedFamily);
        var ipv4 = allocator.Ranges[0].GetStatistics();
        Assert.Equal(UInt128.One, ipv4.InUse);       // 10.0.0.128/25 was taken and given back
        Assert.Equal(2UL, ipv4.AllocationsTotal);
        Assert.Equal(1UL, ipv4.ReleasesTotal);

        Assert.Equal(new OccupyResult(true, 1, 1), allocator.Release(IpBlock.Parse("fd00::/64")));
        Assert.Equal(["10.0.0.128/25", "fd00::/64"], Texts(allocator.Allocate()));
    }

    [Fact]
    public void Several_ranges_of_a_family_are_used_in_order()
    {
        var allocator = new CidrAllocator([Spec("10.0.0.0/23", 24), Spec("192.168.0.0/24", 25), Spec("10.1.0.0/24", 24)], []);
        Assert.Equal([IpFamily.IPv4], allocator.Families);
        var handedOut = new List<string>();
        AllocationResult result;
        while ((result = allocator.Allocate()).Success)
        {
            handedOut.AddRange(Texts(result));
        }

        Assert.Equal(["10.0.0.0/24", "10.0.1.0/24", "192.168.0.0/25", "192.168.0.128/25", "10.1.0.0/24"], handedOut);
        Assert.Equal(IpFamily.IPv4, result.ExhaustedFamily);

        // A block freed in the first range is used before the later ranges.
        allocator.Release(IpBlock.Parse("10.0.1.0/24"));
        allocator.Release(IpBlock.Parse("10.1.0.0/24"));
        Assert.Equal(["10.0.1.0/24"], Texts(allocator.Allocate()));
    }

    [Fact]
    public void Add_range_while_running_is_used_after_the_earlier_ones_are_full()
    {
        var allocator = new CidrAllocator([Spec("10.0.0.0/24", 25), Spec("fd00::/120", 121)], [IpBlock.Parse("10.96.0.0/12")]);
        Assert.True(allocator.Allocate().Success);
        Assert.True(allocator.Allocate().Success);
        Assert.Equal(IpFamily.IPv4, allocator.Allocate().ExhaustedFamily);

        allocator.AddRange(Spec("10.100.0.0/16", 17)); // inside the service range 10.96.0.0/12: fully excluded
        Assert.Equal(IpFamily.IPv4, allocator.Allocate().ExhaustedFamily);
        Assert.Equal((UInt128)2, allocator.Ranges[2].GetStatistics().Excluded);

        allocator.AddRange(Spec("172.16.0.0/16", 17));
        Assert.Equal(4, allocator.Ranges.Count);
        allocator.Release(IpBlock.Parse("fd00::/121"));
        var next = allocator.Allocate();
        Assert.Equal(["172.16.0.0/17", "fd00::/121"], Texts(next));
        Assert.Same(allocator.Ranges[3], next.Blocks[0].Range);

        var overlap = Assert.Throws<ArgumentException>(() => allocator.AddRange(Spec("10.0.0.128/25", 26)));
        Assert.Contains("10.0.0.0/24", overlap.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => allocator.AddRange(Spec("10.9.0.0/16", 15)));
        Assert.Equal(4, allocator.Ranges.Count);
    }

    [Fact]
    public void Overlapping_ranges_at_construction_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new CidrAllocator([Spec("10.0.0.0/8", 24), Spec("10.1.0.0/16", 24)], []));
    }

    [Fact]
    public void Service_ranges_are_excluded_where_they_overlap_and_ignored_elsewhere()
    {
        var allocator = new CidrAllocator(
            [Spec("10.0.0.0/24", 26), Spec("fd00::/120", 122)],
            [IpBlock.Parse("10.0.0.0/26"), IpBlock.Parse("10.96.0.0/12"), IpBlock.Parse("fd00:1::/120")]);
        var ipv4 = allocator.Ranges[0].GetStatistics();
        Assert.Equal((UInt128)1, ipv4.Excluded);
        Assert.Equal(UInt128.Zero, ipv4.InUse);
        Assert.Equal(UInt128.Zero, allocator.Ranges[1].GetStatistics().Excluded);

        Assert.Equal(["10.0.0.64/26", "fd00::/122"], Texts(allocator.Allocate()));

        // Releasing the service block (e.g. a bogus node CIDR) must not free it.
        Assert.Equal(new OccupyResult(true, 1, 0), allocator.Release(IpBlock.Parse("10.0.0.0/26")));
        Assert.Equal(new OccupyResult(true, 1, 0), allocator.Occupy(IpBlock.Parse("10.0.0.0/26")));
        Assert.Equal(["10.0.0.128/26", "fd00::40/122"], Texts(allocator.Allocate()));
        Assert.Equal(["10.0.0.192/26", "fd00::80/122"], Texts(allocator.Allocate()));
        Assert.Equal(IpFamily.IPv4, allocator.Allocate().ExhaustedFamily);
    }

    [Fact]
    public void Occupy_and_release_are_routed_to_the_overlapping_ranges()
    {
        var allocator = new CidrAllocator([Spec("10.0.0.0/24", 26), Spec("10.0.1.0/24", 26), Spec("fd00::/64", 80)], []);
        Assert.Equal(new OccupyResult(true, 8, 8), allocator.Occupy(IpBlock.Parse("10.0.0.0/23")));
        Assert.Equal((UInt128)4, allocator.Ranges[1].GetStatistics().InUse);
        Assert.Equal(new OccupyResult(false, 0, 0), allocator.Occupy(IpBlock.Parse("10.0.2.0/24")));
        Assert.Equal(new OccupyResult(false, 0, 0), allocator.Release(IpBlock.Parse("fd01::/64")));
        Assert.Equal(new OccupyResult(true, 1, 1), allocator.Occupy(IpBlock.Parse("fd00::abcd/128")));
        Assert.Equal(new OccupyResult(true, 1, 1), allocator.Release(IpBlock.Parse("10.0.1.64/26")));

        Assert.Same(allocator.Ranges[1], allocator.FindRange(IpBlock.Parse("10.0.1.77/32")));
        Assert.Same(allocator.Ranges[2], allocator.FindRange(IpBlock.Parse("fd00::/80")));
        Assert.Null(allocator.FindRange(IpBlock.Parse("10.0.2.0/24")));
        Assert.Null(allocator.FindRange(IpBlock.Parse("fe80::/64")));
    }
}
