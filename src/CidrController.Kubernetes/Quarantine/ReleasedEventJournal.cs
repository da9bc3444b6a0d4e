using System.Globalization;

using CidrController.Allocation;
using CidrController.Kubernetes.Events;

using k8s;

namespace CidrController.Kubernetes.Quarantine;

/// <summary>
/// The quarantine's journal as CIDRReleased Events: each carries the blocks and the time they become reusable in
/// two annotations, and is also what a human sees (kubectl get events). Events expire (about an hour by default),
/// so a delay longer than that survives a restart only in part. Keeping the quarantine elsewhere (an object only
/// the controller may write) means replacing this file; nothing else reads or writes the journal.
/// </summary>
internal sealed class ReleasedEventJournal(IKubernetes client, NodeEventRecorder events) : IQuarantineJournal
{
    public const string ReleasedReason = "CIDRReleased";
    public const string ReleasedCidrsAnnotation = "cidr-controller.io/released-cidrs";
    public const string ReusableAfterAnnotation = "cidr-controller.io/reusable-after";

    public void Record(string node, IReadOnlyList<IpBlock> blocks, DateTimeOffset reusableAfter)
    {
        var cidrs = string.Join(",", blocks);
        var after = reusableAfter.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        events.NormalWithData(node, ReleasedReason, $"Released {cidrs}; reusable after {after} (--cidr-reuse-delay)",
            new Dictionary<string, string> { [ReleasedCidrsAnnotation] = cidrs, [ReusableAfterAnnotation] = after });
    }

    public async Task<IReadOnlyList<QuarantineRecord>> ReadPendingAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var list = await client.CoreV1.ListNamespacedEventAsync(NodeEventRecorder.EventNamespace, fieldSelector: "reason=" + ReleasedReason, cancellationToken: cancellationToken).ConfigureAwait(false);
        var records = new List<QuarantineRecord>();
        foreach (var e in list.Items)
        {
            if (e.Reason != ReleasedReason || e.Metadata?.Annotations is not { } annotations
                || !annotations.TryGetValue(ReleasedCidrsAnnotation, out var cidrs)
                || !annotations.TryGetValue(ReusableAfterAnnotation, out var afterText)
                || !DateTimeOffset.TryParse(afterText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var after)
                || after <= now)
            {
                continue;
            }

            var blocks = new List<IpBlock>();
            foreach (var text in cidrs.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (IpBlock.TryParse(text, out var block, out _))
                {
                    blocks.Add(block);
                }
            }

            records.Add(new QuarantineRecord(blocks, after));
        }

        return records;
    }
}
