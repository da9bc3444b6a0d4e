using k8s.Models;

namespace CidrController.Kubernetes.Nodes;

/// <summary>
/// What the controller keeps of a Node: its identity and pod CIDRs. Whole V1Node objects are dropped as
/// soon as they are read, so memory stays proportional to what allocation needs.
/// </summary>
public sealed record ObservedNode(string Name, string Uid, IReadOnlyList<string> PodCidrs, bool Deleting)
{
    public static ObservedNode From(V1Node node)
    {
        var cidrs = node.Spec?.PodCIDRs is { Count: > 0 } list
            ? list.ToArray()
            : string.IsNullOrEmpty(node.Spec?.PodCIDR) ? [] : [node.Spec.PodCIDR];
        return new ObservedNode(node.Metadata.Name, node.Metadata.Uid ?? "", cidrs, node.Metadata.DeletionTimestamp is not null);
    }

    /// <summary>True when a change between two observations can matter to allocation.</summary>
    public bool DiffersForAllocation(ObservedNode other) =>
        Uid != other.Uid || Deleting != other.Deleting || !PodCidrs.SequenceEqual(other.PodCidrs, StringComparer.Ordinal);
}
