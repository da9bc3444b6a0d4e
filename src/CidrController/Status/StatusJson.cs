using System.Text.Json;

using CidrController.Kubernetes.Status;

namespace CidrController.Status;

/// <summary>
/// The status report for scripts. Block counts are decimal strings: an IPv6 range's counts exceed what a
/// JSON number survives in most parsers (2^53).
/// </summary>
internal static class StatusJson
{
    public static void Write(ClusterStatusReport report, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("ranges");
            foreach (var range in report.Ranges)
            {
                json.WriteStartObject();
                json.WriteString("pool", range.Pool);
                json.WriteString("clusterCIDR", range.ClusterCidr);
                json.WriteString("family", range.Family.ToString());
                json.WriteNumber("nodeMaskSize", range.NodeMaskSize);
                json.WriteString("addressesPerBlock", range.AddressesPerBlock.ToString());
                json.WriteString("blocksTotal", range.BlocksTotal.ToString());
                json.WriteString("blocksExcluded", range.BlocksExcluded.ToString());
                json.WriteString("blocksUsed", range.BlocksUsed.ToString());
                json.WriteString("blocksFree", range.BlocksFree.ToString());
                json.WriteNumber("usage", Math.Round(range.Usage, 6));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("nodes", report.Nodes);
            json.WriteStartArray("nodesWithoutPodCIDR");
            foreach (var node in report.NodesWithoutPodCidr)
            {
                json.WriteStringValue(node);
            }

            json.WriteEndArray();
            json.WriteStartArray("nodesWithBadPodCIDRs");
            foreach (var issue in report.NodesWithBadPodCidrs)
            {
                json.WriteStartObject();
                json.WriteString("node", issue.Node);
                json.WriteString("podCIDR", issue.PodCidr);
                json.WriteString("reason", issue.Reason);
                json.WriteString("detail", issue.Detail);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
