using System.Text.Json.Nodes;

using CidrController.ApiEmulator;
using CidrController.TestHarness;

namespace CidrController.ChaosTests;

/// <summary>
/// The four invariants of issue 6, computed from the API server's state (the emulator), the controller's own
/// /metrics and the events it wrote — never from the controller's memory.
/// </summary>
internal sealed class InvariantChecker(KubeApiEmulator api, IReadOnlyDictionary<string, ChaosNode> createdByUid, IReadOnlyList<ChaosClusterCidr> clusterCidrs)
{
    private readonly PoolInvariantChecker _pools = new(api, clusterCidrs, createdByUid);

    public IReadOnlyList<LiveNode> LiveNodes() => [.. api.ListNodes().Select(LiveNode.From)];

    /// <summary>Blocks of each range covered by live nodes (deleting ones included: they keep their CIDR), service blocks excluded.</summary>
    public static Dictionary<PoolRange, HashSet<int>> HeldBlocks(IReadOnlyList<LiveNode> nodes)
    {
        var held = ChaosPool.Ranges.ToDictionary(r => r, _ => new HashSet<int>());
        foreach (var node in nodes)
        {
            foreach (var cidr in node.Parsed)
            {
                foreach (var range in ChaosPool.Ranges)
                {
                    held[range].UnionWith(range.Covered(cidr).Where(i => !range.Excluded.Contains(i)));
                }
            }
        }

        return held;
    }

    public static int FreeBlocks(PoolRange range, Dictionary<PoolRange, HashSet<int>> held) =>
        range.BlockCount - range.Excluded.Count - held[range].Count;

    /// <summary>True when every node that can have a block has one and the leader's in-use counts match: the run has settled.</summary>
    public bool Settled(string? leaderMetrics)
    {
        if (leaderMetrics is null)
        {
            return false;
        }

        var nodes = LiveNodes();
        var held = HeldBlocks(nodes);
        return new[] { NoOverlap(nodes), EveryNodeServed(nodes, held) }.Concat(InUseMatches(held, leaderMetrics)).Concat(_pools.Settling(nodes, leaderMetrics)).All(r => r.Held);
    }

    public IReadOnlyList<InvariantResult> Check(string leaderMetrics, IReadOnlyList<string> unexpectedExits)
    {
        var nodes = LiveNodes();
        var held = HeldBlocks(nodes);
        return
        [
            NoOverlap(nodes), EveryNodeServed(nodes, held), .. InUseMatches(held, leaderMetrics), BadCidrsReported(nodes), NoCrash(unexpectedExits),
            _pools.BlocksFromTheRightPool(nodes), .. _pools.Settling(nodes, leaderMetrics),
        ];
    }

    private ChaosNode? Created(LiveNode node) => createdByUid.GetValueOrDefault(node.Uid);

    /// <summary>
    /// No two live nodes' podCIDRs overlap — except overlaps the driver wrote itself (a node created as a copy of
    /// another's CIDR, the service range, out-of-range CIDRs): the API server does not stop those, and the
    /// controller must only never add one. So any overlap involving a node the controller allocated is a
    /// failure, unless the other node was created as a copy of exactly that node.
    /// </summary>
    private InvariantResult NoOverlap(IReadOnlyList<LiveNode> nodes)
    {
        var failures = new List<string>();
        var deliberate = 0;
        for (var i = 0; i < nodes.Count; i++)
        {
            for (var j = i + 1; j < nodes.Count; j++)
            {
                var a = nodes[i];
                var b = nodes[j];
                if (!a.Parsed.Any(x => b.Parsed.Any(x.Overlaps)))
                {
                    continue;
                }

                var createdA = Created(a);
                var createdB = Created(b);
                var allocatedA = createdA?.Preset == PresetKind.None;
                var allocatedB = createdB?.Preset == PresetKind.None;
                var copied = (createdB?.CopiedFrom.Contains(a.Uid) ?? false) || (createdA?.CopiedFrom.Contains(b.Uid) ?? false);
                if ((allocatedA || allocatedB) && !copied)
                {
                    failures.Add($"{a.Name} [{string.Join(",", a.PodCidrs)}] ({createdA?.Preset}) overlaps {b.Name} [{string.Join(",", b.PodCidrs)}] ({createdB?.Preset})");
                }
                else
                {
                    deliberate++;
                }
            }
        }

        return new InvariantResult("no two live nodes' podCIDRs overlap (beyond overlaps the driver created)", failures.Count == 0,
            failures.Count == 0 ? $"{nodes.Count} live nodes, {deliberate} deliberate overlapping pairs" : string.Join("; ", failures.Take(10)));
    }

    private static InvariantResult EveryNodeServed(IReadOnlyList<LiveNode> nodes, Dictionary<PoolRange, HashSet<int>> held)
    {
        var free = ChaosPool.Ranges.ToDictionary(r => r.Label, r => FreeBlocks(r, held));
        var exhausted = free.Values.Any(f => f == 0);
        var waiting = nodes.Where(n => !n.Deleting && n.PodCidrs.Count == 0).Select(n => n.Name).ToList();
        var freeText = string.Join(", ", free.Select(kv => $"{kv.Key} {kv.Value} free"));
        return new InvariantResult("every live node that can have a block has one", waiting.Count == 0 || exhausted,
            $"{nodes.Count(n => n.PodCidrs.Count > 0)} with podCIDRs, {waiting.Count} waiting ({freeText}){(waiting.Count > 0 && !exhausted ? ": " + string.Join(",", waiting.Take(5)) : "")}");
    }

    private static IEnumerable<InvariantResult> InUseMatches(Dictionary<PoolRange, HashSet<int>> held, string metrics)
    {
        foreach (var range in ChaosPool.Ranges)
        {
            var reported = PrometheusText.Value(metrics, "node_ipam_controller_cidrset_allocated_cidrs", $"clusterCIDR=\"{range.Label}\"");
            var expected = held[range].Count;
            yield return new InvariantResult($"in-use count of {range.Label} (/metrics) = blocks held by live nodes (no leak)", reported == expected,
                $"metric {reported?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "absent"}, held {expected}, excluded {range.Excluded.Count}, total {range.BlockCount}");
        }
    }

    /// <summary>Every live node created with an unparsable or out-of-range CIDR has the matching Warning event; every deliberate overlap a PodCIDROverlap on one side.</summary>
    private InvariantResult BadCidrsReported(IReadOnlyList<LiveNode> nodes)
    {
        var reasons = api.Events
            .Where(e => e["type"]?.GetValue<string>() == "Warning")
            .Select(e => (Uid: e["involvedObject"]?["uid"]?.GetValue<string>() ?? "", Reason: e["reason"]?.GetValue<string>() ?? ""))
            .ToHashSet();
        var missing = new List<string>();
        var checkedCount = 0;
        var byUid = nodes.ToDictionary(n => n.Uid);
        foreach (var node in nodes)
        {
            var created = Created(node);
            var expected = created?.Preset switch
            {
                PresetKind.Unparsable => "InvalidPodCIDR",
                PresetKind.OutOfRange => "PodCIDROutOfRange",
                _ => null,
            };
            if (expected is not null)
            {
                checkedCount++;
                if (!reasons.Contains((node.Uid, expected)))
                {
                    missing.Add($"{node.Name}: no {expected}");
                }
            }

            if (created?.Preset is PresetKind.Overlapping or PresetKind.LargerThanBlock)
            {
                var liveSources = created.CopiedFrom.Where(byUid.ContainsKey).ToList();
                if (liveSources.Count == 0)
                {
                    continue; // the original went before the copy was seen: there was nothing left to overlap
                }

                checkedCount++;
                if (!reasons.Contains((node.Uid, "PodCIDROverlap")) && !liveSources.Any(s => reasons.Contains((s, "PodCIDROverlap"))))
                {
                    missing.Add($"{node.Name}: no PodCIDROverlap on it or on {string.Join(",", liveSources.Select(s => byUid[s].Name))}");
                }
            }
        }

        return new InvariantResult("nodes with invalid podCIDRs were reported with a Warning event", missing.Count == 0,
            missing.Count == 0 ? $"{checkedCount} bad-CIDR nodes checked, {api.Events.Count} events in all" : string.Join("; ", missing.Take(10)));
    }

    private static InvariantResult NoCrash(IReadOnlyList<string> unexpectedExits) =>
        new("the controller never exited on its own (no crash, no crash-loop)", unexpectedExits.Count == 0,
            unexpectedExits.Count == 0 ? "every exit was a kill or a stop by the driver" : string.Join("\n", unexpectedExits));

    public static string? NodeUid(JsonObject node) => node["metadata"]?["uid"]?.GetValue<string>();
}
