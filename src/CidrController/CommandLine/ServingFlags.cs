using System.Globalization;
using System.Net;
using System.Security.Authentication;

using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>
/// How /healthz, /readyz, /livez and /metrics are served: kube-controller-manager's secure-serving and delegated
/// authentication/authorization flags, with its defaults except the port, plus the opt-in plain-HTTP listener.
/// </summary>
internal sealed class ServingFlags
{
    private static readonly ServingOptions Defaults = new();
    private static readonly ControllerOptions ControllerDefaults = new();

    private Flag<IPAddress> _bindAddress = null!;
    private Flag<int> _securePort = null!;
    private Flag<string> _certDir = null!;
    private Flag<string> _tlsCertFile = null!;
    private Flag<string> _tlsPrivateKeyFile = null!;
    private Flag<SslProtocols> _tlsMinVersion = null!;
    private Flag<string> _authenticationKubeconfig = null!;
    private Flag<string> _authorizationKubeconfig = null!;
    private Flag<bool> _authenticationSkipLookup = null!;
    private Flag<IReadOnlyList<string>> _alwaysAllowPaths = null!;
    private Flag<TimeSpan> _tokenCacheTtl = null!;
    private Flag<TimeSpan> _authorizedCacheTtl = null!;
    private Flag<TimeSpan> _unauthorizedCacheTtl = null!;
    private Flag<string> _metricsBindAddress = null!;

    public void AddFlags(FlagSet flags)
    {
        _bindAddress = flags.Add(new Flag<IPAddress>("--bind-address", null, "ip", Defaults.BindAddress, Defaults.BindAddress.ToString(),
            "IP address the HTTPS port listens on (0.0.0.0 or :: for every interface).", ParseAddress));
        _securePort = flags.Int("--secure-port", Defaults.SecurePort,
            "HTTPS port for /healthz, /readyz, /livez and /metrics with delegated authentication and authorization; 0 turns HTTPS off. " +
            "Not kube-controller-manager's 10257, so both can run on one host.", FlagSyntax.Between(0, 65535));
        _certDir = flags.String("--cert-dir", Defaults.CertDirectory ?? "",
            "Directory keeping the self-signed certificate made when --tls-cert-file is not given; empty: made in memory at every start.");
        _tlsCertFile = flags.String("--tls-cert-file", Defaults.TlsCertFile ?? "",
            "PEM certificate (chain) for HTTPS, reloaded when the file changes; empty: a self-signed certificate.");
        _tlsPrivateKeyFile = flags.String("--tls-private-key-file", Defaults.TlsPrivateKeyFile ?? "", "PEM private key matching --tls-cert-file.");
        _tlsMinVersion = flags.Add(new Flag<SslProtocols>("--tls-min-version", null, "string", Defaults.TlsMinVersion, "",
            "Minimum TLS version: VersionTLS12 or VersionTLS13; empty: VersionTLS12.", ParseTlsVersion));
        _authenticationKubeconfig = flags.String("--authentication-kubeconfig", Defaults.AuthenticationKubeconfig ?? "",
            "Kubeconfig for TokenReview calls; empty: the controller's own connection (--kubeconfig, in-cluster).");
        _authorizationKubeconfig = flags.String("--authorization-kubeconfig", Defaults.AuthorizationKubeconfig ?? "",
            "Kubeconfig for SubjectAccessReview calls; empty: the controller's own connection (--kubeconfig, in-cluster).");
        _authenticationSkipLookup = flags.Bool("--authentication-skip-lookup", false,
            "Accepted for kube-controller-manager compatibility; client certificates are not used, so there is nothing to look up.");
        _alwaysAllowPaths = flags.Add(new Flag<IReadOnlyList<string>>("--authorization-always-allow-paths", null, "strings", Defaults.AlwaysAllowPaths,
            string.Join(',', Defaults.AlwaysAllowPaths), "Paths served over HTTPS without a token (a trailing * matches a prefix).", ParsePaths));
        _tokenCacheTtl = flags.Duration("--authentication-token-webhook-cache-ttl", Defaults.TokenCacheTtl,
            "How long TokenReview answers are cached.", FlagSyntax.NotNegative);
        _authorizedCacheTtl = flags.Duration("--authorization-webhook-cache-authorized-ttl", Defaults.AuthorizedCacheTtl,
            "How long 'allowed' SubjectAccessReview answers are cached.", FlagSyntax.NotNegative);
        _unauthorizedCacheTtl = flags.Duration("--authorization-webhook-cache-unauthorized-ttl", Defaults.UnauthorizedCacheTtl,
            "How long 'denied' SubjectAccessReview answers are cached.", FlagSyntax.NotNegative);
        _metricsBindAddress = flags.String("--metrics-bind-address", ControllerDefaults.MetricsBindAddress,
            "INSECURE: an extra plain-HTTP host:port serving the same paths with no authentication (port 0: a free port); empty: none.",
            value => value.Length == 0 ? null : FlagSyntax.HostPort(value));
    }

    public ControllerOptions ApplyTo(ControllerOptions options)
    {
        if (_tlsCertFile.Value.Length == 0 != (_tlsPrivateKeyFile.Value.Length == 0))
        {
            var given = _tlsCertFile.Value.Length > 0 ? _tlsCertFile : _tlsPrivateKeyFile;
            throw FlagException.InvalidValue(given, given.Text, "--tls-cert-file and --tls-private-key-file must be given together");
        }

        var metrics = _metricsBindAddress.Value;
        if (_securePort.Value == 0 && metrics.Length == 0)
        {
            throw FlagException.InvalidValue(_securePort, _securePort.Text, "with HTTPS off, --metrics-bind-address must be given, or nothing serves the health endpoints");
        }

        if (_securePort.Value != 0 && metrics.Length > 0 && metrics[(metrics.LastIndexOf(':') + 1)..] == _securePort.Value.ToString(CultureInfo.InvariantCulture))
        {
            throw FlagException.InvalidValue(_metricsBindAddress, metrics, $"uses the HTTPS port {_securePort.Value} (--secure-port); choose another port");
        }

        return options with
        {
            MetricsBindAddress = metrics,
            Serving = new ServingOptions
            {
                BindAddress = _bindAddress.Value,
                SecurePort = _securePort.Value,
                CertDirectory = NullIfEmpty(_certDir.Value),
                TlsCertFile = NullIfEmpty(_tlsCertFile.Value),
                TlsPrivateKeyFile = NullIfEmpty(_tlsPrivateKeyFile.Value),
                TlsMinVersion = _tlsMinVersion.Value,
                AuthenticationKubeconfig = NullIfEmpty(_authenticationKubeconfig.Value),
                AuthorizationKubeconfig = NullIfEmpty(_authorizationKubeconfig.Value),
                AlwaysAllowPaths = _alwaysAllowPaths.Value,
                TokenCacheTtl = _tokenCacheTtl.Value,
                AuthorizedCacheTtl = _authorizedCacheTtl.Value,
                UnauthorizedCacheTtl = _unauthorizedCacheTtl.Value,
            },
        };
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static IPAddress ParseAddress(Flag flag, string value) =>
        IPAddress.TryParse(value, out var address) && !value.Contains('[', StringComparison.Ordinal)
            ? address
            : throw FlagException.InvalidValue(flag, value, "not an IP address");

    private static SslProtocols ParseTlsVersion(Flag flag, string value) => value switch
    {
        "" or "VersionTLS12" => SslProtocols.Tls12,
        "VersionTLS13" => SslProtocols.Tls13,
        "VersionTLS10" or "VersionTLS11" => throw FlagException.InvalidValue(flag, value, "TLS 1.0 and 1.1 are not offered; use VersionTLS12 or VersionTLS13"),
        _ => throw FlagException.InvalidValue(flag, value, "must be VersionTLS12 or VersionTLS13"),
    };

    private static string[] ParsePaths(Flag flag, string value)
    {
        var paths = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return paths.FirstOrDefault(p => !p.StartsWith('/')) is { } bad
            ? throw FlagException.InvalidValue(flag, bad, "each path must start with /")
            : paths;
    }
}
