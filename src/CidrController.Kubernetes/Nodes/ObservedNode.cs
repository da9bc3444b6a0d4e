using k8s.Models;

namespace CidrController.Kubernetes.Nodes;

/// <summary>
/// What the controller keeps of a Node: its identity and pod CIDRs, already parsed. Whole V1Node objects are
/// dropped as soon as they are read, so memory stays proportional to what allocation needs.
/// </summary>
internal sealed record ObservedNode(string Name, string Uid, IReadOnlyList<PodCidr> PodCidrs, bool Deleting)
{
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>(0);

    /// <summary>
    /// The node's labels, kept only while it has no podCIDRs: they choose its ClusterCIDR pool, and once it has
    /// blocks they no longer matter (so a 50,000-node cluster does not hold 50,000 label sets).
    /// </summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = NoLabels;

    public static ObservedNode From(V1Node node)
    {
        PodCidr[] cidrs = node.Spec?.PodCIDRs is { Count: > 0 } list
            ? [.. list.Select(PodCidr.Parse)]
            : string.IsNullOrEmpty(node.Spec?.PodCIDR) ? [] : [PodCidr.Parse(node.Spec.PodCIDR)];
        return new ObservedNode(node.Metadata.Name, node.Metadata.Uid ?? "", cidrs, node.Metadata.DeletionTimestamp is not null)
        {
            Labels = cidrs.Length == 0 && node.Metadata.Labels is { Count: > 0 } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : NoLabels,
        };
    }

    /// <summary>True when a change between two observations can matter to allocation.</summary>
    public bool DiffersForAllocation(ObservedNode other) =>
        Uid != other.Uid || Deleting != other.Deleting || !PodCidrs.SequenceEqual(other.PodCidrs) || !SameLabels(other);

    private bool SameLabels(ObservedNode other) =>
        Labels.Count == other.Labels.Count && Labels.All(l => other.Labels.TryGetValue(l.Key, out var v) && v == l.Value);
}
