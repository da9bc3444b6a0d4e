namespace CidrController.Tests.CommandLine;

/// <summary>Every refusal of SPEC §1: one line on stderr naming the flag and the value, exit 2.</summary>
public sealed class FlagErrorTests
{
    private const string Cluster = "--cluster-cidr=10.244.0.0/16";

    public static TheoryData<string, string[], string> RefusedCommandLines => new()
    {
        { "unparsable cluster CIDR", ["--cluster-cidr=10.0.0.0/33"], "invalid value \"10.0.0.0/33\" for flag --cluster-cidr: prefix length /33 is out of range 0..32" },
        { "cluster CIDR without prefix", ["--cluster-cidr=10.0.0.0"], "invalid value \"10.0.0.0\" for flag --cluster-cidr: missing /prefix" },
        { "second entry unparsable", ["--cluster-cidr=10.0.0.0/8,bogus/64"], "invalid value \"bogus/64\" for flag --cluster-cidr: not a CIDR" },
        { "empty entry", ["--cluster-cidr=10.0.0.0/8,"], "invalid value \"10.0.0.0/8,\" for flag --cluster-cidr: empty entry" },
        { "overlapping IPv4 cluster CIDRs", ["--cluster-cidr=10.0.0.0/8,10.7.0.0/16"], "invalid value \"10.0.0.0/8,10.7.0.0/16\" for flag --cluster-cidr: 10.0.0.0/8 and 10.7.0.0/16 overlap; cluster CIDRs must be disjoint" },
        { "the same IPv6 cluster CIDR twice", ["--cluster-cidr=fd00::/48,10.0.0.0/8,fd00::/48"], "for flag --cluster-cidr: fd00::/48 and fd00::/48 overlap" },
        { "missing cluster CIDR", [], "missing required flag --cluster-cidr" },
        { "cluster prefix longer than node mask", ["--cluster-cidr=10.0.0.0/25"], "invalid value \"10.0.0.0/25\" for flag --cluster-cidr: prefix /25 is longer than the node mask /24 of --node-cidr-mask-size-ipv4" },
        { "IPv6 prefix longer than node mask", ["--cluster-cidr=fd00::/80"], "prefix /80 is longer than the node mask /64 of --node-cidr-mask-size-ipv6" },
        { "single mask longer than prefix", ["--cluster-cidr=10.0.0.0/16", "--node-cidr-mask-size=8"], "of --node-cidr-mask-size" },
        { "mask size with family flag", [Cluster, "--node-cidr-mask-size=24", "--node-cidr-mask-size-ipv4=24"], "invalid value \"24\" for flag --node-cidr-mask-size: not allowed together with --node-cidr-mask-size-ipv4" },
        { "mask size with dual-stack", ["--cluster-cidr=10.0.0.0/8,fd00::/48", "--node-cidr-mask-size=24"], "invalid value \"24\" for flag --node-cidr-mask-size: not allowed with a dual-stack --cluster-cidr" },
        { "IPv6 mask flag on IPv4 cluster", [Cluster, "--node-cidr-mask-size-ipv6=64"], "invalid value \"64\" for flag --node-cidr-mask-size-ipv6: not allowed with a single-stack IPv4 --cluster-cidr" },
        { "IPv4 mask flag on IPv6 cluster", ["--cluster-cidr=fd00::/48", "--node-cidr-mask-size-ipv4=24"], "invalid value \"24\" for flag --node-cidr-mask-size-ipv4: not allowed with a single-stack IPv6 --cluster-cidr" },
        { "IPv4 mask above 32", [Cluster, "--node-cidr-mask-size-ipv4=33"], "invalid value \"33\" for flag --node-cidr-mask-size-ipv4: must be between 0 and 32" },
        { "IPv6 mask above 128", ["--cluster-cidr=fd00::/48", "--node-cidr-mask-size-ipv6=129"], "invalid value \"129\" for flag --node-cidr-mask-size-ipv6: must be between 0 and 128" },
        { "single mask above 32 on IPv4", [Cluster, "--node-cidr-mask-size=64"], "invalid value \"64\" for flag --node-cidr-mask-size: must be between 0 and 32 for IPv4" },
        { "negative mask", [Cluster, "--node-cidr-mask-size-ipv4=-1"], "invalid value \"-1\" for flag --node-cidr-mask-size-ipv4: must be between 0 and 32" },
        { "mask not a number", [Cluster, "--node-cidr-mask-size-ipv4=big"], "invalid value \"big\" for flag --node-cidr-mask-size-ipv4: not an integer" },
        { "cloud allocator", [Cluster, "--cidr-allocator-type=CloudAllocator"], "invalid value \"CloudAllocator\" for flag --cidr-allocator-type: only RangeAllocator is supported; this controller does not talk to cloud APIs" },
        { "unparsable service range", [Cluster, "--service-cluster-ip-range=10.96.0.0/40"], "invalid value \"10.96.0.0/40\" for flag --service-cluster-ip-range" },
        { "two IPv4 service ranges", [Cluster, "--service-cluster-ip-range=10.96.0.0/12,10.112.0.0/12"], "for flag --service-cluster-ip-range: both CIDRs are IPv4" },
        { "zero qps", [Cluster, "--kube-api-qps=0"], "invalid value \"0\" for flag --kube-api-qps: must be greater than 0" },
        { "NaN qps", [Cluster, "--kube-api-qps=NaN"], "invalid value \"NaN\" for flag --kube-api-qps: not a number" },
        { "zero burst", [Cluster, "--kube-api-burst=0"], "invalid value \"0\" for flag --kube-api-burst: must be at least 1" },
        { "zero workers", [Cluster, "--concurrent-node-syncs=0"], "invalid value \"0\" for flag --concurrent-node-syncs: must be at least 1" },
        { "int overflow", [Cluster, "--concurrent-node-syncs=99999999999"], "invalid value \"99999999999\" for flag --concurrent-node-syncs: not an integer" },
        { "bad boolean", [Cluster, "--leader-elect=yes"], "invalid value \"yes\" for flag --leader-elect: not a boolean" },
        { "duration without unit", [Cluster, "--leader-elect-lease-duration=15"], "invalid value \"15\" for flag --leader-elect-lease-duration: missing unit" },
        { "duration unknown unit", [Cluster, "--leader-elect-retry-period=2d"], "invalid value \"2d\" for flag --leader-elect-retry-period: unknown unit \"d\"" },
        { "negative duration", [Cluster, "--leader-elect-retry-period=-2s"], "invalid value \"-2s\" for flag --leader-elect-retry-period: must be greater than 0" },
        { "zero pool sync period", [Cluster, "--cluster-cidr-pool-sync-period=0s"], "invalid value \"0s\" for flag --cluster-cidr-pool-sync-period: must be greater than 0" },
        { "renew deadline not below lease", [Cluster, "--leader-elect-renew-deadline=15s"], "invalid value \"15s\" for flag --leader-elect-renew-deadline: must be less than --leader-elect-lease-duration (15s)" },
        { "retry period not below renew deadline", [Cluster, "--leader-elect-retry-period=10s"], "invalid value \"10s\" for flag --leader-elect-retry-period: must be less than --leader-elect-renew-deadline (10s)" },
        { "empty lease name", [Cluster, "--leader-elect-resource-name="], "invalid value \"\" for flag --leader-elect-resource-name: must not be empty" },
        { "metrics address without port", [Cluster, "--metrics-bind-address=0.0.0.0"], "invalid value \"0.0.0.0\" for flag --metrics-bind-address: missing port" },
        { "metrics port too large", [Cluster, "--metrics-bind-address=:65536"], "invalid value \":65536\" for flag --metrics-bind-address: port must be a number between 0 and 65535" },
        { "metrics bare IPv6", [Cluster, "--metrics-bind-address=::1:80"], "for flag --metrics-bind-address: host must be an IP address" },
        { "log format", [Cluster, "--log-format=xml"], "invalid value \"xml\" for flag --log-format: must be text or json" },
        { "negative verbosity", [Cluster, "-v=-1"], "invalid value \"-1\" for flag --v: must be at least 0" },
        { "unknown flag with hint", ["--clustr-cidr=10.0.0.0/8"], "unknown flag: --clustr-cidr (did you mean --cluster-cidr?)" },
        { "truncated flag with hint", ["--leader-elect-lease=15s"], "unknown flag: --leader-elect-lease (did you mean --leader-elect-lease-duration?)" },
        { "unknown flag without hint", ["--completely-different"], "unknown flag: --completely-different" },
        { "unknown short flag", ["-x"], "unknown flag: -x" },
        { "missing value at end", ["--cluster-cidr"], "flag needs an argument: --cluster-cidr" },
        { "missing value before a flag", ["--cluster-cidr", "--leader-elect"], "flag needs an argument: --cluster-cidr" },
        { "repeated flag missing its second value", ["--cluster-cidr=10.0.0.0/8", "--cluster-cidr"], "flag needs an argument: --cluster-cidr" },
        { "positional argument", [Cluster, "extra"], "unexpected argument \"extra\"" },
        { "directive-looking argument", ["[diagram]", Cluster], "unexpected argument \"[diagram]\"" },
        { "argument after --", [Cluster, "--", "x"], "unexpected argument \"x\"" },
        { "response file is not expanded", ["@flags.txt"], "unexpected argument \"@flags.txt\"" },
    };

    [Theory]
    [MemberData(nameof(RefusedCommandLines))]
    public void Refused_with_one_line_naming_flag_and_value(string name, string[] args, string expectedFragment)
    {
        var parsed = ParsedCommandLine.Of(args);

        Assert.False(parsed.Runs, name);
        Assert.Equal(2, parsed.ExitCode);
        Assert.Empty(parsed.Stdout);
        var line = Assert.Single(parsed.StderrLines);
        Assert.StartsWith("cidr-controller: ", line, StringComparison.Ordinal);
        Assert.Contains(expectedFragment, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_flag_wins_over_help()
    {
        var parsed = ParsedCommandLine.Of("--bogus", "--help");

        Assert.Equal(2, parsed.ExitCode);
        Assert.DoesNotContain("Usage", parsed.Stdout + parsed.Stderr, StringComparison.Ordinal);
    }
}
