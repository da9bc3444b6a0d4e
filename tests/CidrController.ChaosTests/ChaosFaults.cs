using CidrController.ApiEmulator;
using CidrController.ApiEmulator.Faults;

namespace CidrController.ChaosTests;

/// <summary>
/// The probabilistic API faults of a chaos run (about 5% of requests), each a named rule so the report can say
/// how often each fired. Placement follows the emulator's seeded generator, but which request draws which
/// number depends on timing, so only the driver's own decisions replay exactly.
/// </summary>
internal sealed class ChaosFaults(KubeApiEmulator api, int operations)
{
    private readonly List<(string Name, FaultRegistration Rule)> _rules = [];

    public void Start(bool leaderElection)
    {
        const string nodes = "/api/v1/nodes";
        Add("patch: applied, connection closed", new FaultRule { Method = "PATCH", PathPrefix = nodes + "/", Watch = WatchMatch.NonWatchOnly, Probability = 0.01, Action = FaultAction.ApplyThenClose() });
        // A hang costs the controller its 30 s request timeout per hit: a few per run, not 1%.
        Add("patch: applied, no answer (timeout)", new FaultRule { Method = "PATCH", PathPrefix = nodes + "/", Watch = WatchMatch.NonWatchOnly, Probability = 0.004, Count = Math.Max(2, operations / 1500), Action = FaultAction.ApplyThenHang() });
        Add("patch: applied, truncated JSON answer", new FaultRule { Method = "PATCH", PathPrefix = nodes + "/", Watch = WatchMatch.NonWatchOnly, Probability = 0.005, Action = FaultAction.TruncateBody() });
        Add("nodes: 500", new FaultRule { PathPrefix = nodes, Watch = WatchMatch.NonWatchOnly, Probability = 0.02, Action = FaultAction.RespondWith(500) });
        Add("nodes: 429 Retry-After 1", new FaultRule { PathPrefix = nodes, Watch = WatchMatch.NonWatchOnly, Probability = 0.01, Action = FaultAction.RespondWith(429, 1) });
        Add("list: truncated JSON answer", new FaultRule { Method = "GET", PathPrefix = nodes, Watch = WatchMatch.NonWatchOnly, Probability = 0.01, Action = FaultAction.TruncateBody() });
        Add("watch: 500 at start", new FaultRule { Method = "GET", PathPrefix = nodes, Watch = WatchMatch.WatchOnly, Probability = 0.03, Action = FaultAction.RespondWith(500) });
        Add("watch: truncated event line", new FaultRule { Method = "GET", PathPrefix = nodes, Watch = WatchMatch.WatchOnly, Probability = 0.02, Action = FaultAction.TruncateBody() });
        Add("events: 500", new FaultRule { PathPrefix = "/api/v1/namespaces/default/events", Probability = 0.03, Action = FaultAction.RespondWith(500) });
        if (leaderElection)
        {
            Add("leases: 500", new FaultRule { PathPrefix = "/apis/coordination.k8s.io/", Probability = 0.02, Action = FaultAction.RespondWith(500) });
        }
    }

    public void Stop()
    {
        foreach (var (_, rule) in _rules)
        {
            rule.Dispose();
        }
    }

    public void Tally(ChaosTally tally)
    {
        foreach (var (name, rule) in _rules)
        {
            tally.Add("fault:" + name, rule.TimesFired);
        }
    }

    private void Add(string name, FaultRule rule) => _rules.Add((name, api.Faults.Add(rule)));
}
