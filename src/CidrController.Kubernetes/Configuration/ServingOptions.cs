using System.Net;
using System.Security.Authentication;

namespace CidrController.Kubernetes.Configuration;

/// <summary>
/// The HTTPS listener with delegated authentication and authorization, as kube-controller-manager serves its
/// endpoints, and the optional plain-HTTP listener that has neither.
/// </summary>
internal sealed record ServingOptions
{
    /// <summary>
    /// The HTTPS port. kube-controller-manager uses 10257, kube-scheduler 10259 and cloud-controller-manager 10258;
    /// this controller keeps 10290, the port it has always served on, so the host port a node reserves does not move.
    /// </summary>
    public const int DefaultSecurePort = 10290;

    /// <summary>The address the HTTPS listener binds to; 0.0.0.0 (every IPv4 interface) as kube-controller-manager.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>0 turns HTTPS off (as kube-controller-manager's <c>--secure-port=0</c>).</summary>
    public int SecurePort { get; init; } = DefaultSecurePort;

    /// <summary>Where a generated self-signed certificate is kept; null: generated in memory at every start.</summary>
    public string? CertDirectory { get; init; }

    /// <summary>A PEM certificate (chain) to serve; reloaded when the file changes. Null: self-signed.</summary>
    public string? TlsCertFile { get; init; }

    public string? TlsPrivateKeyFile { get; init; }

    public SslProtocols TlsMinVersion { get; init; } = SslProtocols.Tls12;

    /// <summary>Kubeconfig for TokenReview calls; null: the controller's own connection to the API server.</summary>
    public string? AuthenticationKubeconfig { get; init; }

    /// <summary>Kubeconfig for SubjectAccessReview calls; null: the controller's own connection to the API server.</summary>
    public string? AuthorizationKubeconfig { get; init; }

    /// <summary>Paths served without a token: exact, or a prefix when the entry ends in <c>*</c>.</summary>
    public IReadOnlyList<string> AlwaysAllowPaths { get; init; } = DefaultAlwaysAllowPaths;

    /// <summary>kube-controller-manager's default: the health paths, so probes need no credentials.</summary>
    public static readonly IReadOnlyList<string> DefaultAlwaysAllowPaths = ["/healthz", "/readyz", "/livez"];

    public TimeSpan TokenCacheTtl { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan AuthorizedCacheTtl { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan UnauthorizedCacheTtl { get; init; } = TimeSpan.FromSeconds(10);
}
