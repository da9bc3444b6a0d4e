namespace CidrController.Kubernetes.Reconcile;

/// <summary>What adopting a node's existing podCIDRs found.</summary>
internal sealed record AdoptionReport(bool Changed, IReadOnlyList<CidrProblem> Problems)
{
    public static AdoptionReport Unchanged { get; } = new(false, []);
}
