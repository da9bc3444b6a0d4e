using CidrController.Allocation;

namespace CidrController.CommandLine;

/// <summary>One cluster CIDR's capacity before any node exists: what <c>--validate-only</c> prints per range.</summary>
internal sealed record CapacityPlanRow(
    IpBlock Cluster,
    int NodeMaskSize,
    UInt128 TotalBlocks,
    UInt128 ExcludedByServiceRange,
    UInt128 UsableBlocks,
    UInt128 AddressesPerBlock);
