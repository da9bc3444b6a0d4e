namespace CidrController.Kubernetes.Nodes;

internal enum PatchStatus
{
    /// <summary>The server stored the patch; <see cref="PatchOutcome.Node"/> is what it returned.</summary>
    Applied,

    /// <summary>The node does not exist (any more).</summary>
    NotFound,

    /// <summary>The server refused the change (409/422): typically the node already has other podCIDRs.</summary>
    Rejected,

    /// <summary>The server answered with an error that says the write did not happen (429, 5xx, 403…): retry later.</summary>
    Failed,

    /// <summary>No answer (timeout, connection lost): the write may or may not have happened.</summary>
    Unknown,
}

internal sealed record PatchOutcome(PatchStatus Status, ObservedNode? Node = null, int? StatusCode = null, TimeSpan? RetryAfter = null, string? Message = null);
