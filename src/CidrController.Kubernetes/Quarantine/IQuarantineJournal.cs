using CidrController.Allocation;

namespace CidrController.Kubernetes.Quarantine;

/// <summary>
/// Where the reuse quarantine outlives the process: every block that enters it is recorded, and a new leadership
/// term reads back what is still pending. The only part of the quarantine that knows how it is persisted.
/// </summary>
internal interface IQuarantineJournal
{
    /// <summary>Records that <paramref name="node"/>'s blocks are not reusable before <paramref name="reusableAfter"/>; must not block.</summary>
    void Record(string node, IReadOnlyList<IpBlock> blocks, DateTimeOffset reusableAfter);

    /// <summary>Every recorded quarantine still pending at <paramref name="now"/>. API failures propagate.</summary>
    Task<IReadOnlyList<QuarantineRecord>> ReadPendingAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
