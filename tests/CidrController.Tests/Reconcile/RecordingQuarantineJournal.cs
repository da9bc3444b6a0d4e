using CidrController.Allocation;
using CidrController.Kubernetes.Quarantine;

namespace CidrController.Tests.Reconcile;

/// <summary>A quarantine journal in memory: what was recorded, and what a restart would read back.</summary>
internal sealed class RecordingQuarantineJournal : IQuarantineJournal
{
    public List<(string Node, QuarantineRecord Record)> Recorded { get; } = [];

    public void Record(string node, IReadOnlyList<IpBlock> blocks, DateTimeOffset reusableAfter) =>
        Recorded.Add((node, new QuarantineRecord(blocks, reusableAfter)));

    public Task<IReadOnlyList<QuarantineRecord>> ReadPendingAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<QuarantineRecord>>([.. Recorded.Select(r => r.Record).Where(r => r.ReusableAfter > now)]);

    public Task RunAsync(CancellationToken stop) => Task.CompletedTask;
}
