using System.Buffers.Binary;
using System.Net;
using System.Numerics;

using CidrController.Allocation;

using CsCheck;

namespace CidrController.Allocation.Tests;

/// <summary>
/// IPNetwork2, a widely used CIDR library, as an independent oracle for the allocator's own address arithmetic:
/// for random canonical CIDRs both must agree on the network, last address, size, containment, overlap and the
/// n-th node block of a cluster range. The allocator keeps its own types on the hot path (UInt128 arithmetic, no
/// allocation, refusals IPNetwork2 does not make — pinned at the end); this is where a second implementation earns
/// its place.
/// </summary>
public sealed class IpNetwork2OracleTests
{
    private static readonly Gen<(IpBlock Block, string Text)> Cidrs =
        from v6 in Gen.Bool
        from prefixPick in Gen.Int[0, 128]
        from high in Gen.ULong
        from low in Gen.ULong
        select Canonical(v6, prefixPick, high, low);

    [Fact]
    public void NetworkLastAddressAndSizeAgree() => Cidrs.Sample(c =>
    {
        var network = IPNetwork2.Parse(c.Text);
        Assert.Equal(network.Network, ToAddress(c.Block.Family, c.Block.Address));
        Assert.Equal(LastAddress(network), ToAddress(c.Block.Family, c.Block.LastAddress));
        if (c.Block.AddressCount != UInt128.MaxValue)
        {
            // IpBlock saturates ::/0 (2^128 addresses) at UInt128.MaxValue.
            Assert.Equal(network.Total, (BigInteger)c.Block.AddressCount);
        }

        Assert.Equal(network.Cidr, c.Block.PrefixLength);
    }, iter: 2000);

    [Fact]
    public void ContainmentAndOverlapAgree() => Gen.Select(Cidrs, Cidrs, Gen.Int[0, 128]).Sample((a, b, shared) =>
    {
        // Half the pairs share a long prefix, so containment is not almost always false.
        var second = a.Block.Family == b.Block.Family && shared % 2 == 0
            ? Canonical(a.Block.Family == IpFamily.IPv6, b.Block.PrefixLength, (ulong)(a.Block.Address >> 64), (ulong)a.Block.Address ^ (ulong)shared)
            : b;
        var (x, y) = (IPNetwork2.Parse(a.Text), IPNetwork2.Parse(second.Text));
        var sameFamily = a.Block.Family == second.Block.Family;
        Assert.Equal(sameFamily && x.Contains(y), a.Block.Contains(second.Block));
        Assert.Equal(sameFamily && x.Overlap(y), a.Block.Overlaps(second.Block));
    }, iter: 2000);

    [Fact]
    public void TheNthNodeBlockOfAClusterRangeIsTheNthSubnet() =>
        Gen.Select(Cidrs, Gen.Int[0, 16], Gen.ULong).Sample((cluster, extraBits, pick) =>
        {
            var nodeMask = Math.Min(cluster.Block.PrefixLength + extraBits, cluster.Block.MaxPrefixLength);
            var range = new BlockRange(new RangeSpec(cluster.Block, nodeMask));
            var subnets = IPNetwork2.Parse(cluster.Text).Subnet((byte)nodeMask);
            Assert.Equal(subnets.Count, (BigInteger)range.BlockCount);
            foreach (var index in new[] { UInt128.Zero, (UInt128)pick % range.BlockCount, range.BlockCount - 1 })
            {
                // Addresses, not texts: .NET writes ::a84:0 as ::10.132.0.0 (the deprecated IPv4-compatible form);
                // IpBlock writes what Go, and so the API server, writes.
                var (expected, block) = (subnets[(BigInteger)index], range.BlockAt(index));
                Assert.Equal(expected.Network, ToAddress(block.Family, block.Address));
                Assert.Equal(expected.Cidr, block.PrefixLength);
            }
        }, iter: 500);

    /// <summary>Texts IPNetwork2 silently reinterprets, which the controller must refuse with an error instead.</summary>
    [Theory]
    [InlineData("10.0.0.0", "10.0.0.0/8")]               // no prefix: a classful guess
    [InlineData("010.0.0.0/8", "8.0.0.0/8")]             // a leading zero read as octal
    [InlineData("1.2.3/24", "1.2.0.0/24")]               // a missing octet filled in
    [InlineData("fe80::1%eth0/64", "fe80::/64")]         // a zone dropped
    public void IpBlockRefusesWhatIpNetwork2Reinterprets(string text, string ipNetwork2Reading)
    {
        Assert.True(IPNetwork2.TryParse(text, out var reading));
        Assert.Equal(ipNetwork2Reading, reading.ToString());
        Assert.False(IpBlock.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }

    private static (IpBlock Block, string Text) Canonical(bool v6, int prefixPick, ulong high, ulong low)
    {
        var family = v6 ? IpFamily.IPv6 : IpFamily.IPv4;
        var bits = v6 ? 128 : 32;
        var prefix = prefixPick % (bits + 1);
        var address = v6 ? ((UInt128)high << 64) | low : low & uint.MaxValue;
        var hostBits = bits - prefix;
        var mask = hostBits >= 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        var block = new IpBlock(family, address & ~mask, prefix);
        return (block, block.ToString());
    }

    private static IPAddress ToAddress(IpFamily family, UInt128 address)
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return family == IpFamily.IPv4 ? new IPAddress(bytes.AsSpan(12, 4)) : new IPAddress(bytes);
    }

    /// <summary>IPNetwork2 names the last address of an IPv4 network its broadcast and of an IPv6 one its last usable.</summary>
    private static IPAddress LastAddress(IPNetwork2 network) => network.Broadcast ?? network.LastUsable;
}
