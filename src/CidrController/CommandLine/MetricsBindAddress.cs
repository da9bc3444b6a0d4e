using System.Globalization;
using System.Net;

namespace CidrController.CommandLine;

/// <summary>
/// <c>--metrics-bind-address</c> as Go's <c>net.SplitHostPort</c> reads it: <c>host:port</c>, <c>[v6]:port</c>,
/// or <c>:port</c> for every interface. The host is an IP address or a DNS name; the port 0..65535.
/// </summary>
internal static class MetricsBindAddress
{
    public static string Validate(Flag flag, string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon < 0)
        {
            throw FlagException.InvalidValue(flag, value, "missing port (want host:port, e.g. 0.0.0.0:10290 or [::]:10290)");
        }

        var host = value[..colon];
        var port = value[(colon + 1)..];
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber) || portNumber > 65535)
        {
            throw FlagException.InvalidValue(flag, value, "port must be a number between 0 and 65535");
        }

        if (!IsValidHost(host))
        {
            throw FlagException.InvalidValue(flag, value, "host must be an IP address (IPv6 in brackets) or a DNS name");
        }

        return value;
    }

    private static bool IsValidHost(string host)
    {
        if (host.Length == 0)
        {
            return true;
        }

        if (host[0] == '[')
        {
            return host[^1] == ']' && IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        if (host.Contains(':', StringComparison.Ordinal))
        {
            return false; // a bare IPv6 address is ambiguous with the port separator
        }

        return IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) == UriHostNameType.Dns;
    }
}
