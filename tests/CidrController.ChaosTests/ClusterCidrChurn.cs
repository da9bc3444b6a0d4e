using System.Globalization;
using System.Text.Json.Nodes;

using CidrController.ApiEmulator;

namespace CidrController.ChaosTests;

/// <summary>
/// The driver's ClusterCIDR pool decisions: creates pools on a few fixed slots, disjoint from the
/// --cluster-cidr ranges, from each other and from every CIDR a node preset writes (a slot is reused only once
/// everything created on it is gone from the API); some select a label the driver puts on some nodes, some
/// select every node, block sizes differ; now and then an invalid or overlapping one. Deletes pools, some
/// while nodes use them (they then wait, terminating, for their last node).
/// </summary>
internal sealed class ClusterCidrChurn(KubeApiEmulator api, Random random, ChaosTally tally, Action<string> journal)
{
    public const string LabelKey = "chaos.example.com/pool";

    public const string Finalizer = "networking.x-k8s.io/cluster-cidr-finalizer";

    /// <summary>The label values pools select; nodes carry one of them, or no label.</summary>
    public static readonly string[] LabelValues = ["a", "b"];

    private const int Slots = 6;

    private readonly List<ChaosClusterCidr> _created = [];
    private int _sequence;
    private int _invalidSequence;

    public IReadOnlyList<ChaosClusterCidr> Created => _created;

    /// <summary>Slot <paramref name="slot"/>'s IPv4 range: /25, so a pool holds 2 to 8 blocks and fills up.</summary>
    public static NetBlock SlotV4(int slot) => NetBlock.Parse($"10.1.{slot.ToString(CultureInfo.InvariantCulture)}.0/25");

    public static NetBlock SlotV6(int slot) => NetBlock.Parse($"fd00:1:0:{slot.ToString(CultureInfo.InvariantCulture)}::/121");

    public void Create()
    {
        var draw = random.NextDouble();
        var hostBits = 4 + random.Next(3); // /28../26 and /124../122: 8, 4 or 2 blocks per family
        if (draw < 0.15)
        {
            CreateInvalid(hostBits);
            return;
        }

        var free = Enumerable.Range(0, Slots).Where(s => !_created.Any(p => p.Slot == s && Exists(p.Name))).ToList();
        if (free.Count == 0)
        {
            tally.Add("pool:create skipped (every slot taken)");
            return;
        }

        var slot = free[random.Next(free.Count)];
        var selectAll = draw < 0.4;
        var label = selectAll ? null : LabelValues[random.Next(LabelValues.Length)];
        Add(selectAll ? ChaosClusterCidrKind.SelectAll : ChaosClusterCidrKind.Selecting, hostBits, SlotV4(slot), SlotV6(slot), label, slot);
    }

    private void CreateInvalid(int hostBits)
    {
        var n = ++_invalidSequence % 250;
        var spare = NetBlock.Parse($"fd00:9:0:{n.ToString(CultureInfo.InvariantCulture)}::/121");
        switch (random.Next(4))
        {
            case 0:
                Add(ChaosClusterCidrKind.HostBitsTooFew, 3, NetBlock.Parse($"10.9.{n.ToString(CultureInfo.InvariantCulture)}.0/25"), null, null, null);
                return;
            case 1:
                Add(ChaosClusterCidrKind.SmallerThanBlock, 4, NetBlock.Parse($"10.9.{n.ToString(CultureInfo.InvariantCulture)}.0/29"), null, null, null);
                return;
            case 2:
                Add(ChaosClusterCidrKind.OverlapsDefault, hostBits, NetBlock.Parse($"10.0.{(n % 4).ToString(CultureInfo.InvariantCulture)}.0/25"), spare, null, null);
                return;
            default:
                // Only a pool the controller has accepted (it carries the finalizer): which of two pools created in
                // the same pass wins is the controller's choice, one created later must be the one refused.
                var accepted = _created.Where(p => p.Valid && !p.Deleted && Finalizers(p.Name).Contains(Finalizer)).ToList();
                if (accepted.Count == 0)
                {
                    Add(ChaosClusterCidrKind.OverlapsDefault, hostBits, NetBlock.Parse($"10.0.{(n % 4).ToString(CultureInfo.InvariantCulture)}.0/25"), spare, null, null);
                    return;
                }

                var original = accepted[random.Next(accepted.Count)];
                Add(ChaosClusterCidrKind.OverlapsPool, hostBits, original.V4, spare, "none", original.Slot, original.Name);
                return;
        }
    }

    private void Add(ChaosClusterCidrKind kind, int hostBits, NetBlock? v4, NetBlock? v6, string? label, int? slot, string? original = null)
    {
        var name = $"pool-{(++_sequence).ToString(CultureInfo.InvariantCulture)}";
        var selector = label is null
            ? null
            : new JsonObject
            {
                ["nodeSelectorTerms"] = new JsonArray(new JsonObject
                {
                    ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = LabelKey, ["operator"] = "In", ["values"] = new JsonArray(label) }),
                }),
            };
        try
        {
            var created = api.CreateClusterCidr(name, hostBits, v4?.ToString(), v6?.ToString(), selector);
            var uid = created["metadata"]!["uid"]!.GetValue<string>();
            var pool = new ChaosClusterCidr(name, uid, kind, hostBits, v4, v6, label, slot) { Original = original };
            _created.Add(pool);
            journal($"create pool {pool.Describe}");
            tally.Add("pool:created " + kind);
        }
        catch (ApiStatusException e)
        {
            tally.Add("pool:create refused by the API server");
            journal($"create pool {name} refused: {e.Message}");
        }
    }

    public void Delete(IReadOnlyList<LiveNode> nodes)
    {
        var candidates = _created.Where(p => !p.Deleted && Exists(p.Name)).ToList();
        if (candidates.Count == 0)
        {
            tally.Add("op:idle");
            return;
        }

        var pool = candidates[random.Next(candidates.Count)];
        var inUse = pool.Valid && pool.Ranges.Any(r => nodes.Any(n => n.Parsed.Any(c => r.Cluster.Overlaps(c))));
        api.DeleteClusterCidr(pool.Name);
        pool.Deleted = true;
        var terminating = Exists(pool.Name);
        journal($"delete pool {pool.Name} ({(inUse ? "in use" : "unused")}, {(terminating ? "terminating" : "gone")})");
        tally.Add(inUse ? "pool:deleted while in use" : "pool:deleted unused");
        if (pool.Valid && inUse && terminating)
        {
            tally.Add("pool:deleted, terminating until its nodes go");
        }
    }

    public bool Exists(string name) => api.GetClusterCidr(name) is not null;

    public IReadOnlyList<string> Finalizers(string name) =>
        api.GetClusterCidr(name)?["metadata"]?["finalizers"] is JsonArray list ? [.. list.Select(f => f!.GetValue<string>())] : [];
}
