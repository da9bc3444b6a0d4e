namespace CidrController.Allocation;

/// <summary>
/// What <see cref="CidrAllocator.Allocate"/> gave one node: one block per family in family order, or nothing
/// (<see cref="Success"/> false, <see cref="Blocks"/> empty) with the family whose ranges were all full.
/// </summary>
public sealed record AllocationResult(bool Success, IReadOnlyList<AllocatedBlock> Blocks, IpFamily? ExhaustedFamily)
{
    internal static AllocationResult Exhausted(IpFamily family) => new(false, [], family);
}
