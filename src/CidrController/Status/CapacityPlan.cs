using System.Globalization;

using CidrController.Kubernetes.Configuration;
using CidrController.Kubernetes.Status;

namespace CidrController.Status;

/// <summary>
/// What <c>--validate-only</c> prints: every cluster CIDR's capacity before any node exists. It is the status
/// report of a cluster with no nodes, computed by the same allocator the controller runs, so "excluded by the
/// service range" is exactly what the controller will exclude.
/// </summary>
internal static class CapacityPlan
{
    public static void Write(ControllerOptions options, TextWriter writer)
    {
        if (!options.AllocateNodeCidrs)
        {
            writer.WriteLine("allocation is disabled (--allocate-node-cidrs=false): no pod CIDRs will be allocated; only /healthz, /readyz and /metrics are served");
            return;
        }

        var ranges = ClusterStatusReport.Compute(options.ClusterRanges, options.ServiceRanges, []).Ranges;
        var services = options.ServiceRanges.Count == 0 ? "none" : string.Join(", ", options.ServiceRanges);
        writer.WriteLine($"capacity plan ({ranges.Count} range(s), first family is a node's primary; service ranges: {services})");
        string[][] lines =
        [
            ["CLUSTER CIDR", "FAMILY", "NODE MASK", "BLOCKS TOTAL", "EXCLUDED (SERVICE)", "USABLE", "ADDRESSES PER BLOCK"],
            .. ranges.Select(r => new[] { r.ClusterCidr, r.Family.ToString(), "/" + r.NodeMaskSize.ToString(CultureInfo.InvariantCulture) }
                .Concat(new[] { r.BlocksTotal, r.BlocksExcluded, r.BlocksFree, r.AddressesPerBlock }.Select(n => n.ToString(CultureInfo.InvariantCulture))).ToArray()),
        ];
        var widths = Enumerable.Range(0, lines[0].Length).Select(column => lines.Max(line => line[column].Length)).ToArray();
        foreach (var line in lines)
        {
            writer.WriteLine(string.Join("  ", line.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd());
        }
    }
}
