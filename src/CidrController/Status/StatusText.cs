using System.Globalization;

using CidrController.Kubernetes.Status;

namespace CidrController.Status;

/// <summary>The status report as a table for people.</summary>
internal static class StatusText
{
    private const int BarWidth = 20;

    public static void Write(ClusterStatusReport report, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"POOL",-12} {"CLUSTER CIDR",-26} {"BLOCK",6} {"TOTAL",22} {"EXCLUDED",10} {"USED",10} {"FREE",22}  USAGE"));
        foreach (var range in report.Ranges)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{range.Pool,-12} {range.ClusterCidr,-26} {"/" + range.NodeMaskSize,6} {range.BlocksTotal,22} {range.BlocksExcluded,10} {range.BlocksUsed,10} {range.BlocksFree,22}  {Bar(range.Usage)} {range.Usage * 100,5:0.0}%"));
        }

        output.WriteLine();
        output.WriteLine($"Nodes: {report.Nodes}; without a podCIDR: {report.NodesWithoutPodCidr.Count}; with a bad podCIDR: {report.NodesWithBadPodCidrs.Count}");
        if (report.NodesWithoutPodCidr.Count > 0)
        {
            output.WriteLine($"Waiting for a block: {string.Join(", ", report.NodesWithoutPodCidr.Take(20))}{(report.NodesWithoutPodCidr.Count > 20 ? ", …" : "")}");
        }

        foreach (var issue in report.NodesWithBadPodCidrs)
        {
            output.WriteLine($"{issue.Reason}: node {issue.Node} podCIDR {issue.PodCidr}: {issue.Detail}");
        }
    }

    private static string Bar(double usage)
    {
        var filled = (int)Math.Round(Math.Clamp(usage, 0, 1) * BarWidth, MidpointRounding.AwayFromZero);
        if (filled == 0 && usage > 0)
        {
            filled = 1; // something is used: never draw an empty bar for it
        }

        return "[" + new string('#', filled) + new string('.', BarWidth - filled) + "]";
    }
}
