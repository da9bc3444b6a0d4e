namespace CidrController.Allocation;

/// <summary>One block handed out: the block, the range it came from, and how many used blocks the scan skipped.</summary>
public readonly record struct AllocatedBlock(IpBlock Block, BlockRange Range, UInt128 Skipped);
