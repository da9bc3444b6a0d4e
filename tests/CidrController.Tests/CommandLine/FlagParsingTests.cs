using CidrController.Allocation;
using CidrController.CommandLine;

namespace CidrController.Tests.CommandLine;

public sealed class FlagParsingTests
{
    private const string Cluster = "--cluster-cidr=10.244.0.0/16";

    [Fact]
    public void Defaults_are_kube_controller_managers()
    {
        var settings = ParsedCommandLine.Accepted(Cluster);
        var controller = settings.Controller;

        Assert.True(controller.AllocateNodeCidrs);
        Assert.Equal([new RangeSpec(IpBlock.Parse("10.244.0.0/16"), 24)], controller.ClusterRanges);
        Assert.Empty(controller.ServiceRanges);
        Assert.Null(controller.Api.Kubeconfig);
        Assert.Null(controller.Api.Master);
        Assert.Equal(20, controller.Api.Qps);
        Assert.Equal(30, controller.Api.Burst);
        Assert.True(controller.LeaderElection.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(15), controller.LeaderElection.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), controller.LeaderElection.RenewDeadline);
        Assert.Equal(TimeSpan.FromSeconds(2), controller.LeaderElection.RetryPeriod);
        Assert.Equal("cidr-controller", controller.LeaderElection.ResourceName);
        Assert.Equal("kube-system", controller.LeaderElection.ResourceNamespace);
        Assert.Equal(10, controller.ConcurrentNodeSyncs);
        Assert.Equal(TimeSpan.FromSeconds(10), controller.PoolSyncInterval);
        Assert.Equal("0.0.0.0:10290", controller.MetricsBindAddress);
        Assert.Equal(LogFormat.Text, settings.LogFormat);
        Assert.Equal(2, settings.Verbosity);
        Assert.False(settings.ValidateOnly);
        Assert.True(settings.ConfigureCloudRoutes);
    }

    public static TheoryData<string, string[], Func<object, object?>, object?> EveryFlagInBothSyntaxes => new()
    {
        { "allocate-node-cidrs=false", ["--allocate-node-cidrs=false"], S(s => s.Controller.AllocateNodeCidrs), false },
        { "allocate-node-cidrs bare", ["--allocate-node-cidrs", Cluster], S(s => s.Controller.AllocateNodeCidrs), true },
        { "allocate-node-cidrs space", ["--allocate-node-cidrs", "false"], S(s => s.Controller.AllocateNodeCidrs), false },
        { "allocate-node-cidrs=F (Go ParseBool)", ["--allocate-node-cidrs=F"], S(s => s.Controller.AllocateNodeCidrs), false },
        { "cidr-allocator-type", ["--cidr-allocator-type", "RangeAllocator", Cluster], S(s => s.Controller.AllocateNodeCidrs), true },
        { "cluster-cidr space", ["--cluster-cidr", "10.1.0.0/16"], S(s => s.Controller.ClusterRanges[0].Cluster.ToString()), "10.1.0.0/16" },
        { "cluster-cidr host bits masked", ["--cluster-cidr=10.1.2.3/16"], S(s => s.Controller.ClusterRanges[0].Cluster.ToString()), "10.1.0.0/16" },
        { "cluster-cidr trimmed", ["--cluster-cidr= 10.1.0.0/16 , fd00::/48 "], S(s => string.Join(",", s.Controller.ClusterRanges)), "10.1.0.0/16 at /24,fd00::/48 at /64" },
        { "cluster-cidr last wins", ["--cluster-cidr=10.1.0.0/16", "--cluster-cidr=10.2.0.0/16"], S(s => s.Controller.ClusterRanges[0].Cluster.ToString()), "10.2.0.0/16" },
        { "node-cidr-mask-size ipv4", [Cluster, "--node-cidr-mask-size=26"], S(s => s.Controller.ClusterRanges[0].NodeMaskSize), 26 },
        { "node-cidr-mask-size ipv6 space", ["--cluster-cidr=fd00::/48", "--node-cidr-mask-size", "112"], S(s => s.Controller.ClusterRanges[0].NodeMaskSize), 112 },
        { "node-cidr-mask-size-ipv4", [Cluster, "--node-cidr-mask-size-ipv4", "20"], S(s => s.Controller.ClusterRanges[0].NodeMaskSize), 20 },
        { "node-cidr-mask-size-ipv6 default", ["--cluster-cidr=fd00::/48"], S(s => s.Controller.ClusterRanges[0].NodeMaskSize), 64 },
        { "node-cidr-mask-size-ipv6", ["--cluster-cidr=fd00::/48", "--node-cidr-mask-size-ipv6=96"], S(s => s.Controller.ClusterRanges[0].NodeMaskSize), 96 },
        { "service range", [Cluster, "--service-cluster-ip-range", "10.96.0.0/12,fd00:96::/108"], S(s => string.Join(",", s.Controller.ServiceRanges)), "10.96.0.0/12,fd00:96::/108" },
        { "service range empty means none", [Cluster, "--service-cluster-ip-range="], S(s => s.Controller.ServiceRanges.Count), 0 },
        { "configure-cloud-routes=false", [Cluster, "--configure-cloud-routes=false"], S(s => s.ConfigureCloudRoutes), false },
        { "kubeconfig", [Cluster, "--kubeconfig", "/etc/k.conf"], S(s => s.Controller.Api.Kubeconfig), "/etc/k.conf" },
        { "kubeconfig empty means unset", [Cluster, "--kubeconfig="], S(s => s.Controller.Api.Kubeconfig), null },
        { "master", [Cluster, "--master=https://10.0.0.1:6443"], S(s => s.Controller.Api.Master), "https://10.0.0.1:6443" },
        { "kube-api-qps", [Cluster, "--kube-api-qps", "5.5"], S(s => s.Controller.Api.Qps), 5.5 },
        { "kube-api-burst", [Cluster, "--kube-api-burst=1"], S(s => s.Controller.Api.Burst), 1 },
        { "leader-elect=false", [Cluster, "--leader-elect=false"], S(s => s.Controller.LeaderElection.Enabled), false },
        { "lease duration 1m30s", [Cluster, "--leader-elect-lease-duration=1m30s"], S(s => s.Controller.LeaderElection.LeaseDuration), TimeSpan.FromSeconds(90) },
        { "renew deadline space", [Cluster, "--leader-elect-renew-deadline", "12s"], S(s => s.Controller.LeaderElection.RenewDeadline), TimeSpan.FromSeconds(12) },
        { "retry period 500ms", [Cluster, "--leader-elect-retry-period=500ms"], S(s => s.Controller.LeaderElection.RetryPeriod), TimeSpan.FromMilliseconds(500) },
        { "resource name", [Cluster, "--leader-elect-resource-name", "ipam"], S(s => s.Controller.LeaderElection.ResourceName), "ipam" },
        { "resource namespace", [Cluster, "--leader-elect-resource-namespace=ipam-system"], S(s => s.Controller.LeaderElection.ResourceNamespace), "ipam-system" },
        { "cluster-cidr-pool-sync-period 750ms", [Cluster, "--cluster-cidr-pool-sync-period=750ms"], S(s => s.Controller.PoolSyncInterval), TimeSpan.FromMilliseconds(750) },
        { "cluster-cidr-pool-sync-period space", [Cluster, "--cluster-cidr-pool-sync-period", "1m"], S(s => s.Controller.PoolSyncInterval), TimeSpan.FromMinutes(1) },
        { "concurrent-node-syncs", [Cluster, "--concurrent-node-syncs", "3"], S(s => s.Controller.ConcurrentNodeSyncs), 3 },
        { "metrics-bind-address v6", [Cluster, "--metrics-bind-address=[::1]:0"], S(s => s.Controller.MetricsBindAddress), "[::1]:0" },
        { "metrics-bind-address any host", [Cluster, "--metrics-bind-address", ":8080"], S(s => s.Controller.MetricsBindAddress), ":8080" },
        { "log-format json", [Cluster, "--log-format=json"], S(s => s.LogFormat), LogFormat.Json },
        { "log-format space", [Cluster, "--log-format", "text"], S(s => s.LogFormat), LogFormat.Text },
        { "-v=4", [Cluster, "-v=4"], S(s => s.Verbosity), 4 },
        { "-v 0", [Cluster, "-v", "0"], S(s => s.Verbosity), 0 },
        { "--v=6", [Cluster, "--v=6"], S(s => s.Verbosity), 6 },
        { "-v5", [Cluster, "-v5"], S(s => s.Verbosity), 5 },
        { "value with = kept whole", [Cluster, "--kubeconfig=/a=b"], S(s => s.Controller.Api.Kubeconfig), "/a=b" },
        { "value starting with @ is not a response file", [Cluster, "--kubeconfig=@k"], S(s => s.Controller.Api.Kubeconfig), "@k" },
    };

    [Theory]
    [MemberData(nameof(EveryFlagInBothSyntaxes))]
    public void Flag_is_read(string name, string[] args, Func<object, object?> read, object? expected)
    {
        Assert.NotNull(name);
        Assert.Equal(expected, read(ParsedCommandLine.Accepted(args)));
    }

    // CommandLineSettings is internal; a public theory signature can only carry it as object.
    private static Func<object, object?> S(Func<CommandLineSettings, object?> read) => settings => read((CommandLineSettings)settings);

    [Fact]
    public void Dual_stack_keeps_flag_order_so_IPv6_first_is_primary()
    {
        var ranges = ParsedCommandLine.Accepted("--cluster-cidr=fd00::/48,10.1.0.0/16").Controller.ClusterRanges;

        Assert.Equal(IpFamily.IPv6, ranges[0].Cluster.Family);
        Assert.Equal(64, ranges[0].NodeMaskSize);
        Assert.Equal(IpFamily.IPv4, ranges[1].Cluster.Family);
        Assert.Equal(24, ranges[1].NodeMaskSize);
    }

    [Fact]
    public void Several_disjoint_ranges_per_family_are_kept_in_flag_order_with_their_familys_mask()
    {
        var ranges = ParsedCommandLine.Accepted("--cluster-cidr=10.1.0.0/16,fd00:1::/48,10.7.0.0/16", "--node-cidr-mask-size-ipv4=26").Controller.ClusterRanges;

        Assert.Equal(
            [new RangeSpec(IpBlock.Parse("10.1.0.0/16"), 26), new RangeSpec(IpBlock.Parse("fd00:1::/48"), 64), new RangeSpec(IpBlock.Parse("10.7.0.0/16"), 26)],
            ranges);
    }

    [Fact]
    public void Allocation_disabled_needs_no_cluster_cidr()
    {
        var controller = ParsedCommandLine.Accepted("--allocate-node-cidrs=false").Controller;

        Assert.False(controller.AllocateNodeCidrs);
        Assert.Empty(controller.ClusterRanges);
    }

    [Fact]
    public void Leader_identity_is_pod_name_plus_random_suffix()
    {
        var first = ParsedCommandLine.Of(name => name == "POD_NAME" ? "ipam-7d9f" : null, Cluster).Settings.Controller.LeaderElection.Identity;
        var second = ParsedCommandLine.Of(name => name == "POD_NAME" ? "ipam-7d9f" : null, Cluster).Settings.Controller.LeaderElection.Identity;

        Assert.Matches("^ipam-7d9f_[0-9a-f]{8}$", first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Leader_identity_without_pod_name_uses_the_machine_name()
    {
        var identity = ParsedCommandLine.Accepted(Cluster).Controller.LeaderElection.Identity;

        Assert.StartsWith(Environment.MachineName + "_", identity, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_wins_and_lists_every_flag_with_exit_0()
    {
        var parsed = ParsedCommandLine.Of("--cluster-cidr=10.0.0.0/8", "-h");

        Assert.False(parsed.Runs);
        Assert.Equal(0, parsed.ExitCode);
        Assert.Empty(parsed.Stderr);
        foreach (var flag in ControllerFlags.All)
        {
            Assert.Contains(flag.Name, parsed.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Version_prints_program_name_and_version()
    {
        var parsed = ParsedCommandLine.Of("--version");

        Assert.Equal(0, parsed.ExitCode);
        Assert.Matches(@"^cidr-controller \d+\.\d+\.\d+\S*\r?\n$", parsed.Stdout);
    }
}
