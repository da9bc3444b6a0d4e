using System.Globalization;
using System.Text.RegularExpressions;

using CidrController.Allocation;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Pools;

namespace CidrController.Tests.Metrics;

/// <summary>
/// Each leadership term builds a new allocator whose own totals start at zero; the exported counters must keep
/// counting (a counter that stalls after a re-election hides every allocation until it passes the old figure).
/// </summary>
public sealed class CountersAcrossTermsTests
{
    private const string Range = "10.1.0.0/16";

    [Fact]
    public async Task Allocations_and_releases_keep_counting_in_the_next_term()
    {
        var metrics = new ControllerMetrics();
        var firstTerm = Term(metrics);
        var released = firstTerm.Allocate().Blocks[0].Block;
        firstTerm.Allocate();
        firstTerm.Allocate();
        firstTerm.Release(released);
        // Not scraped during the first term: its counts must still be kept when it ends.
        metrics.Track(null, () => 0, () => 0);

        var secondTerm = Term(metrics);
        secondTerm.Allocate();
        var text = await MetricsText.Scrape(metrics);

        Assert.Equal(4, Value(text, "node_ipam_controller_cidrset_cidrs_allocations_total"));
        Assert.Equal(1, Value(text, "node_ipam_controller_cidrset_cidrs_releases_total"));
    }

    [Fact]
    public async Task A_scrape_in_each_term_counts_nothing_twice()
    {
        var metrics = new ControllerMetrics();
        var firstTerm = Term(metrics);
        firstTerm.Allocate();
        firstTerm.Allocate();
        await MetricsText.Scrape(metrics);
        metrics.Track(null, () => 0, () => 0);
        await MetricsText.Scrape(metrics);

        Term(metrics).Allocate();
        var text = await MetricsText.Scrape(metrics);

        Assert.Equal(3, Value(text, "node_ipam_controller_cidrset_cidrs_allocations_total"));
    }

    private static CidrAllocator Term(ControllerMetrics metrics)
    {
        var allocator = new CidrAllocator([new RangeSpec(IpBlock.Parse(Range), 24)], []);
        metrics.Track(new PoolCatalog(allocator, []), () => 0, () => 0);
        return allocator;
    }

    private static double Value(string text, string name)
    {
        var match = Regex.Match(text, $@"^{name}\{{clusterCIDR=""{Regex.Escape(Range)}""\}} (\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no {name} for {Range} in:\n{text}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
