using System.CommandLine;

namespace CidrController.CommandLine;

/// <summary>
/// Every flag of <c>cidr-controller</c>: kube-controller-manager's names and defaults (SPEC §1), in the order help lists them.
/// This is the one place that says what a flag means; <see cref="FlagValidator"/> says what values it accepts.
/// </summary>
internal static class ControllerFlags
{
    public static readonly Flag AllocateNodeCidrs = new(
        "--allocate-node-cidrs", null, "true",
        "Allocate a pod CIDR to every node; false: allocate nothing, only serve health and metrics.");

    public static readonly Flag CidrAllocatorType = new(
        "--cidr-allocator-type", "string", "RangeAllocator",
        "Allocator type; only RangeAllocator (this controller does not talk to cloud APIs).");

    public static readonly Flag ClusterCidr = new(
        "--cluster-cidr", "cidrs", "",
        "Pod address space, comma-separated; the first family is a node's primary. Several disjoint ranges of a family are used in order. Required when allocating.");

    public static readonly Flag NodeCidrMaskSize = new(
        "--node-cidr-mask-size", "int", "24 for IPv4, 64 for IPv6",
        "Node CIDR mask size for a single-stack cluster; not allowed with dual-stack or the per-family flags.");

    public static readonly Flag NodeCidrMaskSizeIpv4 = new(
        "--node-cidr-mask-size-ipv4", "int", "24",
        "Node CIDR mask size for the IPv4 cluster CIDR (0..32).");

    public static readonly Flag NodeCidrMaskSizeIpv6 = new(
        "--node-cidr-mask-size-ipv6", "int", "64",
        "Node CIDR mask size for the IPv6 cluster CIDR (0..128).");

    public static readonly Flag ServiceClusterIpRange = new(
        "--service-cluster-ip-range", "cidrs", "",
        "Service CIDRs, comma-separated, at most one per family; node blocks overlapping them are never allocated.");

    public static readonly Flag ConfigureCloudRoutes = new(
        "--configure-cloud-routes", null, "true",
        "Accepted for kube-controller-manager compatibility; there is no cloud provider, so no routes are configured.");

    public static readonly Flag Kubeconfig = new(
        "--kubeconfig", "string", "",
        "Path to a kubeconfig; empty: in-cluster config, then $KUBECONFIG, then ~/.kube/config.");

    public static readonly Flag Master = new(
        "--master", "string", "",
        "Address of the Kubernetes API server (overrides the kubeconfig's).");

    public static readonly Flag KubeApiQps = new(
        "--kube-api-qps", "float", "20",
        "Requests per second toward the API server (watches excluded); must be > 0.");

    public static readonly Flag KubeApiBurst = new(
        "--kube-api-burst", "int", "30",
        "Burst of requests above --kube-api-qps; must be >= 1.");

    public static readonly Flag LeaderElect = new(
        "--leader-elect", null, "true",
        "Take a Lease before allocating, so only one replica allocates at a time.");

    public static readonly Flag LeaderElectLeaseDuration = new(
        "--leader-elect-lease-duration", "duration", "15s",
        "How long a standby waits after the last renewal before taking the lease.");

    public static readonly Flag LeaderElectRenewDeadline = new(
        "--leader-elect-renew-deadline", "duration", "10s",
        "How long the leader keeps retrying to renew before it stops allocating; < lease duration.");

    public static readonly Flag LeaderElectRetryPeriod = new(
        "--leader-elect-retry-period", "duration", "2s",
        "Wait between attempts to acquire or renew the lease; < renew deadline.");

    public static readonly Flag LeaderElectResourceName = new(
        "--leader-elect-resource-name", "string", "cidr-controller",
        "Name of the Lease object used for leader election.");

    public static readonly Flag LeaderElectResourceNamespace = new(
        "--leader-elect-resource-namespace", "string", "kube-system",
        "Namespace of the Lease object used for leader election.");

    public static readonly Flag ConcurrentNodeSyncs = new(
        "--concurrent-node-syncs", "int", "10",
        "Number of nodes reconciled in parallel; >= 1.");

    public static readonly Flag ClusterCidrPools = new(
        "--cluster-cidr-pools", null, "true",
        "Also allocate from ClusterCIDR pools (networking.x-k8s.io/v1, node-ipam-controller's resource) chosen by node labels.");

    // Operators rarely need it (pools change seldom and 10 s is upstream-like); tests against the real binary,
    // the chaos run above all, need pools picked up within a second.
    public static readonly Flag ClusterCidrPoolSyncPeriod = new(
        "--cluster-cidr-pool-sync-period", "duration", "10s",
        "How often ClusterCIDR pools are re-read (new pools used, deleted ones let go); > 0.");

    public static readonly Flag CidrReuseDelay = new(
        "--cidr-reuse-delay", "duration", "0s",
        "Quarantine: a gone node's block is not handed out again until this long after (routes and conntrack can outlive a node).");

    public static readonly Flag MetricsBindAddress = new(
        "--metrics-bind-address", "host:port", "0.0.0.0:10290",
        "Plain-HTTP address serving /healthz, /readyz and /metrics; port 0 picks a free port.");

    public static readonly Flag LogFormat = new(
        "--log-format", "string", "text",
        "Log format: text or json.");

    public static readonly Flag Verbosity = new(
        "--v", "int", "2",
        "Log verbosity: 0-1 warnings and errors; 2-3 also startup and capacity summary, one line per allocation, watch and leader changes; 4-5 debug; 6+ HTTP traces.")
    {
        Aliases = ["-v"],
    };

    public static readonly Flag ValidateOnly = new(
        "--validate-only", null, "false",
        "Validate the flags, print the capacity plan per cluster CIDR and exit without connecting anywhere.");

    public static readonly Flag Help = new(
        "--help", null, "false",
        "Print this help and exit.")
    {
        Aliases = ["-h"],
    };

    public static readonly Flag Version = new(
        "--version", null, "false",
        "Print the version and exit.");

    public static IReadOnlyList<Flag> All { get; } =
    [
        AllocateNodeCidrs, CidrAllocatorType, ClusterCidr, NodeCidrMaskSize, NodeCidrMaskSizeIpv4, NodeCidrMaskSizeIpv6,
        ServiceClusterIpRange, ConfigureCloudRoutes, Kubeconfig, Master, KubeApiQps, KubeApiBurst,
        LeaderElect, LeaderElectLeaseDuration, LeaderElectRenewDeadline, LeaderElectRetryPeriod,
        LeaderElectResourceName, LeaderElectResourceNamespace, ConcurrentNodeSyncs, ClusterCidrPools, ClusterCidrPoolSyncPeriod, CidrReuseDelay, MetricsBindAddress,
        LogFormat, Verbosity, ValidateOnly, Help, Version,
    ];

    private static readonly Dictionary<string, Flag> ByName =
        All.SelectMany(flag => flag.AllNames, (flag, name) => (flag, name)).ToDictionary(pair => pair.name, pair => pair.flag, StringComparer.Ordinal);

    /// <summary>The flag spelled <paramref name="name"/> (<c>--v</c> or <c>-v</c>), or null.</summary>
    public static Flag? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>
    /// The System.CommandLine command that tokenizes the arguments. Subcommands (a later <c>status</c>) are added
    /// here; their tokens then arrive as <see cref="System.CommandLine.Parsing.TokenType.Command"/>.
    /// </summary>
    public static Command CreateRootCommand()
    {
        // A plain Command, not RootCommand: RootCommand brings its own --help/--version output and directives.
        var command = new Command("cidr-controller", "Kubernetes node IPAM controller: gives every node a pod CIDR.");
        foreach (var flag in All)
        {
            command.Options.Add(CreateOption(flag));
        }

        return command;
    }

    private static Option<string> CreateOption(Flag flag)
    {
        var option = new Option<string>(flag.Name, [.. flag.Aliases])
        {
            Description = flag.Description,
            // Booleans take an optional value (--leader-elect, --leader-elect=false); the others exactly one.
            Arity = flag.IsBoolean ? ArgumentArity.ZeroOrOne : ArgumentArity.ExactlyOne,
        };
        return option;
    }
}
