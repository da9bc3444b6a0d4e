using CidrController.Allocation;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Pools;

namespace CidrController.Tests.Metrics;

/// <summary>
/// Dashboards and alerts written for kube-controller-manager's allocator must work on this controller: every
/// node_ipam_controller_* family KCM exports (recorded from a real KCM by tests/kcm-metrics/record.sh) is exported
/// with the same name, type and label names.
/// </summary>
public sealed class KcmMetricCompatibilityTests
{
    private static readonly ExposedMetrics Recorded =
        ExposedMetrics.Parse(File.ReadAllText(RepositoryRoot.PathOf("tests/kcm-metrics/kcm-node-ipam-metrics.txt")));

    [Fact]
    public void The_recording_holds_kcms_node_ipam_families()
    {
        Assert.Contains("node_ipam_controller_cidrset_cidrs_allocations_total", Recorded.Types.Keys);
        Assert.All(Recorded.Types.Keys, name => Assert.StartsWith("node_ipam_controller_", name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_kcm_family_is_exported_with_its_type_and_label_names()
    {
        var exported = await ScrapeAfterSomeAllocations();

        foreach (var (family, type) in Recorded.Types)
        {
            Assert.True(exported.Types.TryGetValue(family, out var ours), $"{family} is not exported");
            Assert.Equal(type, ours);
            foreach (var series in Recorded.SeriesOf(family))
            {
                Assert.True(exported.LabelSets.TryGetValue(series, out var labelSets), $"no {series} series");
                Assert.Equal(Recorded.LabelSets[series], labelSets);
            }
        }
    }

    [Fact]
    public async Task Upstreams_misspelled_max_cidrs_gauge_is_exported_beside_the_correct_spelling()
    {
        var exported = await ScrapeAfterSomeAllocations();

        // kube-controller-manager 1.27 and later name it "cirdset"; dashboards query that name.
        Assert.Equal("gauge", exported.Types["node_ipam_controller_cirdset_max_cidrs"]);
        Assert.Equal(["clusterCIDR"], exported.LabelSets["node_ipam_controller_cirdset_max_cidrs"]);
        Assert.Equal(exported.LabelSets["node_ipam_controller_cidrset_max_cidrs"], exported.LabelSets["node_ipam_controller_cirdset_max_cidrs"]);
    }

    [Fact]
    public async Task Process_and_dotnet_runtime_metrics_are_exported()
    {
        var exported = await ScrapeAfterSomeAllocations();

        Assert.Contains("process_cpu_seconds_total", exported.Types.Keys);
        Assert.Contains("process_working_set_bytes", exported.Types.Keys);
        Assert.Contains("process_start_time_seconds", exported.Types.Keys);
        Assert.Contains("dotnet_total_memory_bytes", exported.Types.Keys);
    }

    private static async Task<ExposedMetrics> ScrapeAfterSomeAllocations()
    {
        var metrics = new ControllerMetrics();
        var allocator = new CidrAllocator([new RangeSpec(IpBlock.Parse("10.1.0.0/16"), 24)], []);
        metrics.Track(new PoolCatalog(allocator, []), () => 0, () => 0);
        var first = allocator.Allocate();
        metrics.ObserveAllocation(first.Blocks[0]);
        allocator.Allocate();
        allocator.Release(first.Blocks[0].Block);
        return ExposedMetrics.Parse(await MetricsText.Scrape(metrics));
    }
}
