using System.Globalization;
using System.Net;
using System.Security.Authentication;

using CidrController.Allocation;
using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>
/// The controller's flag table, in the order help lists it: every flag declared once (name, kind of value, default
/// taken from the options type, usage, range check), kube-controller-manager's names and defaults, then the rules
/// that combine flags and how they fill the options. The controller command and <c>status</c> both read it.
/// </summary>
internal sealed class ControllerFlags(FlagSet flags)
{
    private const string RangeAllocator = "RangeAllocator";
    private static readonly ControllerOptions DefaultOptions = new();
    private static readonly CommandLineSettings DefaultSettings = new() { Controller = DefaultOptions };

    // Node IPAM; mask sizes combine as upstream's setNodeCIDRMaskSizes says (see ClusterRanges).
    private readonly Flag<bool> _allocate = flags.Add("--allocate-node-cidrs", FlagSyntax.Bool, DefaultOptions.AllocateNodeCidrs,
        "Allocate a pod CIDR to every node; false: allocate nothing, only serve health and metrics.");
    private readonly Flag<string> _allocatorType = flags.Add("--cidr-allocator-type", FlagSyntax.String, RangeAllocator,
        "Allocator type; only RangeAllocator (this controller does not talk to cloud APIs).",
        type => type == RangeAllocator ? null : "only RangeAllocator is supported; this controller does not talk to cloud APIs");
    private readonly Flag<IReadOnlyList<IpBlock>> _clusterCidr = flags.Add("--cluster-cidr", FlagSyntax.Cidrs, [],
        "Pod address space, comma-separated; the first family is a node's primary. Several disjoint ranges of a family are used in order. Required when allocating.",
        clusters => clusters.Count == 0 ? "must not be empty" : Disjoint(clusters));
    private readonly Flag<int> _maskSize = flags.Add("--node-cidr-mask-size", FlagSyntax.Int, 0,
        "Node CIDR mask size for a single-stack cluster; not allowed with dual-stack or the per-family flags.", FlagSyntax.Between(0, 128),
        defaultText: $"{ControllerOptions.DefaultIpv4NodeMaskSize} for IPv4, {ControllerOptions.DefaultIpv6NodeMaskSize} for IPv6");
    private readonly Flag<int> _maskSizeIpv4 = flags.Add("--node-cidr-mask-size-ipv4", FlagSyntax.Int, ControllerOptions.DefaultIpv4NodeMaskSize,
        "Node CIDR mask size for the IPv4 cluster CIDR (0..32).", FlagSyntax.Between(0, 32));
    private readonly Flag<int> _maskSizeIpv6 = flags.Add("--node-cidr-mask-size-ipv6", FlagSyntax.Int, ControllerOptions.DefaultIpv6NodeMaskSize,
        "Node CIDR mask size for the IPv6 cluster CIDR (0..128).", FlagSyntax.Between(0, 128));
    private readonly Flag<IReadOnlyList<IpBlock>> _serviceRange = flags.Add("--service-cluster-ip-range", FlagSyntax.Cidrs, DefaultOptions.ServiceRanges,
        "Service CIDRs, comma-separated, at most one per family; node blocks overlapping them are never allocated.", OnePerFamily);
    private readonly Flag<int> _workers = flags.Add("--concurrent-node-syncs", FlagSyntax.Int, DefaultOptions.ConcurrentNodeSyncs,
        "Number of nodes reconciled in parallel (a node is never handled by two at once). Each is one patch in flight: " +
        "10 keeps up with a kube-apiserver until the server's own CPU is the limit (then more only lengthens its queue); " +
        "raise it when patches wait on the server's latency, not its CPU.", FlagSyntax.Between(1, int.MaxValue));
    private readonly Flag<bool> _pools = flags.Add("--cluster-cidr-pools", FlagSyntax.Bool, DefaultOptions.ClusterCidrPools,
        "Also allocate from ClusterCIDR pools (networking.x-k8s.io/v1, node-ipam-controller's resource) chosen by node labels.");
    private readonly Flag<TimeSpan> _poolSyncPeriod = flags.Add("--cluster-cidr-pool-sync-period", FlagSyntax.Duration, DefaultOptions.PoolSyncInterval,
        "Safety-net resync period for ClusterCIDR pools: a pool created, changed or deleted is picked up within this time.", FlagSyntax.Positive);
    private readonly Flag<TimeSpan> _reuseDelay = flags.Add("--cidr-reuse-delay", FlagSyntax.Duration, DefaultOptions.CidrReuseDelay,
        "Quarantine: a gone node's block is not handed out again until this long after (routes and conntrack can outlive a node).", FlagSyntax.NotNegative);

    // The API server and the client-side rate limit.
    private readonly Flag<string?> _kubeconfig = flags.Add("--kubeconfig", FlagSyntax.OptionalString, DefaultOptions.Api.Kubeconfig,
        "Path to a kubeconfig; empty: in-cluster config, then $KUBECONFIG, then ~/.kube/config.");
    private readonly Flag<string?> _master = flags.Add("--master", FlagSyntax.OptionalString, DefaultOptions.Api.Master,
        "Address of the Kubernetes API server (overrides the kubeconfig's).");
    private readonly Flag<double> _qps = flags.Add("--kube-api-qps", FlagSyntax.Float, DefaultOptions.Api.Qps,
        "Requests per second toward the API server (watches excluded); > 0.", FlagSyntax.Positive);
    private readonly Flag<int> _burst = flags.Add("--kube-api-burst", FlagSyntax.Int, DefaultOptions.Api.Burst,
        "Burst of requests above --kube-api-qps; >= 1.", FlagSyntax.Between(1, int.MaxValue));
    private readonly Flag<bool> _allowInsecureApiServer = flags.Add("--allow-insecure-api-server", FlagSyntax.Bool, DefaultOptions.Api.AllowInsecureApiServer,
        "Accept a plain-http:// API server or a kubeconfig with insecure-skip-tls-verify; without it only verified https:// (or loopback) is used.");
    private readonly Flag<TimeSpan> _watchIdleTimeout = flags.Add("--watch-idle-timeout", FlagSyntax.Duration, DefaultOptions.Api.WatchIdleTimeout,
        "A node watch that delivers nothing, not even a bookmark, for this long is presumed stalled, restarted and relisted; > 0.", FlagSyntax.Positive);

    // Lease-based leader election; the timing rule is in LeaderElection.
    private readonly Flag<bool> _leaderElect = flags.Add("--leader-elect", FlagSyntax.Bool, DefaultOptions.LeaderElection.Enabled,
        "Take a Lease before allocating, so only one replica allocates at a time.");
    private readonly Flag<TimeSpan> _leaseDuration = flags.Add("--leader-elect-lease-duration", FlagSyntax.Duration, DefaultOptions.LeaderElection.LeaseDuration,
        "How long a standby waits after the last renewal before taking the lease.", FlagSyntax.Positive);
    private readonly Flag<TimeSpan> _renewDeadline = flags.Add("--leader-elect-renew-deadline", FlagSyntax.Duration, DefaultOptions.LeaderElection.RenewDeadline,
        "How long the leader keeps retrying to renew before it stops allocating; < lease duration.", FlagSyntax.Positive);
    private readonly Flag<TimeSpan> _retryPeriod = flags.Add("--leader-elect-retry-period", FlagSyntax.Duration, DefaultOptions.LeaderElection.RetryPeriod,
        "Wait between attempts to acquire or renew the lease; < renew deadline.", FlagSyntax.Positive);
    private readonly Flag<string> _leaseName = flags.Add("--leader-elect-resource-name", FlagSyntax.String, DefaultOptions.LeaderElection.ResourceName,
        "Name of the Lease object used for leader election; with --cidr-reuse-delay, NAME-quarantine is the reuse quarantine's ConfigMap.", FlagSyntax.NotEmpty);
    private readonly Flag<string> _leaseNamespace = flags.Add("--leader-elect-resource-namespace", FlagSyntax.String, DefaultOptions.LeaderElection.ResourceNamespace,
        "Namespace of the Lease object used for leader election, and of the reuse quarantine's ConfigMap.", FlagSyntax.NotEmpty);

    // /healthz, /readyz, /livez and /metrics: kube-controller-manager's secure serving and delegated authentication
    // and authorization, with its defaults except the port, plus the opt-in plain-HTTP listener.
    private readonly Flag<IPAddress> _bindAddress = flags.Add("--bind-address", FlagSyntax.IpAddress, DefaultOptions.Serving.BindAddress,
        "IP address the HTTPS port listens on (0.0.0.0 or :: for every interface).");
    private readonly Flag<int> _securePort = flags.Add("--secure-port", FlagSyntax.Int, DefaultOptions.Serving.SecurePort,
        "HTTPS port for /healthz, /readyz, /livez and /metrics with delegated authentication and authorization; 0 turns HTTPS off. " +
        "Not kube-controller-manager's 10257, so both can run on one host.", FlagSyntax.Between(0, 65535));
    private readonly Flag<string?> _certDir = flags.Add("--cert-dir", FlagSyntax.OptionalString, DefaultOptions.Serving.CertDirectory,
        "Directory keeping the self-signed certificate made when --tls-cert-file is not given; empty: made in memory at every start.");
    private readonly Flag<string?> _tlsCertFile = flags.Add("--tls-cert-file", FlagSyntax.OptionalString, DefaultOptions.Serving.TlsCertFile,
        "PEM certificate (chain) for HTTPS, reloaded when the file changes; empty: a self-signed certificate.");
    private readonly Flag<string?> _tlsPrivateKeyFile = flags.Add("--tls-private-key-file", FlagSyntax.OptionalString, DefaultOptions.Serving.TlsPrivateKeyFile,
        "PEM private key matching --tls-cert-file.");
    private readonly Flag<SslProtocols> _tlsMinVersion = flags.Add("--tls-min-version", FlagSyntax.TlsVersion, DefaultOptions.Serving.TlsMinVersion,
        "Minimum TLS version: VersionTLS12 or VersionTLS13; empty: VersionTLS12.", defaultText: "");
    private readonly Flag<string?> _authenticationKubeconfig = flags.Add("--authentication-kubeconfig", FlagSyntax.OptionalString, DefaultOptions.Serving.AuthenticationKubeconfig,
        "Kubeconfig for TokenReview calls; empty: the controller's own connection (--kubeconfig, in-cluster).");
    private readonly Flag<string?> _authorizationKubeconfig = flags.Add("--authorization-kubeconfig", FlagSyntax.OptionalString, DefaultOptions.Serving.AuthorizationKubeconfig,
        "Kubeconfig for SubjectAccessReview calls; empty: the controller's own connection (--kubeconfig, in-cluster).");
    private readonly Flag<bool> _authenticationSkipLookup = flags.Add("--authentication-skip-lookup", FlagSyntax.Bool, false,
        "Accepted for kube-controller-manager compatibility; client certificates are not used, so there is nothing to look up.");
    private readonly Flag<IReadOnlyList<string>> _alwaysAllowPaths = flags.Add("--authorization-always-allow-paths", FlagSyntax.Paths, DefaultOptions.Serving.AlwaysAllowPaths,
        "Paths served over HTTPS without a token (a trailing * matches a prefix).");
    private readonly Flag<TimeSpan> _tokenCacheTtl = flags.Add("--authentication-token-webhook-cache-ttl", FlagSyntax.Duration, DefaultOptions.Serving.TokenCacheTtl,
        "How long TokenReview answers are cached.", FlagSyntax.NotNegative);
    private readonly Flag<TimeSpan> _authorizedCacheTtl = flags.Add("--authorization-webhook-cache-authorized-ttl", FlagSyntax.Duration, DefaultOptions.Serving.AuthorizedCacheTtl,
        "How long 'allowed' SubjectAccessReview answers are cached.", FlagSyntax.NotNegative);
    private readonly Flag<TimeSpan> _unauthorizedCacheTtl = flags.Add("--authorization-webhook-cache-unauthorized-ttl", FlagSyntax.Duration, DefaultOptions.Serving.UnauthorizedCacheTtl,
        "How long 'denied' SubjectAccessReview answers are cached.", FlagSyntax.NotNegative);
    private readonly Flag<string> _metricsBindAddress = flags.Add("--metrics-bind-address", FlagSyntax.String, DefaultOptions.MetricsBindAddress,
        "INSECURE: an extra plain-HTTP host:port serving the same paths with no authentication (port 0: a free port); empty: none.",
        value => value.Length == 0 ? null : FlagSyntax.HostPort(value));

    // The process itself.
    private readonly Flag<bool> _configureCloudRoutes = flags.Add("--configure-cloud-routes", FlagSyntax.Bool, DefaultSettings.ConfigureCloudRoutes,
        "Accepted for kube-controller-manager compatibility; there is no cloud provider, so no routes are configured.");
    private readonly Flag<bool> _jsonLog = flags.Add("--log-format", FlagSyntax.LogFormat, DefaultSettings.JsonLog,
        "Log format: text, or json (one object per line: ts, level, v, logger, msg, err and the structured fields).");
    private readonly Flag<int> _verbosity = flags.Add("--v", FlagSyntax.Int, DefaultSettings.Verbosity,
        "Log verbosity: 0-1 warnings and errors; 2-3 also startup and capacity summary, one line per allocation, watch and leader changes; 4-5 debug; 6+ HTTP traces.",
        FlagSyntax.Between(0, int.MaxValue), shorthand: 'v');
    private readonly Flag<bool> _validateOnly = flags.Add("--validate-only", FlagSyntax.Bool, DefaultSettings.ValidateOnly,
        "Validate the flags, print the capacity plan per cluster CIDR and exit without connecting anywhere.");

    public Flag<bool> Help { get; } = flags.Add("--help", FlagSyntax.Bool, false, "Print this help and exit.", shorthand: 'h');

    public Flag<bool> Version { get; } = flags.Add("--version", FlagSyntax.Bool, false, "Print the version and exit.");

    /// <summary>The validated settings; a refused value or combination throws <see cref="FlagException"/>.</summary>
    public CommandLineSettings ToSettings(Func<string, string?> getEnvironmentVariable) => DefaultSettings with
    {
        Controller = DefaultOptions with
        {
            AllocateNodeCidrs = _allocate.Value,
            ClusterRanges = ClusterRanges(),
            ServiceRanges = _serviceRange.Value,
            ConcurrentNodeSyncs = _workers.Value,
            ClusterCidrPools = _pools.Value,
            PoolSyncInterval = _poolSyncPeriod.Value,
            CidrReuseDelay = _reuseDelay.Value,
            Serving = Serving(),
            MetricsBindAddress = _metricsBindAddress.Value,
            Api = DefaultOptions.Api with
            {
                Kubeconfig = _kubeconfig.Value,
                Master = _master.Value,
                Qps = _qps.Value,
                Burst = _burst.Value,
                AllowInsecureApiServer = _allowInsecureApiServer.Value,
                WatchIdleTimeout = _watchIdleTimeout.Value,
            },
            LeaderElection = LeaderElection(getEnvironmentVariable("POD_NAME")?.Trim()),
        },
        ConfigureCloudRoutes = _configureCloudRoutes.Value,
        JsonLog = _jsonLog.Value,
        Verbosity = _verbosity.Value,
        ValidateOnly = _validateOnly.Value,
    };

    /// <summary>
    /// Upstream allows one range per family. We allow several (a family's ranges are used in order, the next when
    /// the earlier are full: a pod network can grow without renumbering), as long as no two overlap — an overlap
    /// would hand out the same addresses from two ranges.
    /// </summary>
    private static string? Disjoint(IReadOnlyList<IpBlock> clusters) =>
        clusters.SelectMany((a, i) => clusters.Skip(i + 1).Where(a.Overlaps).Select(b => $"{a} and {b} overlap; cluster CIDRs must be disjoint")).FirstOrDefault();

    /// <summary>At most one IPv4 and one IPv6 block: upstream's dual-stack shape.</summary>
    private static string? OnePerFamily(IReadOnlyList<IpBlock> blocks) => blocks switch
    {
        { Count: > 2 } => $"{blocks.Count} CIDRs given; at most 2 (one IPv4 and one IPv6)",
        [var a, var b] when a.Family == b.Family => $"both CIDRs are {a.Family}; two CIDRs must be one IPv4 and one IPv6",
        _ => null,
    };

    private static string SingleStack(string family) => $"not allowed with a single-stack {family} --cluster-cidr (use --node-cidr-mask-size or the {family} flag)";

    /// <summary>The cluster CIDRs in flag order (the first family is a node's primary), each with its family's node mask.</summary>
    private List<RangeSpec> ClusterRanges()
    {
        var families = _clusterCidr.Value.Select(c => c.Family).Distinct().ToList();
        if (_allocate.Value && families.Count == 0)
        {
            throw FlagException.MissingRequired(_clusterCidr, "the pod address space to allocate from (or pass --allocate-node-cidrs=false)");
        }

        _maskSize.RefuseIf(_maskSize.Changed && families.Count == 2,
            "not allowed with a dual-stack --cluster-cidr; use --node-cidr-mask-size-ipv4 and --node-cidr-mask-size-ipv6");
        _maskSize.RefuseIf(_maskSize.Changed && families.Count > 0 && (_maskSizeIpv4.Changed || _maskSizeIpv6.Changed),
            $"not allowed together with {(_maskSizeIpv4.Changed ? _maskSizeIpv4 : _maskSizeIpv6).Name}");
        _maskSizeIpv6.RefuseIf(_maskSizeIpv6.Changed && families is [IpFamily.IPv4], SingleStack("IPv4"));
        _maskSizeIpv4.RefuseIf(_maskSizeIpv4.Changed && families is [IpFamily.IPv6], SingleStack("IPv6"));
        return [.. _clusterCidr.Value.Select(cluster =>
        {
            var mask = _maskSize.Changed ? _maskSize : cluster.Family == IpFamily.IPv4 ? _maskSizeIpv4 : _maskSizeIpv6;
            mask.RefuseIf(mask.Value > cluster.MaxPrefixLength, $"must be between 0 and {cluster.MaxPrefixLength} for {cluster.Family}");
            return cluster.PrefixLength <= mask.Value ? new RangeSpec(cluster, mask.Value) : throw FlagException.InvalidValue(_clusterCidr, cluster.ToString(),
                $"prefix /{cluster.PrefixLength} is longer than the node mask /{mask.Value} of {mask.Name}; a node block cannot be larger than its cluster CIDR");
        })];
    }

    /// <param name="podName">
    /// The readable part of this replica's identity (the downward API's POD_NAME; else the host name, which for a pod is
    /// its name anyway). As kube-controller-manager's, a random suffix follows, so two processes on one host (or a
    /// restarted pod whose old process still holds the lease) never share an identity.
    /// </param>
    private LeaderElectionOptions LeaderElection(string? podName)
    {
        // A leader must give up (renew deadline) before a standby may take over (lease duration), and must get more
        // than one retry in before it gives up. client-go is stricter on the second rule (deadline > 1.2 × retry).
        _renewDeadline.RefuseIf(_leaderElect.Value && _renewDeadline.Value >= _leaseDuration.Value, $"must be less than {_leaseDuration.Name} ({_leaseDuration.Text})");
        _retryPeriod.RefuseIf(_leaderElect.Value && _retryPeriod.Value >= _renewDeadline.Value, $"must be less than {_renewDeadline.Name} ({_renewDeadline.Text})");
        return DefaultOptions.LeaderElection with
        {
            Enabled = _leaderElect.Value,
            LeaseDuration = _leaseDuration.Value,
            RenewDeadline = _renewDeadline.Value,
            RetryPeriod = _retryPeriod.Value,
            ResourceName = _leaseName.Value,
            ResourceNamespace = _leaseNamespace.Value,
            Identity = (string.IsNullOrEmpty(podName) ? Environment.MachineName : podName) + "_" + Guid.NewGuid().ToString("N")[..8],
        };
    }

    private ServingOptions Serving()
    {
        var (port, metrics) = (_securePort.Value, _metricsBindAddress.Value);
        (_tlsCertFile.Value is null ? _tlsPrivateKeyFile : _tlsCertFile).RefuseIf(
            (_tlsCertFile.Value is null) != (_tlsPrivateKeyFile.Value is null), "--tls-cert-file and --tls-private-key-file must be given together");
        _securePort.RefuseIf(port == 0 && metrics.Length == 0, "with HTTPS off, --metrics-bind-address must be given, or nothing serves the health endpoints");
        _metricsBindAddress.RefuseIf(port != 0 && metrics.Length > 0 && metrics[(metrics.LastIndexOf(':') + 1)..] == port.ToString(CultureInfo.InvariantCulture),
            $"uses the HTTPS port {port} (--secure-port); choose another port");
        return DefaultOptions.Serving with
        {
            BindAddress = _bindAddress.Value,
            SecurePort = port,
            CertDirectory = _certDir.Value,
            TlsCertFile = _tlsCertFile.Value,
            TlsPrivateKeyFile = _tlsPrivateKeyFile.Value,
            TlsMinVersion = _tlsMinVersion.Value,
            AuthenticationKubeconfig = _authenticationKubeconfig.Value,
            AuthorizationKubeconfig = _authorizationKubeconfig.Value,
            AlwaysAllowPaths = _alwaysAllowPaths.Value,
            TokenCacheTtl = _tokenCacheTtl.Value,
            AuthorizedCacheTtl = _authorizedCacheTtl.Value,
            UnauthorizedCacheTtl = _unauthorizedCacheTtl.Value,
        };
    }
}
