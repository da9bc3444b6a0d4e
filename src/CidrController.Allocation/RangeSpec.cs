namespace CidrController.Allocation;

/// <summary>
/// One cluster CIDR and the node mask size carved from it (one entry of <c>--cluster-cidr</c> with its
/// <c>--node-cidr-mask-size*</c>). Validated by <see cref="BlockRange"/>'s constructor, not here.
/// </summary>
public readonly record struct RangeSpec(IpBlock Cluster, int NodeMaskSize)
{
    public override string ToString() => $"{Cluster} at /{NodeMaskSize}";
}
