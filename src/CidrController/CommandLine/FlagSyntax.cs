using System.Globalization;
using System.Net;
using System.Net.Sockets;

using CidrController.Allocation;

namespace CidrController.CommandLine;

/// <summary>Value parsers of the flag table: Go's strconv and time syntax, CIDR lists and host:port, each failure naming the flag.</summary>
internal static class FlagSyntax
{
    /// <summary>strconv.ParseBool: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.</summary>
    public static bool Bool(Flag flag, string value) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw FlagException.InvalidValue(flag, value, "not a boolean (true or false)"),
    };

    public static int Int(Flag flag, string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw FlagException.InvalidValue(flag, value, "not an integer");

    public static double Double(Flag flag, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? number
            : throw FlagException.InvalidValue(flag, value, "not a number");

    public static TimeSpan Duration(Flag flag, string value) =>
        GoDuration.TryParse(value, out var duration, out var error) ? duration : throw FlagException.InvalidValue(flag, value, error);

    public static string String(Flag flag, string value) => value;

    /// <summary>A comma-separated CIDR list: trimmed, host bits masked, order kept; empty is refused.</summary>
    public static IReadOnlyList<IpBlock> Cidrs(Flag flag, string value)
    {
        if (value.Length == 0)
        {
            throw FlagException.InvalidValue(flag, value, "must not be empty");
        }

        return value.Split(',', StringSplitOptions.TrimEntries).Select(entry => entry.Length == 0
            ? throw FlagException.InvalidValue(flag, value, "empty entry in the comma-separated list")
            : IpBlock.TryParse(entry, out var block, out _) ? block
            : throw FlagException.InvalidValue(flag, entry, CidrSyntax.Explain(entry))).ToList();
    }

    /// <summary>As <see cref="Cidrs"/>, but empty means "none", as kube-controller-manager reads an empty service range.</summary>
    public static IReadOnlyList<IpBlock> CidrsOrNone(Flag flag, string value) => value.Length == 0 ? [] : Cidrs(flag, value);

    /// <summary>At most one IPv4 and one IPv6 block: upstream's dual-stack shape.</summary>
    public static string? OnePerFamily(IReadOnlyList<IpBlock> blocks) => blocks switch
    {
        { Count: > 2 } => $"{blocks.Count} CIDRs given; at most 2 (one IPv4 and one IPv6)",
        [var a, var b] when a.Family == b.Family => $"both CIDRs are {a.Family}; two CIDRs must be one IPv4 and one IPv6",
        _ => null,
    };

    public static Func<int, string?> Between(int min, int max) =>
        value => value >= min && value <= max ? null : max == int.MaxValue ? $"must be at least {min}" : $"must be between {min} and {max}";

    public static string? Positive(double value) => value > 0 ? null : "must be greater than 0";

    public static string? Positive(TimeSpan value) => value > TimeSpan.Zero ? null : "must be greater than 0";

    public static string? NotNegative(TimeSpan value) => value >= TimeSpan.Zero ? null : "must not be negative";

    public static string? NotEmpty(string value) => value.Length > 0 ? null : "must not be empty";

    /// <summary>
    /// Go's <c>net.SplitHostPort</c> reading of a listen address: <c>host:port</c>, <c>[v6]:port</c>, or
    /// <c>:port</c> for every interface; the host an IP address or a DNS name, the port 0..65535.
    /// </summary>
    public static string? HostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon < 0)
        {
            return "missing port (want host:port, e.g. 0.0.0.0:10290 or [::]:10290)";
        }

        var (host, port) = (value[..colon], value[(colon + 1)..]);
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber) || portNumber > 65535)
        {
            return "port must be a number between 0 and 65535";
        }

        return IsHost(host) ? null : "host must be an IP address (IPv6 in brackets) or a DNS name";
    }

    private static bool IsHost(string host) => host switch
    {
        "" => true,
        ['[', .. var v6, ']'] => IPAddress.TryParse(v6, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6,
        _ when host.Contains(':', StringComparison.Ordinal) => false, // a bare IPv6 address is ambiguous with the port separator
        _ => IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) == UriHostNameType.Dns,
    };
}
