using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CidrController.Allocation;

/// <summary>
/// An IP network: a family, an address whose host bits are always zero, and a prefix length.
/// IPv4 addresses live in the low 32 bits of <see cref="Address"/>.
/// </summary>
/// <remarks>
/// The constructor masks host bits off and rejects a prefix outside 0..32 / 0..128 or an IPv4 address
/// wider than 32 bits, so every instance is canonical and equality is network equality.
/// </remarks>
public readonly record struct IpBlock(IpFamily Family, UInt128 Address, int PrefixLength)
{
    private const int MaxEchoedLength = 64;

    public IpFamily Family { get; } = ValidFamily(Family);

    public int PrefixLength { get; } = ValidPrefix(Family, PrefixLength);

    public UInt128 Address { get; } = ValidAddress(Family, Address, PrefixLength);

    /// <summary>32 for IPv4, 128 for IPv6.</summary>
    public int MaxPrefixLength => MaxPrefixFor(Family);

    /// <summary>2^(max − prefix); <c>::/0</c> has 2^128 addresses and saturates at <see cref="UInt128.MaxValue"/>.</summary>
    public UInt128 AddressCount => HostBits >= 128 ? UInt128.MaxValue : UInt128.One << HostBits;

    /// <summary>The last address of the network (all host bits set).</summary>
    public UInt128 LastAddress => Address | HostMask(HostBits);

    private int HostBits => MaxPrefixLength - PrefixLength;

    /// <summary>True when <paramref name="other"/> is of the same family and lies inside this network.</summary>
    public bool Contains(IpBlock other) =>
        other.Family == Family
        && other.PrefixLength >= PrefixLength
        && (other.Address & ~HostMask(HostBits)) == Address;

    /// <summary>True when both are of the same family and either contains the other.</summary>
    public bool Overlaps(IpBlock other) => Contains(other) || other.Contains(this);

    /// <summary>
    /// Parses <c>"10.1.2.3/16"</c> or <c>"fd00::/48"</c>. The <c>/</c> is required (IPNetwork2 would guess a
    /// classful mask without it); surrounding whitespace is trimmed, host bits are masked off. IPv4 must be a
    /// dotted quad without leading zeros (as Go's <c>net.ParseCIDR</c>); zone ids and IPv4-mapped IPv6
    /// addresses (whose family is ambiguous) are refused. Never throws.
    /// </summary>
    public static bool TryParse(string? text, out IpBlock block, out string error)
    {
        block = default;
        if (TryParseCore(text, out block))
        {
            error = string.Empty;
            return true;
        }

        error = "invalid CIDR address: " + Echo(text);
        return false;
    }

    /// <summary>As <see cref="TryParse(string?, out IpBlock, out string)"/>; throws <see cref="FormatException"/>.</summary>
    public static IpBlock Parse(string text)
    {
        return TryParse(text, out var block, out var error) ? block : throw new FormatException(error);
    }

    /// <summary>Canonical form: <c>10.1.0.0/16</c>, <c>2001:db8:1234:ff19:1900::/72</c> (RFC 5952, as Go prints it).</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(48);
        if (Family == IpFamily.IPv4)
        {
            AppendIPv4(builder, (uint)Address);
        }
        else
        {
            AppendIPv6(builder, Address);
        }

        return builder.Append('/').Append(PrefixLength.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    /// <summary>The address part alone, e.g. <c>10.1.0.0</c>.</summary>
    public string AddressString()
    {
        var text = ToString();
        return text[..text.IndexOf('/', StringComparison.Ordinal)];
    }

    internal static int MaxPrefixFor(IpFamily family) => family == IpFamily.IPv4 ? 32 : 128;

    /// <summary>The low <paramref name="bits"/> bits set; 128 or more gives all ones.</summary>
    internal static UInt128 HostMask(int bits) => bits >= 128 ? UInt128.MaxValue : (UInt128.One << bits) - UInt128.One;

    private static IpFamily ValidFamily(IpFamily family) =>
        family is IpFamily.IPv4 or IpFamily.IPv6
            ? family
            : throw new ArgumentOutOfRangeException(nameof(Family), family, "unknown IP family");

    private static int ValidPrefix(IpFamily family, int prefixLength) =>
        prefixLength >= 0 && prefixLength <= MaxPrefixFor(family)
            ? prefixLength
            : throw new ArgumentOutOfRangeException(nameof(PrefixLength), prefixLength, $"prefix length must be 0..{MaxPrefixFor(family)} for {family}");

    private static UInt128 ValidAddress(IpFamily family, UInt128 address, int prefixLength)
    {
        if (family == IpFamily.IPv4 && address > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(Address), "an IPv4 address must fit in 32 bits");
        }

        // Out-of-range prefixes throw in ValidPrefix first; clamp here only to keep this helper total.
        var hostBits = MaxPrefixFor(family) - Math.Clamp(prefixLength, 0, MaxPrefixFor(family));
        return address & ~HostMask(hostBits);
    }

    private static bool TryParseCore(string? text, out IpBlock block)
    {
        block = default;
        if (text is null)
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        var slash = span.IndexOf('/');
        if (slash <= 0 || slash != span.LastIndexOf('/'))
        {
            return false;
        }

        var addressPart = span[..slash];
        if (!TryParsePrefix(span[(slash + 1)..], out var prefix))
        {
            return false;
        }

        if (TryParseIPv4(addressPart, out var v4))
        {
            if (prefix > 32)
            {
                return false;
            }

            block = new IpBlock(IpFamily.IPv4, v4, prefix);
            return true;
        }

        if (!TryParseIPv6(addressPart, out var v6) || prefix > 128)
        {
            return false;
        }

        block = new IpBlock(IpFamily.IPv6, v6, prefix);
        return true;
    }

    private static bool TryParsePrefix(ReadOnlySpan<char> text, out int prefix)
    {
        prefix = 0;
        if (text.Length is 0 or > 3)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            prefix = (prefix * 10) + (c - '0');
        }

        return true;
    }

    private static bool TryParseIPv4(ReadOnlySpan<char> text, out UInt128 address)
    {
        address = 0;
        uint value = 0;
        var parts = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.')
            {
                continue;
            }

            if (!TryParseOctet(text[start..i], out var octet))
            {
                return false;
            }

            value = (value << 8) | octet;
            parts++;
            start = i + 1;
        }

        if (parts != 4)
        {
            return false;
        }

        address = value;
        return true;
    }

    private static bool TryParseOctet(ReadOnlySpan<char> text, out uint octet)
    {
        octet = 0;
        if (text.Length is 0 or > 3 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            octet = (octet * 10) + (uint)(c - '0');
        }

        return octet <= 255;
    }

    private static bool TryParseIPv6(ReadOnlySpan<char> text, out UInt128 address)
    {
        address = 0;
        if (text.Length is < 2 or > 45 || !text.Contains(':'))
        {
            return false;
        }

        // IPAddress.TryParse also takes zone ids, brackets and ports; allow only what an RFC 4291 text form uses.
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c) && c != ':' && c != '.')
            {
                return false;
            }
        }

        if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6 || parsed.IsIPv4MappedToIPv6)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!parsed.TryWriteBytes(bytes, out var written) || written != 16)
        {
            return false;
        }

        address = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return true;
    }

    private static void AppendIPv4(StringBuilder builder, uint address)
    {
        builder.Append((address >> 24).ToString(CultureInfo.InvariantCulture)).Append('.')
            .Append(((address >> 16) & 0xFF).ToString(CultureInfo.InvariantCulture)).Append('.')
            .Append(((address >> 8) & 0xFF).ToString(CultureInfo.InvariantCulture)).Append('.')
            .Append((address & 0xFF).ToString(CultureInfo.InvariantCulture));
    }

    // RFC 5952: lowercase, no leading zeros, the longest run (first on a tie) of two or more zero groups as "::".
    private static void AppendIPv6(StringBuilder builder, UInt128 address)
    {
        Span<ushort> groups = stackalloc ushort[8];
        for (var i = 0; i < 8; i++)
        {
            groups[i] = (ushort)(address >> (112 - (16 * i)));
        }

        int bestStart = -1, bestLength = 0;
        for (var i = 0; i < 8;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            var start = i;
            while (i < 8 && groups[i] == 0)
            {
                i++;
            }

            if (i - start > bestLength)
            {
                (bestStart, bestLength) = (start, i - start);
            }
        }

        if (bestLength < 2)
        {
            bestStart = -1;
        }

        for (var i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                builder.Append("::");
                i += bestLength - 1;
                continue;
            }

            if (i > 0 && i != bestStart + bestLength)
            {
                builder.Append(':');
            }

            builder.Append(groups[i].ToString("x", CultureInfo.InvariantCulture));
        }
    }

    private static string Echo(string? text)
    {
        if (text is null)
        {
            return "<null>";
        }

        return text.Length <= MaxEchoedLength ? text : string.Concat(text.AsSpan(0, MaxEchoedLength), "...");
    }
}
