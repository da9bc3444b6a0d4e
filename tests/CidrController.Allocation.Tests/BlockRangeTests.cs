using CidrController.Allocation;

namespace CidrController.Allocation.Tests;

// Table cases from upstream's cidr_set_test.go and the issue, written out literally.
public class BlockRangeTests
{
    public static TheoryData<string> Storages => new() { "dense", "sparse" };

    [Theory]
    [MemberData(nameof(Storages))]
    public void Ipv6_block_6425_of_a_slash56_at_slash72_crosses_the_64_bit_halves(string storage)
    {
        var range = Create(storage, "2001:db8:1234:ff00::/56", 72);
        Assert.Equal("2001:db8:1234:ff19:1900::/72", range.BlockAt(6425).ToString());
        Assert.Equal((UInt128)65536, range.GetStatistics().TotalBlocks);
        Assert.Equal("2001:db8:1234:ffff:ff00::/72", range.BlockAt(65535).ToString());

        Assert.Equal(new OccupyResult(true, 1, 1), range.Occupy(IpBlock.Parse("2001:db8:1234:ff19:1900::/72")));
        Assert.True(range.IsUsed(6425));
        Assert.False(range.IsUsed(6424));
        Assert.False(range.IsUsed(6426));
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void Host_bits_of_the_cluster_are_masked_and_block_5_is_213(string storage)
    {
        var range = Create(storage, "192.168.5.219/28", 32);
        Assert.Equal("192.168.5.208/28", range.Cluster.ToString());
        Assert.Equal("192.168.5.213/32", range.BlockAt(5).ToString());
        var handedOut = AllocateAll(range);
        Assert.Equal(16, handedOut.Count);
        Assert.Equal("192.168.5.208/32", handedOut[0]);
        Assert.Equal("192.168.5.213/32", handedOut[5]);
        Assert.Equal("192.168.5.223/32", handedOut[15]);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void Occupying_a_slash2_inside_a_slash8_at_slash16_takes_all_256_blocks(string storage)
    {
        var range = Create(storage, "10.0.0.0/8", 16);
        var result = range.Occupy(IpBlock.Parse("0.0.0.0/2"));
        Assert.Equal(new OccupyResult(true, 256, 256), result);
        Assert.Equal((UInt128)256, range.GetStatistics().InUse);
        Assert.False(range.TryAllocateNext(out _, out _));
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void Occupying_127_0_slash15_in_127_slash7_at_slash16_takes_blocks_256_and_257(string storage)
    {
        var range = Create(storage, "127.0.0.0/7", 16);
        Assert.Equal("126.0.0.0/7", range.Cluster.ToString());
        Assert.Equal(new OccupyResult(true, 2, 2), range.Occupy(IpBlock.Parse("127.0.0.0/15")));
        Assert.False(range.IsUsed(255));
        Assert.True(range.IsUsed(256));
        Assert.True(range.IsUsed(257));
        Assert.False(range.IsUsed(258));
        Assert.Equal((UInt128)2, range.GetStatistics().InUse);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void Occupying_a_slash22_over_an_occupied_slash24_adds_3(string storage)
    {
        var range = Create(storage, "10.0.0.0/16", 24);
        Assert.Equal(new OccupyResult(true, 1, 1), range.Occupy(IpBlock.Parse("10.0.1.0/24")));
        Assert.Equal(new OccupyResult(true, 4, 3), range.Occupy(IpBlock.Parse("10.0.0.0/22")));
        Assert.Equal(new OccupyResult(true, 4, 0), range.Occupy(IpBlock.Parse("10.0.0.0/22"))); // idempotent
        var stats = range.GetStatistics();
        Assert.Equal((UInt128)4, stats.InUse);
        Assert.Equal(4UL, stats.AllocationsTotal);

        Assert.Equal(new OccupyResult(true, 1, 1), range.Release(IpBlock.Parse("10.0.2.0/24")));
        Assert.Equal(new OccupyResult(true, 1, 0), range.Release(IpBlock.Parse("10.0.2.0/24")));
        Assert.Equal(new OccupyResult(true, 4, 3), range.Release(IpBlock.Parse("10.0.0.0/22")));
        stats = range.GetStatistics();
        Assert.Equal(UInt128.Zero, stats.InUse);
        Assert.Equal(4UL, stats.ReleasesTotal);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void A_smaller_cidr_takes_its_enclosing_block(string storage)
    {
        var range = Create(storage, "10.0.0.0/16", 24);
        Assert.Equal(new OccupyResult(true, 1, 1), range.Occupy(IpBlock.Parse("10.0.5.16/28")));
        Assert.True(range.IsUsed(5));
        Assert.Equal(new OccupyResult(true, 1, 0), range.Occupy(IpBlock.Parse("10.0.5.200/32")));
        Assert.Equal(new OccupyResult(true, 1, 1), range.Release(IpBlock.Parse("10.0.5.255/32")));
        Assert.False(range.IsUsed(5));
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void A_cidr_containing_the_cluster_covers_every_block(string storage)
    {
        var range = Create(storage, "10.0.0.0/16", 20);
        Assert.Equal(new OccupyResult(true, 16, 16), range.Occupy(IpBlock.Parse("0.0.0.0/0")));
        Assert.Equal(new OccupyResult(true, 16, 16), range.Release(IpBlock.Parse("10.0.0.0/8")));
        Assert.Equal(new OccupyResult(true, 16, 16), range.Occupy(IpBlock.Parse("10.0.0.0/16")));
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void Cidrs_outside_the_range_or_of_another_family_are_errors(string storage)
    {
        var range = Create(storage, "10.0.0.0/16", 24);
        Assert.Equal(new OccupyResult(false, 0, 0), range.Occupy(IpBlock.Parse("10.1.0.0/24")));
        Assert.Equal(new OccupyResult(false, 0, 0), range.Occupy(IpBlock.Parse("::/0")));
        Assert.Equal(new OccupyResult(false, 0, 0), range.Release(IpBlock.Parse("11.0.0.0/8")));
        Assert.Equal(UInt128.Zero, range.GetStatistics().InUse);
        Assert.Equal(0UL, range.GetStatistics().AllocationsTotal);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void A_slash30_cluster_at_slash30_yields_one_block_then_exhaustion(string storage)
    {
        var range = Create(storage, "10.0.0.0/30", 30);
        Assert.True(range.TryAllocateNext(out var block, out var skipped));
        Assert.Equal("10.0.0.0/30", block.ToString());
        Assert.Equal(UInt128.Zero, skipped);
        Assert.False(range.TryAllocateNext(out var none, out _));
        Assert.Equal(default, none);
        Assert.False(range.TryAllocateNext(out _, out _));

        Assert.Equal(new OccupyResult(true, 1, 1), range.Release(block));
        Assert.True(range.TryAllocateNext(out var again, out _));
        Assert.Equal(block, again);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void Releasing_everything_and_allocating_again_yields_the_identical_sequence(string storage)
    {
        var range = Create(storage, "fd00:1234::/120", 124);
        var first = AllocateAll(range);
        Assert.Equal(16, first.Count);
        Assert.Equal("fd00:1234::/124", first[0]);
        Assert.Equal("fd00:1234::10/124", first[1]);
        Assert.Equal("fd00:1234::f0/124", first[15]);
        foreach (var text in first)
        {
            range.Release(IpBlock.Parse(text));
        }

        Assert.Equal(first, AllocateAll(range));
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void After_occupying_the_lower_half_the_next_block_is_10_0_128_0_with_128_skipped(string storage)
    {
        var range = Create(storage, "10.0.0.0/16", 24);
        Assert.Equal(new OccupyResult(true, 128, 128), range.Occupy(IpBlock.Parse("10.0.0.0/17")));
        Assert.Equal(UInt128.Zero, range.Cursor); // Occupy does not move the cursor
        Assert.True(range.TryAllocateNext(out var block, out var skipped));
        Assert.Equal("10.0.128.0/24", block.ToString());
        Assert.Equal((UInt128)128, skipped);
        Assert.Equal((UInt128)129, range.Cursor);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void A_released_block_comes_back_only_after_the_cursor_wraps(string storage)
    {
        var range = Create(storage, "10.0.0.0/24", 26);
        var all = AllocateAll(range); // .0 .64 .128 .192
        Assert.Equal(["10.0.0.0/26", "10.0.0.64/26", "10.0.0.128/26", "10.0.0.192/26"], all);
        range.Release(IpBlock.Parse("10.0.0.64/26"));
        range.Release(IpBlock.Parse("10.0.0.192/26"));
        Assert.True(range.TryAllocateNext(out var block, out var skipped));
        Assert.Equal("10.0.0.64/26", block.ToString()); // cursor was 0 after the wrap: scan 0 (used) then 1
        Assert.Equal(UInt128.One, skipped);
        range.Release(IpBlock.Parse("10.0.0.0/26"));
        Assert.True(range.TryAllocateNext(out block, out skipped));
        Assert.Equal("10.0.0.192/26", block.ToString()); // .0 is free but behind the cursor
        Assert.Equal(UInt128.One, skipped);
        Assert.True(range.TryAllocateNext(out block, out skipped));
        Assert.Equal("10.0.0.0/26", block.ToString()); // wrapped
        Assert.Equal(UInt128.Zero, skipped);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void Service_slash26_in_a_slash24_at_slash30_starts_at_64_and_skips_to_76(string storage)
    {
        var range = Create(storage, "10.0.0.0/24", 30);
        range.Exclude(IpBlock.Parse("10.0.0.0/26"));
        Assert.True(range.TryAllocateNext(out var block, out var skipped));
        Assert.Equal("10.0.0.64/30", block.ToString());
        Assert.Equal((UInt128)16, skipped);

        var fresh = Create(storage, "10.0.0.0/24", 30);
        fresh.Exclude(IpBlock.Parse("10.0.0.0/26"));
        foreach (var taken in new[] { "10.0.0.64/30", "10.0.0.68/30", "10.0.0.72/30", "10.0.0.80/30" })
        {
            Assert.Equal(new OccupyResult(true, 1, 1), fresh.Occupy(IpBlock.Parse(taken)));
        }

        Assert.True(fresh.TryAllocateNext(out block, out skipped));
        Assert.Equal("10.0.0.76/30", block.ToString());
        Assert.Equal((UInt128)19, skipped);
        var stats = fresh.GetStatistics();
        Assert.Equal((UInt128)16, stats.Excluded);
        Assert.Equal((UInt128)5, stats.InUse);
        Assert.Equal((UInt128)64, stats.TotalBlocks);
        Assert.Equal((UInt128)43, stats.Free);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void Release_never_frees_an_excluded_block(string storage)
    {
        var range = Create(storage, "10.0.0.0/24", 28);
        range.Occupy(IpBlock.Parse("10.0.0.32/28"));
        range.Exclude(IpBlock.Parse("10.0.0.32/27")); // blocks 2 and 3; 2 was node-held
        var stats = range.GetStatistics();
        Assert.Equal((UInt128)2, stats.Excluded);
        Assert.Equal(UInt128.Zero, stats.InUse);

        range.Occupy(IpBlock.Parse("10.0.0.16/28"));
        range.Occupy(IpBlock.Parse("10.0.0.64/28"));
        Assert.Equal(new OccupyResult(true, 16, 2), range.Release(IpBlock.Parse("10.0.0.0/24")));
        Assert.Equal(new OccupyResult(true, 1, 0), range.Release(IpBlock.Parse("10.0.0.48/28")));
        Assert.True(range.IsUsed(2));
        Assert.True(range.IsUsed(3));
        Assert.Equal(new OccupyResult(true, 1, 0), range.Occupy(IpBlock.Parse("10.0.0.40/29"))); // overlap with the service range
        var handedOut = AllocateAll(range);
        Assert.Equal(14, handedOut.Count);
        Assert.DoesNotContain("10.0.0.32/28", handedOut);
        Assert.DoesNotContain("10.0.0.48/28", handedOut);
    }

    [Theory]
    [MemberData(nameof(Storages))]
    public void A_service_range_outside_the_cluster_changes_nothing(string storage)
    {
        var range = Create(storage, "10.0.0.0/24", 28);
        range.Exclude(IpBlock.Parse("10.96.0.0/12"));
        range.Exclude(IpBlock.Parse("fd00::/108"));
        Assert.Equal(new RangeStatistics(16, 0, 0, 0, 0, 16), range.GetStatistics());
        Assert.True(range.TryAllocateNext(out var block, out _));
        Assert.Equal("10.0.0.0/28", block.ToString());
    }

    [Fact]
    public void Counters_follow_real_state_changes_only()
    {
        var range = new BlockRange(Spec("10.0.0.0/16", 24));
        for (var i = 0; i < 3; i++)
        {
            Assert.True(range.TryAllocateNext(out _, out _));
        }

        range.Occupy(IpBlock.Parse("10.0.1.0/24"));        // already held: no change
        range.Occupy(IpBlock.Parse("10.0.9.0/24"));
        range.Release(IpBlock.Parse("10.0.0.0/24"));
        range.Release(IpBlock.Parse("10.0.0.0/24"));
        range.Release(IpBlock.Parse("10.0.200.0/24"));      // was free: no change
        Assert.Equal(new RangeStatistics(256, 3, 0, 4, 1, 256), range.GetStatistics());
    }

    [Theory]
    [InlineData("10.0.0.0/16", 15)]
    [InlineData("10.0.0.0/16", 33)]
    [InlineData("fd00::/48", 47)]
    [InlineData("fd00::/48", 129)]
    public void Rejects_a_node_mask_that_does_not_fit(string cluster, int mask)
    {
        var thrown = Assert.Throws<ArgumentException>(() => new BlockRange(Spec(cluster, mask)));
        Assert.Contains(IpBlock.Parse(cluster).ToString(), thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_is_dense_up_to_2_pow_24_blocks_and_sparse_above()
    {
        Assert.IsType<DenseBlockBitmap>(new BlockRange(Spec("10.0.0.0/8", 32)).Storage);
        Assert.IsType<SparseBlockRuns>(new BlockRange(Spec("fd00::/48", 73)).Storage);
    }

    [Fact]
    public void Fd00_slash48_at_slash112_has_2_pow_64_blocks_and_memory_follows_use()
    {
        var range = new BlockRange(Spec("fd00::/48", 112));
        Assert.Equal(UInt128.One << 64, range.GetStatistics().TotalBlocks);
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(range.TryAllocateNext(out _, out _));
        }

        Assert.Equal("fd00::1:0/112", range.BlockAt(1).ToString());
        Assert.Equal("fd00::ffff:ffff:ffff:ffff:0/112", range.BlockAt(ulong.MaxValue).ToString());
        Assert.Equal((UInt128)10_000, range.GetStatistics().InUse);
        Assert.True(range.Storage.ApproximateBytes < 4096, $"{range.Storage.ApproximateBytes} bytes");

        // Occupying a /64 spans 2^48 blocks and still costs one run.
        Assert.Equal(new OccupyResult(true, UInt128.One << 48, UInt128.One << 48), range.Occupy(IpBlock.Parse("fd00:0:0:8000::/64")));
        Assert.Equal((UInt128)10_000 + (UInt128.One << 48), range.GetStatistics().InUse);
    }

    [Fact]
    public void The_whole_ipv6_space_at_slash128_does_not_overflow()
    {
        var range = new BlockRange(Spec("::/0", 128));
        var stats = range.GetStatistics();
        Assert.Equal(UInt128.MaxValue, stats.TotalBlocks);
        Assert.Equal(UInt128.One, stats.AddressesPerBlock);

        Assert.True(range.TryAllocateNext(out var block, out _));
        Assert.Equal("::/128", block.ToString());
        Assert.Equal(new OccupyResult(true, 1, 1), range.Occupy(IpBlock.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")));
        Assert.True(range.TryAllocateNext(out block, out _));
        Assert.Equal("::1/128", block.ToString());

        Assert.Equal(new OccupyResult(true, UInt128.MaxValue, UInt128.MaxValue - 2), range.Occupy(IpBlock.Parse("::/0")));
        Assert.Equal(UInt128.MaxValue, range.GetStatistics().InUse);
        Assert.False(range.TryAllocateNext(out _, out _));

        Assert.Equal(new OccupyResult(true, UInt128.MaxValue, UInt128.MaxValue), range.Release(IpBlock.Parse("::/0")));
        Assert.Equal(UInt128.Zero, range.GetStatistics().InUse);
        Assert.True(range.TryAllocateNext(out block, out _));
        Assert.Equal("::2/128", block.ToString()); // the cursor survived
    }

    [Fact]
    public void The_whole_ipv4_space_at_slash0_is_one_block()
    {
        var range = new BlockRange(Spec("0.0.0.0/0", 0));
        Assert.True(range.TryAllocateNext(out var block, out _));
        Assert.Equal("0.0.0.0/0", block.ToString());
        Assert.False(range.TryAllocateNext(out _, out _));
        Assert.Equal(new OccupyResult(true, 1, 1), range.Release(IpBlock.Parse("10.0.0.0/8")));
    }

    internal static RangeSpec Spec(string cluster, int mask) => new(IpBlock.Parse(cluster), mask);

    internal static BlockRange Create(string storage, string cluster, int mask) =>
        storage == "sparse" ? BlockRange.CreateSparse(Spec(cluster, mask)) : new BlockRange(Spec(cluster, mask));

    internal static List<string> AllocateAll(BlockRange range)
    {
        var handedOut = new List<string>();
        while (range.TryAllocateNext(out var block, out _))
        {
            handedOut.Add(block.ToString());
        }

        return handedOut;
    }
}
