using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;

using CidrController.Allocation;
using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>The kinds of flag value (Go's strconv and time syntax, CIDR lists) and the range checks the flag table uses.</summary>
internal static class FlagSyntax
{
    /// <summary>strconv.ParseBool: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.</summary>
    public static readonly FlagType<bool> Bool = new(null, (flag, value) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw FlagException.InvalidValue(flag, value, "not a boolean (true or false)"),
    }, value => value ? "true" : "false");

    public static readonly FlagType<int> Int = new("int", (flag, value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : throw FlagException.InvalidValue(flag, value, "not an integer"),
        value => value.ToString(CultureInfo.InvariantCulture));

    public static readonly FlagType<double> Float = new("float", (flag, value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : throw FlagException.InvalidValue(flag, value, "not a number"),
        value => value.ToString(CultureInfo.InvariantCulture));

    public static readonly FlagType<TimeSpan> Duration = new("duration", (flag, value) =>
        GoDuration.TryParse(value, out var duration, out var error) ? duration : throw FlagException.InvalidValue(flag, value, error), GoDuration.Format);

    public static readonly FlagType<string> String = new("string", (_, value) => value, value => value);

    /// <summary>A string whose empty value means "not set" (null in the options type).</summary>
    public static readonly FlagType<string?> OptionalString = new("string", (_, value) => value.Length == 0 ? null : value, value => value ?? "");

    /// <summary>A comma-separated CIDR list: trimmed, host bits masked, order kept; empty means none.</summary>
    public static readonly FlagType<IReadOnlyList<IpBlock>> Cidrs = new("cidrs", (flag, value) => value.Length == 0 ? [] : [.. value.Split(',', StringSplitOptions.TrimEntries).Select(entry =>
        entry.Length == 0 ? throw FlagException.InvalidValue(flag, value, "empty entry in the comma-separated list")
        : IpBlock.TryParse(entry, out var block, out _) ? block
        : throw FlagException.InvalidValue(flag, entry, WhyNotACidr(entry)))], value => string.Join(',', value));

    /// <summary>An IP address, bare (<c>::</c>, not <c>[::]</c>).</summary>
    public static readonly FlagType<IPAddress> IpAddress = new("ip", (flag, value) =>
        IPAddress.TryParse(value, out var address) && !value.Contains('[', StringComparison.Ordinal) ? address : throw FlagException.InvalidValue(flag, value, "not an IP address"),
        value => value.ToString());

    /// <summary>Go's crypto/tls names, as kube-controller-manager's <c>--tls-min-version</c>; empty is TLS 1.2.</summary>
    public static readonly FlagType<SslProtocols> TlsVersion = new("string", (flag, value) => value switch
    {
        "" or "VersionTLS12" => SslProtocols.Tls12,
        "VersionTLS13" => SslProtocols.Tls13,
        "VersionTLS10" or "VersionTLS11" => throw FlagException.InvalidValue(flag, value, "TLS 1.0 and 1.1 are not offered; use VersionTLS12 or VersionTLS13"),
        _ => throw FlagException.InvalidValue(flag, value, "must be VersionTLS12 or VersionTLS13"),
    }, value => value == SslProtocols.Tls13 ? "VersionTLS13" : "VersionTLS12");

    /// <summary>A comma-separated list of URL paths, each starting with <c>/</c>.</summary>
    public static readonly FlagType<IReadOnlyList<string>> Paths = new("strings", (flag, value) =>
        value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) is var paths && paths.FirstOrDefault(p => !p.StartsWith('/')) is { } bad
            ? throw FlagException.InvalidValue(flag, bad, "each path must start with /")
            : paths, value => string.Join(',', value));

    /// <summary><c>--log-format</c>: true for json, false for text.</summary>
    public static readonly FlagType<bool> LogFormat = new("string", (flag, value) => value.ToLowerInvariant() switch
    {
        "json" => true,
        "text" => false,
        _ => throw FlagException.InvalidValue(flag, value, "must be text or json"),
    }, json => json ? "json" : "text");

    private const string NotAHost = "host must be an IP address (IPv6 in brackets) or a DNS name";

    public static Func<int, string?> Between(int min, int max) =>
        value => value >= min && value <= max ? null : max == int.MaxValue ? $"must be at least {min}" : $"must be between {min} and {max}";

    public static string? Positive(double value) => value > 0 ? null : "must be greater than 0";

    public static string? Positive(TimeSpan value) => value > TimeSpan.Zero ? null : "must be greater than 0";

    public static string? NotNegative(TimeSpan value) => value >= TimeSpan.Zero ? null : "must not be negative";

    public static string? NotEmpty(string value) => value.Length > 0 ? null : "must not be empty";

    /// <summary>
    /// Go's <c>net.SplitHostPort</c> reading of a listen address: <c>host:port</c>, <c>[v6]:port</c>, or <c>:port</c>
    /// for every interface; the host an IP address or a DNS name (a bare IPv6 address is ambiguous with the port).
    /// </summary>
    public static string? HostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        var host = colon < 0 ? "" : value[..colon];
        return colon < 0 ? "missing port (want host:port, e.g. 0.0.0.0:10290 or [::]:10290)"
            : !int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535 ? "port must be a number between 0 and 65535"
            : host is ['[', .. var v6, ']'] ? (IPAddress.TryParse(v6, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 ? null : NotAHost)
            : host.Length == 0 || (!host.Contains(':', StringComparison.Ordinal) && (IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) == UriHostNameType.Dns)) ? null
            : NotAHost;
    }

    /// <summary>Why a CIDR did not parse, in words an operator can act on.</summary>
    private static string WhyNotACidr(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var maxPrefix = slash > 0 && IPAddress.TryParse(text[..slash], out var address) ? (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128) : 0;
        return slash < 0 ? "missing /prefix length (e.g. 10.244.0.0/16)"
            : maxPrefix > 0 && int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) && prefix > maxPrefix
            ? $"prefix length /{prefix} is out of range 0..{maxPrefix} for {(maxPrefix == 32 ? "IPv4" : "IPv6")}"
            : "not a CIDR (want address/prefix, e.g. 10.244.0.0/16 or fd00:10:244::/56)";
    }
}
