namespace CidrController.Kubernetes.Status;

/// <summary>A node whose existing podCIDR is invalid, outside every range, or overlaps another node's.</summary>
internal sealed record NodeCidrIssue(string Node, string PodCidr, string Reason, string Detail);
