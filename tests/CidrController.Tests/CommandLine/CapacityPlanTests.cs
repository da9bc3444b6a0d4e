namespace CidrController.Tests.CommandLine;

public sealed class CapacityPlanTests
{
    [Fact]
    public void Service_range_inside_the_cluster_cidr_is_excluded()
    {
        var parsed = ParsedCommandLine.Of("--validate-only", "--cluster-cidr=10.1.0.0/16", "--service-cluster-ip-range=10.1.0.0/20");

        Assert.Equal(0, parsed.ExitCode);
        Assert.False(parsed.Runs);
        Assert.Empty(parsed.Stderr);
        Assert.Matches(@"(?m)^10\.1\.0\.0/16\s+IPv4\s+/24\s+256\s+16\s+240\s+256$", parsed.Stdout);
    }

    [Fact]
    public void Huge_IPv6_counts_are_printed_exactly_in_flag_order()
    {
        var parsed = ParsedCommandLine.Of(
            "--validate-only", "--cluster-cidr=fd00::/48,10.1.0.0/16", "--node-cidr-mask-size-ipv6=112", "--service-cluster-ip-range=fd00::/108");
        var lines = parsed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(0, parsed.ExitCode);
        Assert.Matches(@"^fd00::/48\s+IPv6\s+/112\s+18446744073709551616\s+16\s+18446744073709551600\s+65536$", lines[2]);
        Assert.Matches(@"^10\.1\.0\.0/16\s+IPv4\s+/24\s+256\s+0\s+256\s+256$", lines[3]);
    }

    [Fact]
    public void Service_range_of_the_other_family_excludes_nothing()
    {
        var parsed = ParsedCommandLine.Of("--validate-only", "--cluster-cidr=10.1.0.0/16", "--service-cluster-ip-range=fd00::/108");

        Assert.Matches(@"(?m)^10\.1\.0\.0/16\s+IPv4\s+/24\s+256\s+0\s+256\s+256$", parsed.Stdout);
    }

    [Fact]
    public void Disabled_allocation_says_so()
    {
        var parsed = ParsedCommandLine.Of("--validate-only", "--allocate-node-cidrs=false");

        Assert.Equal(0, parsed.ExitCode);
        Assert.Contains("allocation is disabled", parsed.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_only_still_refuses_bad_flags()
    {
        var parsed = ParsedCommandLine.Of("--validate-only", "--cluster-cidr=10.1.0.0/16", "--node-cidr-mask-size-ipv4=8");

        Assert.Equal(2, parsed.ExitCode);
        Assert.Empty(parsed.Stdout);
    }
}
