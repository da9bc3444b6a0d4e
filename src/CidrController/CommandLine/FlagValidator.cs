using CidrController.Allocation;
using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>
/// Turns the raw flag values into validated <see cref="CommandLineSettings"/>, refusing every invalid value and
/// combination of SPEC §1 with a <see cref="FlagException"/> before anything connects.
/// </summary>
internal static class FlagValidator
{
    private const string SupportedAllocatorType = "RangeAllocator";

    public static CommandLineSettings Validate(FlagValues values, Func<string, string?> getEnvironmentVariable)
    {
        var allocate = Bool(values, ControllerFlags.AllocateNodeCidrs, true);
        RequireRangeAllocator(values);
        var ranges = ClusterCidrFlags.Parse(values);
        if (allocate && ranges.Count == 0)
        {
            throw FlagException.MissingRequired(ControllerFlags.ClusterCidr,
                "the pod address space to allocate from (or pass --allocate-node-cidrs=false)");
        }

        var controller = new ControllerOptions
        {
            AllocateNodeCidrs = allocate,
            ClusterRanges = ranges,
            ServiceRanges = ParseServiceRanges(values),
            Api = ParseApiClient(values),
            LeaderElection = ParseLeaderElection(values, getEnvironmentVariable),
            ConcurrentNodeSyncs = Int(values, ControllerFlags.ConcurrentNodeSyncs, 10, min: 1),
            ClusterCidrPools = Bool(values, ControllerFlags.ClusterCidrPools, true),
            PoolSyncInterval = values.Get(ControllerFlags.ClusterCidrPoolSyncPeriod) is { } poolSync
                ? ScalarFlagParser.ParsePositiveDuration(ControllerFlags.ClusterCidrPoolSyncPeriod, poolSync)
                : TimeSpan.FromSeconds(10),
            CidrReuseDelay = values.Get(ControllerFlags.CidrReuseDelay) is { } delay
                ? ScalarFlagParser.ParseNonNegativeDuration(ControllerFlags.CidrReuseDelay, delay)
                : TimeSpan.Zero,
            MetricsBindAddress = MetricsBindAddress.Validate(
                ControllerFlags.MetricsBindAddress, values.Get(ControllerFlags.MetricsBindAddress) ?? "0.0.0.0:10290"),
        };
        return new CommandLineSettings
        {
            Controller = controller,
            LogFormat = ParseLogFormat(values),
            Verbosity = Int(values, ControllerFlags.Verbosity, 2, min: 0),
            ValidateOnly = Bool(values, ControllerFlags.ValidateOnly, false),
            ConfigureCloudRoutes = Bool(values, ControllerFlags.ConfigureCloudRoutes, true),
        };
    }

    private static void RequireRangeAllocator(FlagValues values)
    {
        var type = values.Get(ControllerFlags.CidrAllocatorType);
        if (type is not null && type != SupportedAllocatorType)
        {
            throw FlagException.InvalidValue(ControllerFlags.CidrAllocatorType, type,
                "only RangeAllocator is supported; this controller does not talk to cloud APIs");
        }
    }

    private static IReadOnlyList<IpBlock> ParseServiceRanges(FlagValues values)
    {
        var flag = ControllerFlags.ServiceClusterIpRange;
        var text = values.Get(flag);

        // Empty means "no service range", as kube-controller-manager treats it.
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var blocks = CidrList.Parse(flag, text);
        CidrList.RequireOnePerFamily(flag, text, blocks);
        return blocks;
    }

    private static ApiClientOptions ParseApiClient(FlagValues values) => new()
    {
        Kubeconfig = NullIfEmpty(values.Get(ControllerFlags.Kubeconfig)),
        Master = NullIfEmpty(values.Get(ControllerFlags.Master)),
        Qps = values.Get(ControllerFlags.KubeApiQps) is { } qps ? ScalarFlagParser.ParsePositiveNumber(ControllerFlags.KubeApiQps, qps) : 20,
        Burst = Int(values, ControllerFlags.KubeApiBurst, 30, min: 1),
    };

    private static LeaderElectionOptions ParseLeaderElection(FlagValues values, Func<string, string?> getEnvironmentVariable)
    {
        var options = new LeaderElectionOptions
        {
            Enabled = Bool(values, ControllerFlags.LeaderElect, true),
            LeaseDuration = Duration(values, ControllerFlags.LeaderElectLeaseDuration, TimeSpan.FromSeconds(15)),
            RenewDeadline = Duration(values, ControllerFlags.LeaderElectRenewDeadline, TimeSpan.FromSeconds(10)),
            RetryPeriod = Duration(values, ControllerFlags.LeaderElectRetryPeriod, TimeSpan.FromSeconds(2)),
            ResourceName = NonEmpty(values, ControllerFlags.LeaderElectResourceName, "cidr-controller"),
            ResourceNamespace = NonEmpty(values, ControllerFlags.LeaderElectResourceNamespace, "kube-system"),
            Identity = LeaderIdentity.Create(getEnvironmentVariable),
        };
        if (options.Enabled)
        {
            RequireLeaseTimingOrder(values, options);
        }

        return options;
    }

    /// <summary>
    /// A leader must give up (renew deadline) before a standby may take over (lease duration), and must get
    /// more than one retry in before it gives up. client-go is stricter on the second rule (deadline &gt; 1.2 × retry).
    /// </summary>
    private static void RequireLeaseTimingOrder(FlagValues values, LeaderElectionOptions options)
    {
        if (options.RenewDeadline >= options.LeaseDuration)
        {
            throw FlagException.InvalidValue(ControllerFlags.LeaderElectRenewDeadline, DurationText(values, ControllerFlags.LeaderElectRenewDeadline),
                $"must be less than --leader-elect-lease-duration ({DurationText(values, ControllerFlags.LeaderElectLeaseDuration)})");
        }

        if (options.RetryPeriod >= options.RenewDeadline)
        {
            throw FlagException.InvalidValue(ControllerFlags.LeaderElectRetryPeriod, DurationText(values, ControllerFlags.LeaderElectRetryPeriod),
                $"must be less than --leader-elect-renew-deadline ({DurationText(values, ControllerFlags.LeaderElectRenewDeadline)})");
        }
    }

    private static string DurationText(FlagValues values, Flag flag) => values.Get(flag) ?? flag.DefaultText;

    private static LogFormat ParseLogFormat(FlagValues values)
    {
        var text = values.Get(ControllerFlags.LogFormat);
        return text?.ToLowerInvariant() switch
        {
            null or "text" => LogFormat.Text,
            "json" => LogFormat.Json,
            _ => throw FlagException.InvalidValue(ControllerFlags.LogFormat, text, "must be text or json"),
        };
    }

    private static bool Bool(FlagValues values, Flag flag, bool defaultValue) =>
        values.Get(flag) is { } text ? ScalarFlagParser.ParseBool(flag, text) : defaultValue;

    private static int Int(FlagValues values, Flag flag, int defaultValue, int min) =>
        values.Get(flag) is { } text ? ScalarFlagParser.ParseInt(flag, text, min, int.MaxValue) : defaultValue;

    private static TimeSpan Duration(FlagValues values, Flag flag, TimeSpan defaultValue) =>
        values.Get(flag) is { } text ? ScalarFlagParser.ParsePositiveDuration(flag, text) : defaultValue;

    private static string NonEmpty(FlagValues values, Flag flag, string defaultValue)
    {
        var text = values.Get(flag);
        if (text is null)
        {
            return defaultValue;
        }

        return text.Length > 0 ? text : throw FlagException.InvalidValue(flag, text, "must not be empty");
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
