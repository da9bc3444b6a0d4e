using CidrController.Allocation;

namespace CidrController.Kubernetes.Quarantine;

/// <summary>Blocks a gone node held, not to be handed out again before <see cref="ReusableAfter"/>.</summary>
internal sealed record QuarantineRecord(IReadOnlyList<IpBlock> Blocks, DateTimeOffset ReusableAfter);
