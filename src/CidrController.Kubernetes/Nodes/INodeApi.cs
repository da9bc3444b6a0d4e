using CidrController.Allocation;

namespace CidrController.Kubernetes.Nodes;

/// <summary>The two Node calls reconciliation makes; an interface so decisions can be tested without HTTP.</summary>
internal interface INodeApi
{
    /// <summary>Sets spec.podCIDR/podCIDRs with upstream's strategic merge patch. Never throws for API errors.</summary>
    Task<PatchOutcome> PatchPodCidrsAsync(string node, IReadOnlyList<IpBlock> cidrs, CancellationToken cancellationToken);

    /// <summary>Reads a node; null when it does not exist. Throws when the server cannot be asked.</summary>
    Task<ObservedNode?> ReadAsync(string node, CancellationToken cancellationToken);
}
