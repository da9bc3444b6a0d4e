using System.Globalization;

using CidrController.ApiEmulator;
using CidrController.TestHarness;

namespace CidrController.ChaosTests;

/// <summary>
/// The ClusterCIDR invariants of a chaos run with pools created and deleted, from the API server's state, the
/// controller's /metrics and its events: nodes take blocks only from a pool that selects them or from the
/// default ranges; every pool range still there is counted without a leak; a deleted pool goes once its last
/// node is gone and never before; invalid pools are reported and never used.
/// </summary>
internal sealed class PoolInvariantChecker(KubeApiEmulator api, IReadOnlyList<ChaosClusterCidr> pools, IReadOnlyDictionary<string, ChaosNode> createdByUid)
{
    /// <summary>The invariants a settled controller satisfies (the run waits for them).</summary>
    public IEnumerable<InvariantResult> Settling(IReadOnlyList<LiveNode> nodes, string metrics)
    {
        var present = pools.Where(p => api.GetClusterCidr(p.Name) is not null).ToList();
        yield return InUseMatches(nodes, present, metrics);
        yield return DeletedPoolsLifecycle(nodes, present);
        yield return InvalidPoolsReported(present);
    }

    /// <summary>Every block a node got from the controller lies in the default ranges or in one pool that selects the node, both families from the same pool.</summary>
    public InvariantResult BlocksFromTheRightPool(IReadOnlyList<LiveNode> nodes)
    {
        var failures = new List<string>();
        var fromPools = 0;
        foreach (var node in nodes)
        {
            if (createdByUid.GetValueOrDefault(node.Uid) is not { Preset: PresetKind.None } created || node.Parsed.Count == 0)
            {
                continue;
            }

            if (node.Parsed.All(c => ChaosPool.Ranges.Any(r => r.Cluster.Contains(c) && c.Prefix == r.NodeMask)))
            {
                continue;
            }

            // A slot is reused once its earlier pools are gone, so several pools may have had the block: one must select the node.
            if (pools.Any(p => p.Selects(created.PoolLabel) && node.Parsed.All(c => p.Ranges.Any(r => r.Cluster.Contains(c) && c.Prefix == r.NodeMask))))
            {
                fromPools++;
                continue;
            }

            var had = pools.Where(p => node.Parsed.Any(c => p.Ranges.Any(r => r.Cluster.Overlaps(c)))).Select(p => p.Describe);
            failures.Add($"{node.Name} (label {created.PoolLabel ?? "none"}) [{string.Join(",", node.PodCidrs)}]; pools over it: {string.Join("; ", had)}");
        }

        return new InvariantResult("every allocated node's blocks come from one pool that selects it, or from the --cluster-cidr ranges", failures.Count == 0,
            failures.Count == 0 ? $"{fromPools} live nodes hold pool blocks, the rest default" : string.Join("; ", failures.Take(10)));
    }

    /// <summary>For every range of a valid pool still there (terminating ones included): the in-use metric equals the blocks live nodes hold in it.</summary>
    private static InvariantResult InUseMatches(IReadOnlyList<LiveNode> nodes, IReadOnlyList<ChaosClusterCidr> present, string metrics)
    {
        var failures = new List<string>();
        var figures = new List<string>();
        foreach (var pool in present.Where(p => p.Valid))
        {
            foreach (var range in pool.Ranges)
            {
                var held = nodes.SelectMany(n => n.Parsed).SelectMany(range.Covered).ToHashSet().Count;
                var reported = PrometheusText.Value(metrics, "node_ipam_controller_cidrset_allocated_cidrs", $"clusterCIDR=\"{range.Label}\"");
                figures.Add($"{range.Label} {held}/{range.BlockCount}");
                if (reported != held)
                {
                    failures.Add($"{pool.Name} {range.Label}: metric {reported?.ToString(CultureInfo.InvariantCulture) ?? "absent"}, held {held}");
                }
            }
        }

        return new InvariantResult("in-use count of every pool range still there (/metrics) = blocks held by live nodes (no leak)", failures.Count == 0,
            failures.Count == 0 ? $"{figures.Count} ranges of {present.Count(p => p.Valid)} pools: {string.Join(", ", figures.Take(12))}" : string.Join("; ", failures.Take(10)));
    }

    /// <summary>A deleted pool no live node uses is gone (its finalizer released); a pool a live node uses still exists.</summary>
    private InvariantResult DeletedPoolsLifecycle(IReadOnlyList<LiveNode> nodes, IReadOnlyList<ChaosClusterCidr> present)
    {
        var failures = new List<string>();
        var gone = 0;
        var terminating = 0;
        var inUse = 0;
        foreach (var pool in pools.Where(p => p.Valid))
        {
            var users = nodes.Where(n => n.Parsed.Any(c => pool.Ranges.Any(r => r.Cluster.Contains(c)))).Select(n => n.Name).ToList();
            var exists = present.Contains(pool);
            // A slot is reused once everything on it is gone: a block there belongs to the pool on it now.
            if (users.Count > 0 && !present.Any(p => p.Valid && p.Slot == pool.Slot))
            {
                failures.Add($"{pool.Name} is gone while {string.Join(",", users.Take(3))} hold its blocks");
            }
            else if (pool.Deleted && users.Count == 0 && exists)
            {
                failures.Add($"{pool.Name} was deleted and is unused but still there (finalizers {string.Join(",", api.GetClusterCidr(pool.Name)?["metadata"]?["finalizers"]?.AsArray().Select(f => f!.GetValue<string>()) ?? [])})");
            }

            gone += pool.Deleted && !exists ? 1 : 0;
            terminating += pool.Deleted && exists ? 1 : 0;
            inUse += users.Count > 0 && exists ? 1 : 0;
        }

        return new InvariantResult("a deleted pool no live node uses is gone (finalizer released); a pool a live node uses still exists", failures.Count == 0,
            failures.Count == 0 ? $"{gone} deleted and gone, {terminating} deleted and still used (terminating), {inUse} in use" : string.Join("; ", failures.Take(10)));
    }

    /// <summary>Every invalid pool still there has its InvalidClusterCIDR event (an overlapping one only while what it overlaps is there).</summary>
    private InvariantResult InvalidPoolsReported(IReadOnlyList<ChaosClusterCidr> present)
    {
        var reported = api.Events
            .Where(e => e["reason"]?.GetValue<string>() == "InvalidClusterCIDR")
            .Select(e => e["involvedObject"]?["uid"]?.GetValue<string>() ?? "")
            .ToHashSet();
        var expected = present.Where(p => !p.Valid && (p.Kind != ChaosClusterCidrKind.OverlapsPool || present.Any(o => o.Name == p.Original))).ToList();
        var missing = expected.Where(p => !reported.Contains(p.Uid)).Select(p => p.Describe).ToList();
        return new InvariantResult("every invalid or overlapping pool still there got an InvalidClusterCIDR event", missing.Count == 0,
            missing.Count == 0 ? $"{expected.Count} checked, {pools.Count(p => !p.Valid)} created in all" : "no event: " + string.Join("; ", missing.Take(10)));
    }
}
