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

    /// <summary>
    /// Writes what <see cref="Record"/> takes in, in the background, until <paramref name="stop"/>; then what is still
    /// unwritten, for a few seconds at most (a new leader reads it when its term starts). API failures are retried
    /// here; what retrying cannot fix throws.
    /// </summary>
    Task RunAsync(CancellationToken stop);
}
