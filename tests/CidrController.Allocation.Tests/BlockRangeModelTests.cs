using CidrController.Allocation;

using CsCheck;

namespace CidrController.Allocation.Tests;

// Long random sequences of allocate/occupy/release/exclude, on random small IPv4 and IPv6 ranges, run against
// the dense bitmap, the sparse run list and the reference model: every answer must be the same.
public class BlockRangeModelTests
{
    private static readonly Gen<Scenario> Scenarios =
        from v6 in Gen.Bool
        from blockBits in Gen.Int[0, 8]
        from prefixPick in Gen.Int[0, 1000]
        from high in Gen.ULong
        from low in Gen.ULong
        from ops in Gen.Int[1, 400]
        from seed in Gen.Int
        select Scenario.Create(v6, blockBits, prefixPick, high, low, ops, seed);

    [Fact]
    public void Dense_sparse_and_the_reference_model_give_the_same_answers()
    {
        Scenarios.Sample(Run, iter: 400);
    }

    private static void Run(Scenario scenario)
    {
        var spec = new RangeSpec(scenario.Cluster, scenario.Mask);
        var dense = new BlockRange(spec);
        var sparse = BlockRange.CreateSparse(spec);
        var model = new ReferenceRange(scenario.Cluster, scenario.Mask);
        var live = new List<IpBlock>();
        var random = new Random(scenario.Seed);

        for (var step = 0; step < scenario.Ops; step++)
        {
            var roll = random.Next(100);
            if (roll < 50)
            {
                var expected = model.AllocateNext(out var expectedSkipped);
                var denseOk = dense.TryAllocateNext(out var denseBlock, out var denseSkipped);
                var sparseOk = sparse.TryAllocateNext(out var sparseBlock, out var sparseSkipped);
                Assert.Equal(expected.HasValue, denseOk);
                Assert.Equal(expected.HasValue, sparseOk);
                if (expected is { } block)
                {
                    Assert.Equal(block, denseBlock);
                    Assert.Equal(block, sparseBlock);
                    Assert.Equal((UInt128)expectedSkipped, denseSkipped);
                    Assert.Equal((UInt128)expectedSkipped, sparseSkipped);
                    Assert.DoesNotContain(live, held => held.Overlaps(block));
                    live.Add(block);
                }
            }
            else if (roll < 95)
            {
                var cidr = roll < 80 && live.Count > 0 ? live[random.Next(live.Count)] : scenario.RandomCidr(random);
                if (roll < 70)
                {
                    var expected = model.Occupy(cidr);
                    Assert.Equal(expected, dense.Occupy(cidr));
                    Assert.Equal(expected, sparse.Occupy(cidr));
                    if (expected.InRange)
                    {
                        live.RemoveAll(held => held.Overlaps(cidr)); // now held by "another node"
                    }
                }
                else
                {
                    var expected = model.Release(cidr);
                    Assert.Equal(expected, dense.Release(cidr));
                    Assert.Equal(expected, sparse.Release(cidr));
                    live.RemoveAll(held => held.Overlaps(cidr));
                }
            }
            else
            {
                var cidr = scenario.RandomCidr(random);
                model.Exclude(cidr);
                dense.Exclude(cidr);
                sparse.Exclude(cidr);
                live.RemoveAll(held => held.Overlaps(cidr));
            }

            var stats = dense.GetStatistics();
            Assert.Equal(stats, sparse.GetStatistics());
            Assert.Equal((UInt128)model.InUse, stats.InUse);
            Assert.Equal((UInt128)model.Excluded, stats.Excluded);
        }

        for (var i = 0; i < 1 << (scenario.Mask - scenario.Cluster.PrefixLength); i++)
        {
            Assert.Equal(model.IsUsed(i), dense.IsUsed((UInt128)i));
            Assert.Equal(model.IsUsed(i), sparse.IsUsed((UInt128)i));
        }
    }

    internal sealed record Scenario(IpBlock Cluster, int Mask, int Ops, int Seed)
    {
        public static Scenario Create(bool v6, int blockBits, int prefixPick, ulong high, ulong low, int ops, int seed)
        {
            // IPv6 prefixes 40..120 so blocks straddle the 64-bit halves; IPv4 anywhere.
            var family = v6 ? IpFamily.IPv6 : IpFamily.IPv4;
            var max = v6 ? 128 : 32;
            var minPrefix = v6 ? 40 : 0;
            var prefix = minPrefix + (prefixPick % (max - blockBits - minPrefix + 1));
            var address = v6 ? new UInt128(high, low) : (UInt128)(uint)low;
            return new Scenario(new IpBlock(family, address, prefix), prefix + blockBits, ops, seed);
        }

        // A CIDR around the cluster: sizes from a few bits larger than the cluster to a few bits smaller than a
        // block, addresses mostly inside, sometimes just outside, sometimes of the other family.
        public IpBlock RandomCidr(Random random)
        {
            if (random.Next(20) == 0)
            {
                return Cluster.Family == IpFamily.IPv4 ? IpBlock.Parse("fd00::/64") : IpBlock.Parse("10.0.0.0/8");
            }

            var max = Cluster.MaxPrefixLength;
            var prefix = Math.Clamp(random.Next(Cluster.PrefixLength - 3, Mask + 4), 0, max);
            var span = Cluster.PrefixLength >= max ? UInt128.One : UInt128.One << (max - Cluster.PrefixLength);
            var offset = new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64()) % (span * 2);
            var address = (Cluster.Address + offset) & IpBlock.HostMask(max);
            return new IpBlock(Cluster.Family, address, prefix);
        }
    }
}
