using CidrController.Allocation;

namespace CidrController.Kubernetes.Configuration;

/// <summary>
/// Everything the controller needs to run, parsed and validated once at the command's edge.
/// Constructing one from flags is the executable's job; nothing downstream re-validates.
/// </summary>
internal sealed record ControllerOptions
{
    /// <summary>The node block size of an IPv4 cluster CIDR when no mask flag says otherwise (kube-controller-manager's).</summary>
    public const int DefaultIpv4NodeMaskSize = 24;

    /// <summary>The node block size of an IPv6 cluster CIDR when no mask flag says otherwise (kube-controller-manager's).</summary>
    public const int DefaultIpv6NodeMaskSize = 64;

    /// <summary>False: allocate nothing, only serve health and metrics (kube-controller-manager's --allocate-node-cidrs=false).</summary>
    public bool AllocateNodeCidrs { get; init; } = true;

    /// <summary>Cluster CIDRs with their node mask sizes, in flag order; the first family is a node's primary.</summary>
    public IReadOnlyList<RangeSpec> ClusterRanges { get; init; } = [];

    /// <summary>Service CIDRs: blocks that overlap them are never handed to a node.</summary>
    public IReadOnlyList<IpBlock> ServiceRanges { get; init; } = [];

    public ApiClientOptions Api { get; init; } = new();

    public LeaderElectionOptions LeaderElection { get; init; } = new();

    /// <summary>Reconcile workers; a node is never handled by two at once.</summary>
    public int ConcurrentNodeSyncs { get; init; } = 10;

    /// <summary>Use ClusterCIDR pools (networking.x-k8s.io/v1) besides the --cluster-cidr ranges.</summary>
    public bool ClusterCidrPools { get; init; } = true;

    /// <summary>--cidr-reuse-delay: how long a gone node's blocks stay in quarantine (zero: none, as upstream).</summary>
    public TimeSpan CidrReuseDelay { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// Where the reuse quarantine is kept (only with a delay): a ConfigMap beside the Lease, in the namespace the
    /// controller owns (--leader-elect-resource-namespace, used even with leader election off), named after the
    /// Lease (--leader-elect-resource-name + "-quarantine"), so the chart can grant update on that one name.
    /// </summary>
    public (string Namespace, string Name) QuarantineConfigMap => (LeaderElection.ResourceNamespace, LeaderElection.ResourceName + "-quarantine");

    /// <summary>
    /// Safety-net resync period of the ClusterCIDR pools: how often they are re-read in full, so a pool created,
    /// changed or deleted is picked up within this time at the latest.
    /// </summary>
    public TimeSpan PoolSyncInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>HTTPS with delegated authentication and authorization for /healthz, /readyz, /livez and /metrics.</summary>
    public ServingOptions Serving { get; init; } = new();

    /// <summary>
    /// host:port of an extra plain-HTTP listener for the same paths, with no authentication at all (anyone who
    /// can reach it reads /metrics); empty: none. For local use and the sandbox, never for a shared network.
    /// </summary>
    public string MetricsBindAddress { get; init; } = "";
}

internal sealed record ApiClientOptions
{
    /// <summary>Path to a kubeconfig; null: in-cluster config, then KUBECONFIG, then ~/.kube/config.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Overrides the API server address from the kubeconfig.</summary>
    public string? Master { get; init; }

    public double Qps { get; init; } = 20;

    public int Burst { get; init; } = 30;

    /// <summary>Timeout of one non-watch request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Appended to the User-Agent (the replica's identity), so API server logs tell replicas apart.</summary>
    public string? UserAgentSuffix { get; init; }

    /// <summary>
    /// Allow a plain-HTTP API server address or a kubeconfig that skips TLS verification. Without it only
    /// https:// with verification is accepted, except for a loopback address (a local API server or proxy).
    /// </summary>
    public bool AllowInsecureApiServer { get; init; }

    /// <summary>A watch that delivers nothing (not even a bookmark) for this long is presumed dead and restarted.</summary>
    public TimeSpan WatchIdleTimeout { get; init; } = TimeSpan.FromSeconds(90);
}

internal sealed record LeaderElectionOptions
{
    public bool Enabled { get; init; } = true;

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public string ResourceName { get; init; } = "cidr-controller";

    public string ResourceNamespace { get; init; } = "kube-system";

    /// <summary>This replica's identity in the Lease (POD_NAME, else host name, plus a unique suffix).</summary>
    public string Identity { get; init; } = "";
}
