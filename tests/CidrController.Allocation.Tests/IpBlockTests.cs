using CidrController.Allocation;

namespace CidrController.Allocation.Tests;

public class IpBlockTests
{
    [Theory]
    [InlineData("10.1.0.0/16", "10.1.0.0/16", IpFamily.IPv4, 16)]
    [InlineData("10.1.2.3/16", "10.1.0.0/16", IpFamily.IPv4, 16)]
    [InlineData("192.168.5.219/28", "192.168.5.208/28", IpFamily.IPv4, 28)]
    [InlineData("  10.244.0.0/24\t", "10.244.0.0/24", IpFamily.IPv4, 24)]
    [InlineData("0.0.0.0/0", "0.0.0.0/0", IpFamily.IPv4, 0)]
    [InlineData("255.255.255.255/32", "255.255.255.255/32", IpFamily.IPv4, 32)]
    [InlineData("255.255.255.255/0", "0.0.0.0/0", IpFamily.IPv4, 0)]
    [InlineData("fd00::/48", "fd00::/48", IpFamily.IPv6, 48)]
    [InlineData("FD00:10:244::/56", "fd00:10:244::/56", IpFamily.IPv6, 56)]
    [InlineData("2001:0db8:1234:ff19:1900:0000:0000:0000/72", "2001:db8:1234:ff19:1900::/72", IpFamily.IPv6, 72)]
    [InlineData("2001:db8:1234:ff19:19ff::1/72", "2001:db8:1234:ff19:1900::/72", IpFamily.IPv6, 72)]
    [InlineData("2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128", IpFamily.IPv6, 128)]
    [InlineData("2001:0:0:1:0:0:0:1/128", "2001:0:0:1::1/128", IpFamily.IPv6, 128)]
    [InlineData("2001:db8:0:1:1:1:1:1/128", "2001:db8:0:1:1:1:1:1/128", IpFamily.IPv6, 128)]
    [InlineData("::/0", "::/0", IpFamily.IPv6, 0)]
    [InlineData("::1/128", "::1/128", IpFamily.IPv6, 128)]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", IpFamily.IPv6, 128)]
    [InlineData("64:ff9b::192.0.2.0/120", "64:ff9b::c000:200/120", IpFamily.IPv6, 120)]
    public void Parses_valid_cidrs_masking_host_bits(string text, string canonical, IpFamily family, int prefix)
    {
        Assert.True(IpBlock.TryParse(text, out var block, out var error), error);
        Assert.Equal(string.Empty, error);
        Assert.Equal(canonical, block.ToString());
        Assert.Equal(family, block.Family);
        Assert.Equal(prefix, block.PrefixLength);
        Assert.Equal(block, IpBlock.Parse(canonical));
    }

    [Theory]
    [InlineData("10.0.0.0")]            // no '/': IPNetwork2 would guess a classful /8
    [InlineData("fd00::")]
    [InlineData("10.0.0.0/33")]
    [InlineData("fd00::/129")]
    [InlineData("::/129")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/+8")]
    [InlineData("10.0.0.0/")]
    [InlineData("/")]
    [InlineData("/24")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("10.0.0.0/8/8")]
    [InlineData("10.0.0.0 /8")]
    [InlineData("10.0. 0.0/8")]
    [InlineData("10.1/16")]             // IPAddress.TryParse takes this as 10.0.0.1
    [InlineData("1/8")]
    [InlineData("10.0.0.0.0/8")]
    [InlineData("256.0.0.0/8")]
    [InlineData("10.01.0.0/16")]         // leading zero: Go refuses it (octal ambiguity)
    [InlineData("0x0a.0.0.0/8")]
    [InlineData("fe80::1%eth0/64")]     // zone id
    [InlineData("[fd00::]/48")]
    [InlineData("fd00:::/48")]
    [InlineData("1:2:3:4:5:6:7:8:9/128")]
    [InlineData("::ffff:10.0.0.0/104")] // IPv4-mapped: family would be ambiguous
    [InlineData("garbage")]
    [InlineData("１０.0.0.0/8")]          // full-width digits
    [InlineData("10.0.0.0/８")]
    [InlineData("fd00::/4８")]
    [InlineData("ｆd00::/48")]
    [InlineData("10.0.0.0/8\u0000")]
    public void Rejects_malformed_cidrs_with_a_message(string text)
    {
        Assert.False(IpBlock.TryParse(text, out var block, out var error));
        Assert.Equal(default, block);
        Assert.StartsWith("invalid CIDR address: ", error, StringComparison.Ordinal);
        var thrown = Assert.Throws<FormatException>(() => IpBlock.Parse(text));
        Assert.Equal(error, thrown.Message);
    }

    [Fact]
    public void Rejects_null_and_huge_input_without_throwing()
    {
        Assert.False(IpBlock.TryParse(null, out _, out var nullError));
        Assert.Equal("invalid CIDR address: <null>", nullError);

        var huge = new string('1', 10_000) + "/8";
        Assert.False(IpBlock.TryParse(huge, out _, out var hugeError));
        Assert.True(hugeError.Length < 120, hugeError);

        var hugeV6 = string.Concat(Enumerable.Repeat("f:", 5_000)) + ":/64";
        Assert.False(IpBlock.TryParse(hugeV6, out _, out _));
    }

    [Fact]
    public void Message_names_the_input()
    {
        Assert.False(IpBlock.TryParse("10.0.0.0/33", out _, out var error));
        Assert.Equal("invalid CIDR address: 10.0.0.0/33", error);
    }

    [Fact]
    public void Constructor_masks_host_bits_and_validates()
    {
        var block = new IpBlock(IpFamily.IPv4, 0x0A010203, 16);
        Assert.Equal((UInt128)0x0A010000, block.Address);
        Assert.Equal("10.1.0.0/16", block.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new IpBlock(IpFamily.IPv4, 0, 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IpBlock(IpFamily.IPv6, 0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IpBlock(IpFamily.IPv4, (UInt128)uint.MaxValue + 1, 32));
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.0.0/16", true, true)]
    [InlineData("10.1.0.0/16", "10.0.0.0/8", false, true)]
    [InlineData("10.0.0.0/16", "10.1.0.0/16", false, false)]
    [InlineData("10.0.0.0/8", "10.0.0.0/8", true, true)]
    [InlineData("0.0.0.0/0", "255.255.255.255/32", true, true)]
    [InlineData("::/0", "10.0.0.0/8", false, false)]           // families never mix
    [InlineData("0.0.0.0/0", "::/0", false, false)]
    [InlineData("fd00::/48", "fd00:0:0:ffff::/64", true, true)]
    [InlineData("fd00::/48", "fd00:0:1::/64", false, false)]
    public void Contains_and_overlaps(string outer, string inner, bool contains, bool overlaps)
    {
        var a = IpBlock.Parse(outer);
        var b = IpBlock.Parse(inner);
        Assert.Equal(contains, a.Contains(b));
        Assert.Equal(overlaps, a.Overlaps(b));
        Assert.Equal(overlaps, b.Overlaps(a));
    }

    [Theory]
    [InlineData("10.0.0.0/8", "16777216")]
    [InlineData("10.0.0.0/32", "1")]
    [InlineData("0.0.0.0/0", "4294967296")]
    [InlineData("fd00::/64", "18446744073709551616")]
    [InlineData("::/1", "170141183460469231731687303715884105728")]
    [InlineData("::/0", "340282366920938463463374607431768211455")] // 2^128 saturates
    public void Address_count(string text, string expected)
    {
        Assert.Equal(UInt128.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), IpBlock.Parse(text).AddressCount);
        Assert.Equal(text.Contains(':', StringComparison.Ordinal) ? 128 : 32, IpBlock.Parse(text).MaxPrefixLength);
    }
}
