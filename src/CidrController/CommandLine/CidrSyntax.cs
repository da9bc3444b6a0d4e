using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CidrController.CommandLine;

/// <summary>Why a CIDR string did not parse, in words an operator can act on.</summary>
internal static class CidrSyntax
{
    private const string Expected = "not a CIDR (want address/prefix, e.g. 10.244.0.0/16 or fd00:10:244::/56)";

    public static string Explain(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return "missing /prefix length (e.g. 10.244.0.0/16)";
        }

        if (!IPAddress.TryParse(text[..slash], out var address))
        {
            return Expected;
        }

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix > maxPrefix)
        {
            return $"prefix length /{prefix} is out of range 0..{maxPrefix} for {FamilyName(address)}";
        }

        return Expected;
    }

    private static string FamilyName(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6";
}
