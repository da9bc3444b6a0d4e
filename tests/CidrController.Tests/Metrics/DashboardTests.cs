using System.Text.Json;
using System.Text.RegularExpressions;

using CidrController.Allocation;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Pools;

namespace CidrController.Tests.Metrics;

/// <summary>
/// The chart's Grafana dashboard (charts/cidr-controller/dashboards/cidr-controller.json) is valid JSON with the
/// panels operators need, and queries only metrics the controller exports: a renamed metric must not leave a
/// silently empty panel.
/// </summary>
public sealed partial class DashboardTests
{
    private static readonly string[] PromQlWords =
        ["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "le", "inf", "nan"];

    private static readonly JsonDocument Dashboard =
        JsonDocument.Parse(File.ReadAllText(RepositoryRoot.PathOf("charts/cidr-controller/dashboards/cidr-controller.json")));

    [Fact]
    public void Dashboard_has_a_title_a_stable_uid_and_unique_panel_ids()
    {
        var root = Dashboard.RootElement;
        Assert.Equal("cidr-controller", root.GetProperty("uid").GetString());
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("title").GetString()));
        var ids = Panels().Select(p => p.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(Panels(), p => Assert.NotEmpty(p.GetProperty("targets").EnumerateArray()));
    }

    [Theory]
    [InlineData("node_ipam_controller_cidrset_usage_cidrs")]
    [InlineData("node_ipam_controller_cidrset_cidrs_allocations_total")]
    [InlineData("node_ipam_controller_cidrset_cidrs_releases_total")]
    [InlineData("cidr_controller_nodes_waiting_for_cidr")]
    [InlineData("cidr_controller_api_errors_total")]
    [InlineData("cidr_controller_leader")]
    public void Dashboard_shows(string metric) =>
        Assert.Contains(metric, Expressions().SelectMany(MetricNames));

    [Fact]
    public async Task Every_metric_the_dashboard_queries_is_exported()
    {
        var exported = await ScrapeWithEverySeries();

        var queried = Expressions().SelectMany(MetricNames).Distinct().ToList();

        Assert.NotEmpty(queried);
        Assert.All(queried, name => Assert.True(exported.LabelSets.ContainsKey(name), $"the dashboard queries {name}, which the controller does not export"));
    }

    [Theory]
    [InlineData("max by (clusterCIDR) (a_b and on(instance) c == 1)", new[] { "a_b", "c" })]
    [InlineData("sum by (le) (rate(x_bucket{pool!=\"default\"}[$__rate_interval]))", new[] { "x_bucket" })]
    [InlineData("histogram_quantile(0.99, sum by (le) (rate(y_seconds_bucket[5m])))", new[] { "y_seconds_bucket" })]
    public void Metric_names_are_read_from_expressions(string expr, string[] expected) =>
        Assert.Equal(expected, MetricNames(expr));

    internal static IEnumerable<string> MetricNames(string expr)
    {
        var bare = Selector().Replace(Range().Replace(Grouping().Replace(expr, " "), " "), " ");
        return Identifier().Matches(bare)
            .Where(m => !bare[(m.Index + m.Length)..].TrimStart().StartsWith('('))
            .Select(m => m.Value)
            .Where(name => !PromQlWords.Contains(name, StringComparer.OrdinalIgnoreCase))
            .Distinct();
    }

    private static IEnumerable<JsonElement> Panels() => Dashboard.RootElement.GetProperty("panels").EnumerateArray();

    private static IEnumerable<string> Expressions() =>
        Panels().SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!);

    private static async Task<ExposedMetrics> ScrapeWithEverySeries()
    {
        var metrics = new ControllerMetrics();
        var allocator = new CidrAllocator([new RangeSpec(IpBlock.Parse("10.1.0.0/16"), 24)], []);
        metrics.Track(new PoolCatalog(allocator, []), () => 0, () => 0);
        var block = allocator.Allocate().Blocks[0];
        metrics.ObserveAllocation(block);
        allocator.Release(block.Block);
        metrics.ObserveReconcile(TimeSpan.FromMilliseconds(3));
        metrics.CountApiError("patch", "nodes", "500");
        metrics.CountCidrProblem("PodCIDROverlap");
        metrics.SetLeader(true);
        return ExposedMetrics.Parse(await MetricsText.Scrape(metrics));
    }

    // by (...), without (...), on(...), ignoring(...), group_left(...): label names, not metrics.
    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Range();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Selector();

    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}
