using System.Text.RegularExpressions;

using CidrController.ApiEmulator;

namespace CidrController.ChaosTests;

/// <summary>
/// Proves from the API server's own records that only the lease holder allocates: the lease history is rebuilt
/// from the successful lease writes in the request log, and every allocation patch (a node PATCH setting
/// podCIDR, whatever its answer) is matched by its User-Agent identity against the term it arrived in.
/// </summary>
/// <remarks>
/// The honest in-flight window: a patch the old leader sent just before it noticed the loss can arrive after
/// the new leader's first lease write only if the old leader kept working past its renew deadline, which is
/// shorter than the lease (the new leader cannot acquire before the lease expires). So the allowed lateness is
/// only <see cref="Grace"/> — loopback latency and thread scheduling — and every late patch is counted and
/// printed, not hidden.
/// </remarks>
internal sealed partial class LeaseAudit
{
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(100);

    private LeaseAudit(IReadOnlyList<LeaseTerm> terms, IReadOnlyList<string> violations, int patches, int late, TimeSpan maxLateness)
    {
        Terms = terms;
        Violations = violations;
        Patches = patches;
        LateWithinGrace = late;
        MaxLateness = maxLateness;
    }

    public IReadOnlyList<LeaseTerm> Terms { get; }

    public IReadOnlyList<string> Violations { get; }

    public int Patches { get; }

    public int LateWithinGrace { get; }

    public TimeSpan MaxLateness { get; }

    public static LeaseAudit Of(IReadOnlyList<RequestRecord> requests)
    {
        var terms = RebuildTerms(requests);
        var violations = new List<string>();
        var patches = 0;
        var late = 0;
        var maxLateness = TimeSpan.Zero;
        foreach (var patch in requests.Where(IsAllocationPatch))
        {
            patches++;
            var identity = IdentityOf(patch.UserAgent);
            var term = terms.LastOrDefault(t => t.Covers(patch.Time));
            if (term is not null && term.Holder == identity)
            {
                continue;
            }

            var ownLast = terms.LastOrDefault(t => t.Holder == identity && t.End is { } end && end <= patch.Time);
            var lateness = ownLast?.End is { } ended ? patch.Time - ended : TimeSpan.MaxValue;
            if (lateness <= Grace)
            {
                late++;
                maxLateness = lateness > maxLateness ? lateness : maxLateness;
                continue;
            }

            violations.Add($"{patch.Time:HH:mm:ss.fff} PATCH {patch.PathAndQuery} from {identity} while {(term is null ? "nobody" : term.Holder)} held the lease"
                + (ownLast is null ? "" : $" ({lateness.TotalMilliseconds:F0} ms after its own term ended)"));
        }

        return new LeaseAudit(terms, violations, patches, late, maxLateness);
    }

    public static bool IsAllocationPatch(RequestRecord r) =>
        r.Method == "PATCH" && r.PathAndQuery.StartsWith("/api/v1/nodes/", StringComparison.Ordinal) && (r.Body?.Contains("podCIDR", StringComparison.Ordinal) ?? false);

    public static string IdentityOf(string? userAgent)
    {
        var match = UserAgentIdentity().Match(userAgent ?? "");
        return match.Success ? match.Groups[1].Value : userAgent ?? "";
    }

    private static List<LeaseTerm> RebuildTerms(IReadOnlyList<RequestRecord> requests)
    {
        var terms = new List<LeaseTerm>();
        string? holder = null;
        DateTimeOffset start = default;
        foreach (var write in requests.Where(r => r.LeaseHolderWritten is not null).OrderBy(r => r.Time))
        {
            var next = write.LeaseHolderWritten!;
            if (next == holder)
            {
                continue;
            }

            if (!string.IsNullOrEmpty(holder))
            {
                terms.Add(new LeaseTerm(holder, start, write.Time));
            }

            holder = next;
            start = write.Time;
        }

        if (!string.IsNullOrEmpty(holder))
        {
            terms.Add(new LeaseTerm(holder, start, null));
        }

        return terms;
    }

    [GeneratedRegex(@"\(([^()]+)\)\s*$")]
    private static partial Regex UserAgentIdentity();
}
