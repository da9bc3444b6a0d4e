using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CidrController.ChaosTests;

/// <summary>
/// The test's own CIDR arithmetic, independent of the controller's: an address (host bits masked off, as the
/// controller must treat <c>10.244.12.1/24</c>) and a prefix. Parsing is deliberately as strict as the
/// controller promises to be: IPv4 without leading zeros, no IPv4-mapped IPv6, no zone.
/// </summary>
internal readonly record struct NetBlock(bool IsIPv6, UInt128 Address, int Prefix)
{
    public int Bits => IsIPv6 ? 128 : 32;

    public static NetBlock Parse(string text) => TryParse(text, out var block) ? block : throw new FormatException(text);

    public static bool TryParse(string text, out NetBlock block)
    {
        block = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }

        var addressText = text[..slash];
        if (addressText.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }

        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        if (v6 && address.IsIPv4MappedToIPv6)
        {
            return false;
        }

        if (!v6 && (addressText.Split('.') is not { Length: 4 } parts || parts.Any(p => p.Length > 1 && p[0] == '0')))
        {
            return false;
        }

        var bits = v6 ? 128 : 32;
        if (prefix > bits)
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        UInt128 value = 0;
        foreach (var b in bytes)
        {
            value = (value << 8) | b;
        }

        block = new NetBlock(v6, value & ~HostMask(bits - prefix), prefix);
        return true;
    }

    public bool Overlaps(NetBlock other) => IsIPv6 == other.IsIPv6 && (Contains(other) || other.Contains(this));

    public bool Contains(NetBlock other) =>
        IsIPv6 == other.IsIPv6 && Prefix <= other.Prefix && (other.Address & ~HostMask(Bits - Prefix)) == Address;

    /// <summary>The n-th block of size /<paramref name="mask"/> inside this network.</summary>
    public NetBlock Subnet(int mask, int index) => new(IsIPv6, Address + ((UInt128)(uint)index << (Bits - mask)), mask);

    public override string ToString()
    {
        var bytes = new byte[Bits / 8];
        var value = Address;
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xff);
            value >>= 8;
        }

        return $"{new IPAddress(bytes)}/{Prefix.ToString(CultureInfo.InvariantCulture)}";
    }

    private static UInt128 HostMask(int bits) => bits >= 128 ? UInt128.MaxValue : (UInt128.One << bits) - 1;
}
