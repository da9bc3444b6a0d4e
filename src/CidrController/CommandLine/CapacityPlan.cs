using System.Globalization;

using CidrController.Allocation;
using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>
/// The capacity plan <c>--validate-only</c> prints. It is computed by the same <see cref="CidrAllocator"/> the
/// controller runs, so "excluded by the service range" is exactly what the controller will exclude.
/// </summary>
internal sealed class CapacityPlan
{
    private static readonly string[] Headers =
        ["CLUSTER CIDR", "FAMILY", "NODE MASK", "BLOCKS TOTAL", "EXCLUDED (SERVICE)", "USABLE", "ADDRESSES PER BLOCK"];

    private CapacityPlan(bool allocationEnabled, IReadOnlyList<IpBlock> serviceRanges, IReadOnlyList<CapacityPlanRow> rows)
    {
        AllocationEnabled = allocationEnabled;
        ServiceRanges = serviceRanges;
        Rows = rows;
    }

    public bool AllocationEnabled { get; }

    public IReadOnlyList<IpBlock> ServiceRanges { get; }

    public IReadOnlyList<CapacityPlanRow> Rows { get; }

    public static CapacityPlan From(ControllerOptions options)
    {
        if (!options.AllocateNodeCidrs)
        {
            return new CapacityPlan(false, options.ServiceRanges, []);
        }

        var allocator = new CidrAllocator(options.ClusterRanges, options.ServiceRanges);
        var rows = allocator.Ranges.Select(ToRow).ToList();
        return new CapacityPlan(true, options.ServiceRanges, rows);
    }

    public void WriteTo(TextWriter writer)
    {
        if (!AllocationEnabled)
        {
            writer.WriteLine("allocation is disabled (--allocate-node-cidrs=false): no pod CIDRs will be allocated; only /healthz, /readyz and /metrics are served");
            return;
        }

        var services = ServiceRanges.Count == 0 ? "none" : string.Join(", ", ServiceRanges);
        writer.WriteLine($"capacity plan ({Rows.Count} range(s), first family is a node's primary; service ranges: {services})");
        WriteTable(writer, [Headers, .. Rows.Select(Cells)]);
    }

    private static CapacityPlanRow ToRow(BlockRange range)
    {
        var statistics = range.GetStatistics();
        return new CapacityPlanRow(
            range.Cluster, range.NodeMaskSize, statistics.TotalBlocks, statistics.Excluded, statistics.Free, statistics.AddressesPerBlock);
    }

    private static string[] Cells(CapacityPlanRow row) =>
    [
        row.Cluster.ToString(),
        row.Cluster.Family.ToString(),
        "/" + row.NodeMaskSize.ToString(CultureInfo.InvariantCulture),
        row.TotalBlocks.ToString(CultureInfo.InvariantCulture),
        row.ExcludedByServiceRange.ToString(CultureInfo.InvariantCulture),
        row.UsableBlocks.ToString(CultureInfo.InvariantCulture),
        row.AddressesPerBlock.ToString(CultureInfo.InvariantCulture),
    ];

    private static void WriteTable(TextWriter writer, IReadOnlyList<string[]> lines)
    {
        var widths = Enumerable.Range(0, Headers.Length).Select(column => lines.Max(line => line[column].Length)).ToArray();
        foreach (var line in lines)
        {
            var padded = line.Select((cell, column) => cell.PadRight(widths[column]));
            writer.WriteLine(string.Join("  ", padded).TrimEnd());
        }
    }
}
