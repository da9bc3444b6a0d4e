namespace CidrController.Kubernetes.Reconcile;

internal enum CidrProblemKind
{
    /// <summary>Does not parse as a CIDR.</summary>
    Invalid,

    /// <summary>Parses, but lies outside every configured cluster CIDR (or is of an unconfigured family).</summary>
    OutOfRange,

    /// <summary>Overlaps blocks another node already holds.</summary>
    Overlap,

    /// <summary>Larger than the node mask: it holds more than one block (all of them occupied, as upstream does).</summary>
    Oversized,
}

/// <summary>Something wrong with a podCIDR a node already had; reported, never "fixed" (the API forbids changing it).</summary>
internal sealed record CidrProblem(CidrProblemKind Kind, string Cidr, string Detail)
{
    /// <summary>The Warning event reason for this kind of problem.</summary>
    public string Reason => Kind switch
    {
        CidrProblemKind.Invalid => "InvalidPodCIDR",
        CidrProblemKind.OutOfRange => "PodCIDROutOfRange",
        CidrProblemKind.Oversized => "PodCIDROversized",
        _ => "PodCIDROverlap",
    };
}
