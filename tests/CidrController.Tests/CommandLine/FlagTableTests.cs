using System.Text.RegularExpressions;

using CidrController.Allocation;
using CidrController.CommandLine;
using CidrController.Kubernetes.Configuration;

namespace CidrController.Tests.CommandLine;

/// <summary>
/// The flag table, one row per flag: each flag's value is read (both pflag syntaxes appear), its default is the
/// options type's, and every refusal names the flag and the value on one line with exit code 2.
/// </summary>
public sealed class FlagTableTests
{
    private const string Cluster = "--cluster-cidr=10.244.0.0/16";

    public static TheoryData<string, string[], Func<object, object?>, object?> EveryFlag => new()
    {
        { "--allocate-node-cidrs=F (Go ParseBool)", ["--allocate-node-cidrs=F"], S(s => s.Controller.AllocateNodeCidrs), false },
        { "--cidr-allocator-type", ["--cidr-allocator-type", "RangeAllocator", Cluster], S(s => s.Controller.AllocateNodeCidrs), true },
        { "--cluster-cidr trimmed, host bits masked, flag order kept", ["--cluster-cidr", " 10.1.2.3/16 , fd00::/48 "], S(s => string.Join(",", s.Controller.ClusterRanges)), "10.1.0.0/16 at /24,fd00::/48 at /64" },
        { "--cluster-cidr last wins", ["--cluster-cidr=10.1.0.0/16", "--cluster-cidr=10.2.0.0/16"], S(s => s.Controller.ClusterRanges[0].Cluster.ToString()), "10.2.0.0/16" },
        { "--node-cidr-mask-size", ["--cluster-cidr=fd00::/48", "--node-cidr-mask-size", "112"], S(s => s.Controller.ClusterRanges[0].NodeMaskSize), 112 },
        { "--node-cidr-mask-size-ipv4", [Cluster, "--node-cidr-mask-size-ipv4", "20"], S(s => s.Controller.ClusterRanges[0].NodeMaskSize), 20 },
        { "--node-cidr-mask-size-ipv6", ["--cluster-cidr=fd00::/48", "--node-cidr-mask-size-ipv6=96"], S(s => s.Controller.ClusterRanges[0].NodeMaskSize), 96 },
        { "--service-cluster-ip-range", [Cluster, "--service-cluster-ip-range", "10.96.0.0/12,fd00:96::/108"], S(s => string.Join(",", s.Controller.ServiceRanges)), "10.96.0.0/12,fd00:96::/108" },
        { "--service-cluster-ip-range empty means none", [Cluster, "--service-cluster-ip-range="], S(s => s.Controller.ServiceRanges.Count), 0 },
        { "--concurrent-node-syncs", [Cluster, "--concurrent-node-syncs", "3"], S(s => s.Controller.ConcurrentNodeSyncs), 3 },
        { "--cluster-cidr-pools", [Cluster, "--cluster-cidr-pools=false"], S(s => s.Controller.ClusterCidrPools), false },
        { "--cluster-cidr-pool-sync-period", [Cluster, "--cluster-cidr-pool-sync-period", "750ms"], S(s => s.Controller.PoolSyncInterval), TimeSpan.FromMilliseconds(750) },
        { "--cidr-reuse-delay", [Cluster, "--cidr-reuse-delay=5m"], S(s => s.Controller.CidrReuseDelay), TimeSpan.FromMinutes(5) },
        { "--kubeconfig (a value with = or @ is kept whole)", [Cluster, "--kubeconfig=@/a=b"], S(s => s.Controller.Api.Kubeconfig), "@/a=b" },
        { "--kubeconfig empty means unset", [Cluster, "--kubeconfig="], S(s => s.Controller.Api.Kubeconfig), null },
        { "--master", [Cluster, "--master", "https://10.0.0.1:6443"], S(s => s.Controller.Api.Master), "https://10.0.0.1:6443" },
        { "--kube-api-qps", [Cluster, "--kube-api-qps", "5.5"], S(s => s.Controller.Api.Qps), 5.5 },
        { "--kube-api-burst", [Cluster, "--kube-api-burst=1"], S(s => s.Controller.Api.Burst), 1 },
        { "--leader-elect=false", [Cluster, "--leader-elect=false"], S(s => s.Controller.LeaderElection.Enabled), false },
        { "--leader-elect-lease-duration", [Cluster, "--leader-elect-lease-duration=1m30s"], S(s => s.Controller.LeaderElection.LeaseDuration), TimeSpan.FromSeconds(90) },
        { "--leader-elect-renew-deadline", [Cluster, "--leader-elect-renew-deadline", "12s"], S(s => s.Controller.LeaderElection.RenewDeadline), TimeSpan.FromSeconds(12) },
        { "--leader-elect-retry-period", [Cluster, "--leader-elect-retry-period=500ms"], S(s => s.Controller.LeaderElection.RetryPeriod), TimeSpan.FromMilliseconds(500) },
        { "--leader-elect-resource-name", [Cluster, "--leader-elect-resource-name", "ipam"], S(s => s.Controller.LeaderElection.ResourceName), "ipam" },
        { "--leader-elect-resource-namespace", [Cluster, "--leader-elect-resource-namespace=ipam-system"], S(s => s.Controller.LeaderElection.ResourceNamespace), "ipam-system" },
        { "--configure-cloud-routes", [Cluster, "--configure-cloud-routes=false"], S(s => s.ConfigureCloudRoutes), false },
        { "--metrics-bind-address", [Cluster, "--metrics-bind-address", "[::1]:0"], S(s => s.Controller.MetricsBindAddress), "[::1]:0" },
        { "--bind-address", [Cluster, "--bind-address=::1"], S(s => s.Controller.Serving.BindAddress.ToString()), "::1" },
        { "--secure-port", [Cluster, "--secure-port=10443"], S(s => s.Controller.Serving.SecurePort), 10443 },
        { "--secure-port=0 with a plain listener", [Cluster, "--secure-port=0", "--metrics-bind-address=127.0.0.1:0"], S(s => s.Controller.Serving.SecurePort), 0 },
        { "--cert-dir", [Cluster, "--cert-dir=/var/run/cidr"], S(s => s.Controller.Serving.CertDirectory), "/var/run/cidr" },
        { "--tls-cert-file", [Cluster, "--tls-cert-file=a.crt", "--tls-private-key-file=a.key"], S(s => s.Controller.Serving.TlsCertFile), "a.crt" },
        { "--tls-private-key-file", [Cluster, "--tls-private-key-file=a.key", "--tls-cert-file=a.crt"], S(s => s.Controller.Serving.TlsPrivateKeyFile), "a.key" },
        { "--tls-min-version", [Cluster, "--tls-min-version=VersionTLS13"], S(s => s.Controller.Serving.TlsMinVersion), System.Security.Authentication.SslProtocols.Tls13 },
        { "--authentication-kubeconfig", [Cluster, "--authentication-kubeconfig=authn.kubeconfig"], S(s => s.Controller.Serving.AuthenticationKubeconfig), "authn.kubeconfig" },
        { "--authorization-kubeconfig", [Cluster, "--authorization-kubeconfig=authz.kubeconfig"], S(s => s.Controller.Serving.AuthorizationKubeconfig), "authz.kubeconfig" },
        { "--authentication-skip-lookup", [Cluster, "--authentication-skip-lookup"], S(s => s.Controller.Serving.SecurePort), 10290 },
        { "--authorization-always-allow-paths", [Cluster, "--authorization-always-allow-paths=/healthz, /debug/*"], S(s => string.Join('|', s.Controller.Serving.AlwaysAllowPaths)), "/healthz|/debug/*" },
        { "--authentication-token-webhook-cache-ttl", [Cluster, "--authentication-token-webhook-cache-ttl=1m"], S(s => s.Controller.Serving.TokenCacheTtl), TimeSpan.FromMinutes(1) },
        { "--authorization-webhook-cache-authorized-ttl", [Cluster, "--authorization-webhook-cache-authorized-ttl=0s"], S(s => s.Controller.Serving.AuthorizedCacheTtl), TimeSpan.Zero },
        { "--authorization-webhook-cache-unauthorized-ttl", [Cluster, "--authorization-webhook-cache-unauthorized-ttl=30s"], S(s => s.Controller.Serving.UnauthorizedCacheTtl), TimeSpan.FromSeconds(30) },
        { "--allow-insecure-api-server", [Cluster, "--allow-insecure-api-server"], S(s => s.Controller.Api.AllowInsecureApiServer), true },
        { "--watch-idle-timeout", [Cluster, "--watch-idle-timeout=5s"], S(s => s.Controller.Api.WatchIdleTimeout), TimeSpan.FromSeconds(5) },
        { "--log-format", [Cluster, "--log-format=json"], S(s => s.JsonLog), true },
        { "--v", [Cluster, "--v=6"], S(s => s.Verbosity), 6 },
        { "-v 0", [Cluster, "-v", "0"], S(s => s.Verbosity), 0 },
        { "-v5 (shorthand with its value attached)", [Cluster, "-v5"], S(s => s.Verbosity), 5 },
        { "--validate-only", [Cluster, "--validate-only=false"], S(s => s.ValidateOnly), false },
        { "a bare boolean is true; the next flag is not its value", ["--allocate-node-cidrs", Cluster], S(s => s.Controller.AllocateNodeCidrs), true },
        { "-- ends the flags", [Cluster, "--"], S(s => s.Controller.ClusterRanges.Count), 1 },
    };

    [Theory]
    [MemberData(nameof(EveryFlag))]
    public void Flag_is_read(string name, string[] args, Func<object, object?> read, object? expected)
    {
        Assert.NotNull(name);
        Assert.Equal(expected, read(ParsedCommandLine.Accepted(args)));
    }

    [Fact]
    public void Every_flag_has_a_row_above()
    {
        var covered = EveryFlag.Select(row => ((string[])row[1]).Select(arg => arg.Split('=')[0])).SelectMany(names => names).ToHashSet();
        var table = CommandLineFrontEnd.CreateRootFlagSet(out _).Flags;

        var uncovered = table.Select(f => f.Name).Where(name => name is not ("--help" or "--version") && !covered.Contains(name)).ToList();
        Assert.True(uncovered.Count == 0, "no row for " + string.Join(", ", uncovered));
    }

    [Fact]
    public void Defaults_are_the_options_types_and_help_shows_them()
    {
        var settings = ParsedCommandLine.Accepted(Cluster);
        var options = new ControllerOptions();
        var table = CommandLineFrontEnd.CreateRootFlagSet(out _).Flags.ToDictionary(f => f.Name, f => f.DefaultText);

        Assert.Equal([new RangeSpec(IpBlock.Parse("10.244.0.0/16"), ControllerOptions.DefaultIpv4NodeMaskSize)], settings.Controller.ClusterRanges);
        Assert.Empty(settings.Controller.ServiceRanges);
        Assert.Equal(options with { ClusterRanges = settings.Controller.ClusterRanges, ServiceRanges = settings.Controller.ServiceRanges, LeaderElection = options.LeaderElection with { Identity = settings.Controller.LeaderElection.Identity } }, settings.Controller);
        Assert.Equal(new CommandLineSettings { Controller = settings.Controller }, settings);
        Assert.Equal(
            ["true", "RangeAllocator", "24", "64", "10", "10s", "0s", "20", "30", "true", "15s", "10s", "2s", "cidr-controller", "kube-system", "true", "", "text", "2"],
            [table["--allocate-node-cidrs"], table["--cidr-allocator-type"], table["--node-cidr-mask-size-ipv4"], table["--node-cidr-mask-size-ipv6"],
             table["--concurrent-node-syncs"], table["--cluster-cidr-pool-sync-period"], table["--cidr-reuse-delay"], table["--kube-api-qps"],
             table["--kube-api-burst"], table["--leader-elect"], table["--leader-elect-lease-duration"], table["--leader-elect-renew-deadline"],
             table["--leader-elect-retry-period"], table["--leader-elect-resource-name"], table["--leader-elect-resource-namespace"],
             table["--configure-cloud-routes"], table["--metrics-bind-address"], table["--log-format"], table["--v"]]);
    }

    [Fact]
    public void Secure_serving_defaults_are_kube_controller_managers_except_the_port()
    {
        var table = CommandLineFrontEnd.CreateRootFlagSet(out _).Flags.ToDictionary(f => f.Name, f => f.DefaultText);
        Assert.Equal(
            ["0.0.0.0", "10290", "", "", "", "", "", "", "false", "/healthz,/readyz,/livez", "10s", "10s", "10s", "false"],
            [table["--bind-address"], table["--secure-port"], table["--cert-dir"], table["--tls-cert-file"], table["--tls-private-key-file"],
             table["--tls-min-version"], table["--authentication-kubeconfig"], table["--authorization-kubeconfig"], table["--authentication-skip-lookup"],
             table["--authorization-always-allow-paths"], table["--authentication-token-webhook-cache-ttl"],
             table["--authorization-webhook-cache-authorized-ttl"], table["--authorization-webhook-cache-unauthorized-ttl"], table["--allow-insecure-api-server"]]);
        var serving = ParsedCommandLine.Accepted(Cluster).Controller.Serving;
        Assert.Equal(System.Net.IPAddress.Any, serving.BindAddress);
        Assert.Equal(10290, serving.SecurePort);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls12, serving.TlsMinVersion);
    }

    public static TheoryData<string[], string> Refused => new()
    {
        // Parse and range, one row per flag that takes a value.
        { ["--cluster-cidr=10.0.0.0/33"], "invalid value \"10.0.0.0/33\" for flag --cluster-cidr: prefix length /33 is out of range 0..32" },
        { ["--cluster-cidr=10.0.0.0"], "invalid value \"10.0.0.0\" for flag --cluster-cidr: missing /prefix" },
        { ["--cluster-cidr=10.0.0.0/8,bogus/64"], "invalid value \"bogus/64\" for flag --cluster-cidr: not a CIDR" },
        { ["--cluster-cidr=10.0.0.0/8,"], "invalid value \"10.0.0.0/8,\" for flag --cluster-cidr: empty entry" },
        { ["--cluster-cidr", ""], "invalid value \"\" for flag --cluster-cidr: must not be empty" },
        { ["--cluster-cidr=10.0.0.0/8,10.7.0.0/16"], "invalid value \"10.0.0.0/8,10.7.0.0/16\" for flag --cluster-cidr: 10.0.0.0/8 and 10.7.0.0/16 overlap; cluster CIDRs must be disjoint" },
        { ["--cluster-cidr=fd00::/48,10.0.0.0/8,fd00::/48"], "for flag --cluster-cidr: fd00::/48 and fd00::/48 overlap" },
        { [], "missing required flag --cluster-cidr" },
        { [Cluster, "--node-cidr-mask-size-ipv4=33"], "invalid value \"33\" for flag --node-cidr-mask-size-ipv4: must be between 0 and 32" },
        { [Cluster, "--node-cidr-mask-size-ipv4=-1"], "invalid value \"-1\" for flag --node-cidr-mask-size-ipv4: must be between 0 and 32" },
        { [Cluster, "--node-cidr-mask-size-ipv4=big"], "invalid value \"big\" for flag --node-cidr-mask-size-ipv4: not an integer" },
        { ["--cluster-cidr=fd00::/48", "--node-cidr-mask-size-ipv6=129"], "invalid value \"129\" for flag --node-cidr-mask-size-ipv6: must be between 0 and 128" },
        { [Cluster, "--node-cidr-mask-size=64"], "invalid value \"64\" for flag --node-cidr-mask-size: must be between 0 and 32 for IPv4" },
        { [Cluster, "--service-cluster-ip-range=10.96.0.0/40"], "invalid value \"10.96.0.0/40\" for flag --service-cluster-ip-range" },
        { [Cluster, "--service-cluster-ip-range=10.96.0.0/12,10.112.0.0/12"], "for flag --service-cluster-ip-range: both CIDRs are IPv4" },
        { [Cluster, "--cidr-allocator-type=CloudAllocator"], "invalid value \"CloudAllocator\" for flag --cidr-allocator-type: only RangeAllocator is supported; this controller does not talk to cloud APIs" },
        { [Cluster, "--concurrent-node-syncs=0"], "invalid value \"0\" for flag --concurrent-node-syncs: must be at least 1" },
        { [Cluster, "--concurrent-node-syncs=99999999999"], "invalid value \"99999999999\" for flag --concurrent-node-syncs: not an integer" },
        { [Cluster, "--cluster-cidr-pool-sync-period=0s"], "invalid value \"0s\" for flag --cluster-cidr-pool-sync-period: must be greater than 0" },
        { [Cluster, "--cidr-reuse-delay=-1s"], "invalid value \"-1s\" for flag --cidr-reuse-delay: must not be negative" },
        { [Cluster, "--kube-api-qps=0"], "invalid value \"0\" for flag --kube-api-qps: must be greater than 0" },
        { [Cluster, "--kube-api-qps=NaN"], "invalid value \"NaN\" for flag --kube-api-qps: not a number" },
        { [Cluster, "--kube-api-burst=0"], "invalid value \"0\" for flag --kube-api-burst: must be at least 1" },
        { [Cluster, "--leader-elect=yes"], "invalid value \"yes\" for flag --leader-elect: not a boolean" },
        { [Cluster, "--leader-elect-lease-duration=15"], "invalid value \"15\" for flag --leader-elect-lease-duration: missing unit" },
        { [Cluster, "--leader-elect-retry-period=2d"], "invalid value \"2d\" for flag --leader-elect-retry-period: unknown unit \"d\"" },
        { [Cluster, "--leader-elect-renew-deadline=-2s"], "invalid value \"-2s\" for flag --leader-elect-renew-deadline: must be greater than 0" },
        { [Cluster, "--leader-elect-resource-name="], "invalid value \"\" for flag --leader-elect-resource-name: must not be empty" },
        { [Cluster, "--leader-elect-resource-namespace="], "invalid value \"\" for flag --leader-elect-resource-namespace: must not be empty" },
        { [Cluster, "--secure-port=0"], "for flag --secure-port: with HTTPS off, --metrics-bind-address must be given" },
        { [Cluster, "--metrics-bind-address=:10290"], "invalid value \":10290\" for flag --metrics-bind-address: uses the HTTPS port 10290" },
        { [Cluster, "--tls-cert-file=a.crt"], "for flag --tls-cert-file: --tls-cert-file and --tls-private-key-file must be given together" },
        { [Cluster, "--tls-min-version=VersionTLS10"], "TLS 1.0 and 1.1 are not offered" },
        { [Cluster, "--bind-address=[::]"], "invalid value \"[::]\" for flag --bind-address: not an IP address" },
        { [Cluster, "--authorization-always-allow-paths=healthz"], "for flag --authorization-always-allow-paths: each path must start with /" },
        { [Cluster, "--metrics-bind-address=0.0.0.0"], "invalid value \"0.0.0.0\" for flag --metrics-bind-address: missing port" },
        { [Cluster, "--metrics-bind-address=:65536"], "invalid value \":65536\" for flag --metrics-bind-address: port must be a number between 0 and 65535" },
        { [Cluster, "--metrics-bind-address=::1:80"], "for flag --metrics-bind-address: host must be an IP address" },
        { [Cluster, "--log-format=xml"], "invalid value \"xml\" for flag --log-format: must be text or json" },
        { [Cluster, "-v=-1"], "invalid value \"-1\" for flag --v: must be at least 0" },

        // Combinations (kube-controller-manager's mask-size and lease-timing rules).
        { ["--cluster-cidr=10.0.0.0/25"], "invalid value \"10.0.0.0/25\" for flag --cluster-cidr: prefix /25 is longer than the node mask /24 of --node-cidr-mask-size-ipv4" },
        { ["--cluster-cidr=fd00::/80"], "prefix /80 is longer than the node mask /64 of --node-cidr-mask-size-ipv6" },
        { ["--cluster-cidr=10.0.0.0/16", "--node-cidr-mask-size=8"], "of --node-cidr-mask-size;" },
        { [Cluster, "--node-cidr-mask-size=24", "--node-cidr-mask-size-ipv4=24"], "invalid value \"24\" for flag --node-cidr-mask-size: not allowed together with --node-cidr-mask-size-ipv4" },
        { ["--cluster-cidr=10.0.0.0/8,fd00::/48", "--node-cidr-mask-size=24"], "invalid value \"24\" for flag --node-cidr-mask-size: not allowed with a dual-stack --cluster-cidr" },
        { [Cluster, "--node-cidr-mask-size-ipv6=64"], "invalid value \"64\" for flag --node-cidr-mask-size-ipv6: not allowed with a single-stack IPv4 --cluster-cidr" },
        { ["--cluster-cidr=fd00::/48", "--node-cidr-mask-size-ipv4=24"], "invalid value \"24\" for flag --node-cidr-mask-size-ipv4: not allowed with a single-stack IPv6 --cluster-cidr" },
        { [Cluster, "--leader-elect-renew-deadline=15s"], "invalid value \"15s\" for flag --leader-elect-renew-deadline: must be less than --leader-elect-lease-duration (15s)" },
        { [Cluster, "--leader-elect-retry-period=10s"], "invalid value \"10s\" for flag --leader-elect-retry-period: must be less than --leader-elect-renew-deadline (10s)" },

        // pflag syntax: booleans never take the next word; unknown flags get a hint; no positional arguments.
        { ["--allocate-node-cidrs", "false"], "unexpected argument \"false\": cidr-controller takes only flags (see --help); a boolean flag takes its value after '=', as in --allocate-node-cidrs=false" },
        { ["--clustr-cidr=10.0.0.0/8"], "unknown flag: --clustr-cidr (did you mean --cluster-cidr?)" },
        { ["--leader-elect-lease=15s"], "unknown flag: --leader-elect-lease (did you mean --leader-elect-lease-duration?)" },
        { ["--completely-different"], "unknown flag: --completely-different" },
        { ["-x"], "unknown flag: -x" },
        { ["--cluster-cidr"], "flag needs an argument: --cluster-cidr" },
        { ["--cluster-cidr", "--leader-elect"], "flag needs an argument: --cluster-cidr" },
        { ["--cluster-cidr=10.0.0.0/8", "--cluster-cidr"], "flag needs an argument: --cluster-cidr" },
        { [Cluster, "extra"], "unexpected argument \"extra\"" },
        { ["[diagram]", Cluster], "unexpected argument \"[diagram]\"" },
        { [Cluster, "--", "x"], "unexpected argument \"x\"" },
        { ["@flags.txt"], "unexpected argument \"@flags.txt\"" },
        { ["--bogus", "--help"], "unknown flag: --bogus" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Refused_with_one_line_naming_flag_and_value(string[] args, string expectedFragment)
    {
        var parsed = ParsedCommandLine.Of(args);

        Assert.False(parsed.Runs);
        Assert.Equal(2, parsed.ExitCode);
        Assert.Empty(parsed.Stdout);
        var line = Assert.Single(parsed.StderrLines);
        Assert.StartsWith("cidr-controller: ", line, StringComparison.Ordinal);
        Assert.Contains(expectedFragment, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_values_for_every_flag_give_one_sane_line_naming_the_flag()
    {
        string[] hostile =
        [
            "", "/", "10.0.0.0/33", "::/129", "%$#@!&*()", new('9', 10_000), "10.0.0.0/" + new string('9', 10_000), "１０.０.０.０/８",
            "10.0.0.0/8\u202Egnp.🙂", "10.0.0.0/8\n\u001b[31mred", "\0", "\uD800/8", ",,,", "   ", "010.0.0.0/8", "fe80::1%eth0/64",
            "10.0.0.0/-1", "10.0.0.0/99999999999999999999",
        ];
        var flags = CommandLineFrontEnd.CreateRootFlagSet(out _).Flags;
        foreach (var flag in flags)
        {
            foreach (var value in hostile)
            {
                var args = flag.Name == "--cluster-cidr" ? new[] { flag.Name + "=" + value } : [Cluster, flag.Name + "=" + value];
                var parsed = ParsedCommandLine.Of(args);
                if (parsed.Runs || parsed.ExitCode == 0)
                {
                    // Only free-form strings, and an empty service range ("none"), accept such values.
                    var freeForm = flag.Name is "--kubeconfig" or "--master" or "--leader-elect-resource-name" or "--leader-elect-resource-namespace"
                        or "--cert-dir" or "--authentication-kubeconfig" or "--authorization-kubeconfig";
                    var noServiceRange = flag.Name == "--service-cluster-ip-range" && value.Trim().Length == 0;
                    // Empty means "none" (or the default TLS version); "/" is a legal always-allowed path.
                    var emptyMeansNone = flag.Name is "--tls-cert-file" or "--tls-private-key-file" or "--metrics-bind-address" or "--tls-min-version"
                        or "--authorization-always-allow-paths" && value.Trim(' ', ',').Length == 0;
                    var rootPath = flag.Name == "--authorization-always-allow-paths" && value == "/";
                    Assert.True(freeForm || noServiceRange || emptyMeansNone || rootPath, $"{flag.Name}={EchoedValue.Escape(value)} was accepted");
                    continue;
                }

                Assert.Equal(2, parsed.ExitCode);
                Assert.Empty(parsed.Stdout);
                var line = Assert.Single(parsed.StderrLines);
                Assert.Contains(flag.Name, line, StringComparison.Ordinal);
                Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
                Assert.DoesNotContain('\r', line);
                Assert.True(line.Length < 400, $"{line.Length} characters: {line}");
            }
        }
    }

    [Fact]
    public void Hostile_values_are_truncated_and_escaped_in_the_error()
    {
        Assert.Contains("\"" + new string('9', 64) + "…\"", ParsedCommandLine.Of("--cluster-cidr=" + new string('9', 10_000)).Stderr, StringComparison.Ordinal);
        Assert.Contains("\"a\\nb\\u001b\\u202e\"", ParsedCommandLine.Of("--cluster-cidr=a\nb\u001b\u202E").Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Dual_stack_keeps_flag_order_and_each_familys_mask()
    {
        var ranges = ParsedCommandLine.Accepted("--cluster-cidr=fd00::/48,10.1.0.0/16,10.7.0.0/16", "--node-cidr-mask-size-ipv4=26").Controller.ClusterRanges;

        Assert.Equal(
            [new RangeSpec(IpBlock.Parse("fd00::/48"), 64), new RangeSpec(IpBlock.Parse("10.1.0.0/16"), 26), new RangeSpec(IpBlock.Parse("10.7.0.0/16"), 26)],
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
    public void Leader_identity_is_pod_name_or_machine_name_plus_random_suffix()
    {
        var first = ParsedCommandLine.Of(name => name == "POD_NAME" ? "ipam-7d9f" : null, Cluster).Settings.Controller.LeaderElection.Identity;
        var second = ParsedCommandLine.Of(name => name == "POD_NAME" ? "ipam-7d9f" : null, Cluster).Settings.Controller.LeaderElection.Identity;

        Assert.Matches("^ipam-7d9f_[0-9a-f]{8}$", first);
        Assert.NotEqual(first, second);
        Assert.StartsWith(Environment.MachineName + "_", ParsedCommandLine.Accepted(Cluster).Controller.LeaderElection.Identity, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_wins_over_a_missing_cluster_cidr_and_lists_every_flag_with_its_default()
    {
        var parsed = ParsedCommandLine.Of("-h");

        Assert.False(parsed.Runs);
        Assert.Equal(0, parsed.ExitCode);
        Assert.Empty(parsed.Stderr);
        foreach (var flag in CommandLineFrontEnd.CreateRootFlagSet(out _).Flags)
        {
            var shownDefault = flag.DefaultText is "" or "false" ? "" : Regex.Escape($"(default {flag.DefaultText})");
            Assert.Matches($@"(?m)^  (-\w, )?\s*{Regex.Escape(flag.Name)}( \w+)? .*{shownDefault}$", parsed.Stdout);
        }
    }

    [Fact]
    public void Version_prints_program_name_and_version()
    {
        var parsed = ParsedCommandLine.Of("--version");

        Assert.Equal(0, parsed.ExitCode);
        Assert.Matches(@"^cidr-controller \d+\.\d+\.\d+\S*\r?\n$", parsed.Stdout);
    }

    // CommandLineSettings is internal; a public theory signature can only carry it as object.
    private static Func<object, object?> S(Func<CommandLineSettings, object?> read) => settings => read((CommandLineSettings)settings);
}
