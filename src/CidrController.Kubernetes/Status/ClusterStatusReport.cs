using CidrController.Allocation;
using CidrController.Kubernetes.Nodes;
using CidrController.Kubernetes.Pools;
using CidrController.Kubernetes.Reconcile;

namespace CidrController.Kubernetes.Status;

/// <summary>
/// How full every range is, from the nodes as the API server has them, computed by the very code the
/// controller uses on startup (the same allocator, the same adoption rules), so the view cannot disagree
/// with what the controller would do.
/// </summary>
internal sealed record ClusterStatusReport(
    IReadOnlyList<RangeStatus> Ranges,
    int Nodes,
    IReadOnlyList<string> NodesWithoutPodCidr,
    IReadOnlyList<NodeCidrIssue> NodesWithBadPodCidrs)
{
    /// <param name="pools">ClusterCIDR pools (invalid or overlapping ones are skipped, as the controller skips them).</param>
    public static ClusterStatusReport Compute(IReadOnlyList<RangeSpec> ranges, IReadOnlyList<IpBlock> serviceRanges, IEnumerable<ObservedNode> nodes, IEnumerable<ClusterCidrPool>? pools = null)
    {
        var catalog = new PoolCatalog(new CidrAllocator(ranges, serviceRanges), serviceRanges);
        foreach (var pool in pools ?? [])
        {
            catalog.Upsert(pool);
        }

        var ledger = new NodeCidrLedger(catalog);
        var waiting = new List<string>();
        var issues = new List<NodeCidrIssue>();
        var count = 0;
        foreach (var node in nodes.OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            count++;
            if (node.PodCidrs.Count == 0)
            {
                if (!node.Deleting)
                {
                    waiting.Add(node.Name);
                }

                continue;
            }

            foreach (var problem in ledger.Adopt(node.Name, node.Uid, node.PodCidrs).Problems)
            {
                issues.Add(new NodeCidrIssue(node.Name, problem.Cidr, problem.Reason, problem.Detail));
            }
        }

        var rangeStatuses = catalog.Entries.SelectMany(pool => pool.Allocator.Ranges.Select(range => RangeStatus.From(pool.Name, range))).ToList();
        return new ClusterStatusReport(rangeStatuses, count, waiting, issues);
    }
}
