using System.Globalization;

namespace CidrController.Sandbox;

/// <summary>The per-range usage table, read from the controller's own /metrics.</summary>
public static class UsageTable
{
    public static async Task PrintAsync(ControllerProcess controller, TextWriter output)
    {
        var metrics = await controller.GetAsync("metrics").ConfigureAwait(false);
        var ranges = PrometheusText.LabelValues(metrics, "node_ipam_controller_cidrset_max_cidrs", "clusterCIDR");
        output.WriteLine($"{"cluster CIDR",-24} {"blocks",22} {"in use",8} {"excluded",9} {"free",22} {"usage",7}");
        foreach (var range in ranges)
        {
            var label = $"clusterCIDR=\"{range}\"";
            var total = PrometheusText.Value(metrics, "node_ipam_controller_cidrset_max_cidrs", label) ?? 0;
            var used = PrometheusText.Value(metrics, "node_ipam_controller_cidrset_allocated_cidrs", label) ?? 0;
            var excluded = PrometheusText.Value(metrics, "cidr_controller_cidrset_excluded_cidrs", label) ?? 0;
            var usage = PrometheusText.Value(metrics, "node_ipam_controller_cidrset_usage_cidrs", label) ?? 0;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{range,-24} {Count(total),22} {used,8:0} {excluded,9:0} {Count(total - used - excluded),22} {usage,7:P1}"));
        }
    }

    // Counts above 2^53 are not exact in a double; say so rather than print false digits.
    private static string Count(double value) =>
        value < 9_007_199_254_740_992d ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("0.###e+0", CultureInfo.InvariantCulture);
}
