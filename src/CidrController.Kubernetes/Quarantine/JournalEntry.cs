using CidrController.Allocation;

namespace CidrController.Kubernetes.Quarantine;

/// <summary>
/// One release as the journal keeps it: the blocks, when they become reusable, and the node that held them (only
/// for a human reading the ConfigMap; nothing reads it back).
/// </summary>
internal sealed record JournalEntry(string Node, IReadOnlyList<IpBlock> Blocks, DateTimeOffset ReusableAfter)
{
    public QuarantineRecord ToRecord() => new(Blocks, ReusableAfter);
}
