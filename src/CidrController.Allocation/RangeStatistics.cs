namespace CidrController.Allocation;

/// <summary>
/// A consistent snapshot of one <see cref="BlockRange"/>, for metrics and the startup capacity summary.
/// </summary>
/// <param name="TotalBlocks">2^(node mask − cluster prefix); saturates at <see cref="UInt128.MaxValue"/> for 2^128.</param>
/// <param name="InUse">Blocks held by nodes (allocated or occupied); excluded blocks are not counted here.</param>
/// <param name="Excluded">Blocks excluded because a service CIDR overlaps them (never handed out).</param>
/// <param name="AllocationsTotal">Blocks that went from free to node-held (AllocateNext and Occupy), as upstream's counter.</param>
/// <param name="ReleasesTotal">Blocks that went from node-held to free.</param>
/// <param name="AddressesPerBlock">2^(max − node mask).</param>
public readonly record struct RangeStatistics(
    UInt128 TotalBlocks,
    UInt128 InUse,
    UInt128 Excluded,
    ulong AllocationsTotal,
    ulong ReleasesTotal,
    UInt128 AddressesPerBlock)
{
    /// <summary>Blocks neither held nor excluded.</summary>
    public UInt128 Free => TotalBlocks - InUse - Excluded;

    /// <summary>(InUse + Excluded) / TotalBlocks, 0..1, as upstream's usage gauge (which counts the service range as used).</summary>
    public double Usage => TotalBlocks == 0 ? 0 : ((double)InUse + (double)Excluded) / (double)TotalBlocks;
}
