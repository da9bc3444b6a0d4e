using CidrController.Allocation;
using CidrController.Kubernetes.Nodes;
using CidrController.Kubernetes.Quarantine;
using CidrController.Kubernetes.Reconcile;

using CsCheck;

namespace CidrController.Tests.Reconcile;

/// <summary>
/// Long random sequences of the ledger's verbs — Adopt (overlapping, out-of-range and invalid podCIDRs included),
/// Propose then Commit / HoldTentatively / Abandon, Forget, ForgetOtherLife, with and without a reuse quarantine —
/// checked after every step against a model that only knows which node holds which block: the allocator's
/// in-use count is exactly the blocks some node holds (or the quarantine keeps), a proposal never hands out such
/// a block, and a proposal fails only when every block is taken.
/// </summary>
public sealed class NodeCidrLedgerModelTests
{
    private const int Blocks = 16; // 10.0.0.0/24 in /28s
    private static readonly string[] Names = ["a", "b", "c", "d", "e", "f"];

    private static readonly Gen<(int Seed, int Steps, bool Quarantine)> Scenarios =
        from seed in Gen.Int
        from steps in Gen.Int[1, 300]
        from quarantine in Gen.Bool
        select (seed, steps, quarantine);

    private static IpBlock Block(int index) => IpBlock.Parse($"10.0.0.{index * 16}/28");

    [Fact]
    public void The_allocator_always_holds_exactly_what_nodes_hold_and_proposals_never_collide()
    {
        Scenarios.Sample(s => Run(s.Seed, s.Steps, s.Quarantine), iter: 300);
    }

    private static void Run(int seed, int steps, bool withQuarantine)
    {
        var random = new Random(seed);
        var clock = new ManualClock();
        var allocator = new CidrAllocator([new RangeSpec(IpBlock.Parse("10.0.0.0/24"), 28)], []);
        var quarantine = withQuarantine ? new ReuseQuarantine(TimeSpan.FromMinutes(1), clock) : null;
        var ledger = new NodeCidrLedger(new Kubernetes.Pools.PoolCatalog(allocator, []), quarantine);
        var held = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        var sources = new Dictionary<string, List<PodCidr>>(StringComparer.Ordinal);
        var uids = Names.ToDictionary(n => n, n => "uid-" + n + "-1", StringComparer.Ordinal);
        var quarantined = new List<(HashSet<int> Blocks, DateTimeOffset Until)>();
        var trace = new List<string>();

        for (var step = 0; step < steps; step++)
        {
            var node = Names[random.Next(Names.Length)];
            var uid = uids[node];
            var roll = random.Next(100);
            if (roll < 25)
            {
                // A node shows up with podCIDRs (its own, another's, outside the range, or not a CIDR).
                var cidrs = new List<PodCidr>();
                var indexes = new HashSet<int>();
                for (var i = random.Next(1, 3); i > 0; i--)
                {
                    var kind = random.Next(10);
                    if (kind == 0)
                    {
                        cidrs.Add(PodCidr.Parse("192.168.0.0/28"));
                    }
                    else if (kind == 1)
                    {
                        cidrs.Add(PodCidr.Parse("not-a-cidr"));
                    }
                    else
                    {
                        var index = random.Next(Blocks);
                        cidrs.Add(PodCidr.Of(Block(index)));
                        indexes.Add(index);
                    }
                }

                // The ledger keeps a holding whose podCIDRs read the same; anything else retires the old one first.
                var same = sources.TryGetValue(node, out var known) && known.SequenceEqual(cidrs);
                trace.Add($"adopt {node} [{string.Join(",", cidrs)}]");
                ledger.Adopt(node, uid, cidrs);
                if (!same && held.TryGetValue(node, out var before))
                {
                    Retire(before);
                }

                held[node] = indexes;
                sources[node] = cidrs;
            }
            else if (roll < 60)
            {
                if (held.ContainsKey(node))
                {
                    continue;
                }

                var result = ledger.Propose(node, uid);
                if (!result.Success)
                {
                    Assert.Equal(Blocks, Taken().Count);
                    continue;
                }

                var block = result.Blocks[0].Block;
                trace.Add($"propose {node} {block}");
                var index = (int)((block.Address & 0xff) / 16);
                Assert.DoesNotContain(index, Taken());
                held[node] = [index];
                sources[node] = [PodCidr.Of(block)];
                var settle = random.Next(3);
                trace.Add(settle switch { 0 => "  commit", 1 => "  hold tentatively", _ => "  abandon" });
                if (settle == 0)
                {
                    ledger.Commit(node, uid, [block]);
                }
                else if (settle == 1)
                {
                    ledger.HoldTentatively(node, uid, [block]);
                }
                else
                {
                    Assert.True(ledger.Abandon(node, uid, [block]));
                    held.Remove(node);
                    sources.Remove(node);
                }
            }
            else if (roll < 80)
            {
                trace.Add($"forget {node}");
                ledger.Forget(node);
                sources.Remove(node);
                if (held.Remove(node, out var gone))
                {
                    Retire(gone);
                }
            }
            else if (roll < 90)
            {
                // The node was deleted and recreated under the same name between two observations.
                uids[node] = "uid-" + node + "-life-" + step;
                trace.Add($"forget other life {node}");
                ledger.ForgetOtherLife(node, uids[node]);
                sources.Remove(node);
                if (held.Remove(node, out var gone))
                {
                    Retire(gone);
                }
            }
            else
            {
                clock.Now += TimeSpan.FromSeconds(random.Next(10, 90));
                trace.Add($"clock {clock.Now:HH:mm:ss}");
                ledger.ReleaseExpired();
                quarantined.RemoveAll(q => q.Until <= clock.Now);
            }

            var inUse = allocator.Ranges[0].GetStatistics().InUse;
            Assert.True((UInt128)Taken().Count == inUse, $"in use {inUse}, model {Taken().Count} ({(withQuarantine ? "with" : "without")} quarantine) after:\n{string.Join("\n", trace.TakeLast(25))}");
        }

        void Retire(HashSet<int> blocks)
        {
            if (withQuarantine && blocks.Count > 0)
            {
                quarantined.Add((blocks, clock.Now + TimeSpan.FromMinutes(1)));
            }
        }

        HashSet<int> Taken()
        {
            var taken = new HashSet<int>();
            foreach (var blocks in held.Values)
            {
                taken.UnionWith(blocks);
            }

            foreach (var (blocks, _) in quarantined)
            {
                taken.UnionWith(blocks);
            }

            return taken;
        }
    }
}
