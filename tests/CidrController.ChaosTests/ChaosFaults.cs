using System.Diagnostics;

using CidrController.ApiEmulator;
using CidrController.ApiEmulator.Faults;

namespace CidrController.ChaosTests;

/// <summary>
/// The API faults of a chaos run. Most are probabilistic (about 5% of requests), each a named rule so the report
/// can say how often each fired; placement follows the emulator's seeded generator, but which request draws which
/// number depends on timing, so only the driver's own decisions replay exactly. A few are scheduled at fixed points
/// of the run, so that every run hits them at least once: a node watch that sends garbage, a node list of the wrong
/// type (after a forced relist), a watch that stalls (sends nothing and never closes) for longer than the
/// controller's idle timeout, and — with leader election — the Lease refused with 403 for a while, as when its RBAC
/// is removed and restored.
/// </summary>
internal sealed class ChaosFaults(KubeApiEmulator api, int operations)
{
    private const string Nodes = "/api/v1/nodes";
    private const string Leases = "/apis/coordination.k8s.io/";

    /// <summary>What the controller runs with (--watch-idle-timeout): a stall must outlast it to be one.</summary>
    public static readonly TimeSpan WatchIdleTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How long the Lease is refused: longer than the lease duration, so the leader must stop and nobody may lead.</summary>
    public static readonly TimeSpan LeaseOutage = TimeSpan.FromSeconds(4);

    private readonly List<(string Name, FaultRegistration Rule)> _rules = [];
    private bool _leaderElection;
    private int _scheduled;
    private FaultRegistration? _stall;
    private long _stallScheduled;
    private long _quietUntil;
    private FaultRegistration? _leaseRefusal;
    private long _leaseRefusalEnds;

    /// <summary>
    /// False while the Lease is refused and for a few seconds after (a replica that started meanwhile may still be
    /// backing off its first Lease read): killing the leader then would measure the outage, not the standby's takeover.
    /// </summary>
    public bool LeaderKillsAllowed =>
        _leaseRefusal is null && Stopwatch.GetTimestamp() >= _leaseRefusalEnds + (long)(LeaseOutage.TotalSeconds * Stopwatch.Frequency);

    /// <summary>
    /// False from when the stall is scheduled until the controller's idle timeout (and a margin) after a watch met it,
    /// so the driver's own drops and kills do not end it early: the watch that meets it may start late (a replica
    /// backing off, or down), and a drop would end a silent watch before the controller notices the silence.
    /// </summary>
    public bool WatchDropsAllowed => _stall is null || Stopwatch.GetTimestamp() >= _quietUntil;

    /// <summary>Whether the driver may SIGKILL a replica now (not while a scheduled fault needs the one it hit).</summary>
    public bool KillsAllowed => WatchDropsAllowed && LeaderKillsAllowed;

    public void Start(bool leaderElection)
    {
        _leaderElection = leaderElection;
        Add("patch: applied, connection closed", new FaultRule { Method = "PATCH", PathPrefix = Nodes + "/", Watch = WatchMatch.NonWatchOnly, Probability = 0.01, Action = FaultAction.ApplyThenClose() });
        // A hang costs the controller its 30 s request timeout per hit: a few per run, not 1%.
        Add("patch: applied, no answer (timeout)", new FaultRule { Method = "PATCH", PathPrefix = Nodes + "/", Watch = WatchMatch.NonWatchOnly, Probability = 0.004, Count = Math.Max(2, operations / 1500), Action = FaultAction.ApplyThenHang() });
        Add("patch: applied, truncated JSON answer", new FaultRule { Method = "PATCH", PathPrefix = Nodes + "/", Watch = WatchMatch.NonWatchOnly, Probability = 0.005, Action = FaultAction.TruncateBody() });
        Add("patch: applied, answer of the wrong type", new FaultRule { Method = "PATCH", PathPrefix = Nodes + "/", Watch = WatchMatch.NonWatchOnly, Probability = 0.005, Action = FaultAction.MalformBody(MalformedBody.WrongType) });
        Add("nodes: 500", new FaultRule { PathPrefix = Nodes, Watch = WatchMatch.NonWatchOnly, Probability = 0.02, Action = FaultAction.RespondWith(500) });
        Add("nodes: 429 Retry-After 1", new FaultRule { PathPrefix = Nodes, Watch = WatchMatch.NonWatchOnly, Probability = 0.01, Action = FaultAction.RespondWith(429, 1) });
        Add("list: truncated JSON answer", new FaultRule { Method = "GET", PathPrefix = Nodes, Watch = WatchMatch.NonWatchOnly, Probability = 0.01, Action = FaultAction.TruncateBody() });
        Add("list: answer of the wrong type", new FaultRule { Method = "GET", PathPrefix = Nodes, Watch = WatchMatch.NonWatchOnly, Probability = 0.01, Action = FaultAction.MalformBody(MalformedBody.WrongType) });
        Add("watch: 500 at start", new FaultRule { Method = "GET", PathPrefix = Nodes, Watch = WatchMatch.WatchOnly, Probability = 0.03, Action = FaultAction.RespondWith(500) });
        Add("watch: truncated event line", new FaultRule { Method = "GET", PathPrefix = Nodes, Watch = WatchMatch.WatchOnly, Probability = 0.02, Action = FaultAction.TruncateBody() });
        Add("watch: garbage event line", new FaultRule { Method = "GET", PathPrefix = Nodes, Watch = WatchMatch.WatchOnly, Probability = 0.02, Action = FaultAction.MalformBody(MalformedBody.Garbage) });
        Add("clustercidrs: garbage list or watch", new FaultRule { Method = "GET", PathPrefix = "/apis/networking.x-k8s.io/", Probability = 0.02, Action = FaultAction.MalformBody(MalformedBody.Garbage) });
        Add("events: 500", new FaultRule { PathPrefix = "/api/v1/namespaces/default/events", Probability = 0.03, Action = FaultAction.RespondWith(500) });
        if (leaderElection)
        {
            Add("leases: 500", new FaultRule { PathPrefix = Leases, Probability = 0.02, Action = FaultAction.RespondWith(500) });
            Add("leases: read of the wrong type", new FaultRule { Method = "GET", PathPrefix = Leases, Probability = 0.01, Action = FaultAction.MalformBody(MalformedBody.WrongType) });
        }
    }

    /// <summary>
    /// Called before every driver operation: starts the scheduled faults at their points of the run (the Lease
    /// refusal only when <paramref name="takeoverPending"/> is false, since nobody could take over during it) and
    /// ends the Lease refusal once its time is up.
    /// </summary>
    public void Step(int op, bool takeoverPending)
    {
        var now = Stopwatch.GetTimestamp();
        if (_stall is not null && _quietUntil == long.MaxValue && (_stall.TimesFired > 0 || now - _stallScheduled > 15 * Stopwatch.Frequency))
        {
            // Met (or, after 15 s, given up on): quiet until the idle timeout has surely passed.
            _quietUntil = now + (long)((WatchIdleTimeout + TimeSpan.FromSeconds(2)).TotalSeconds * Stopwatch.Frequency);
        }

        if (_leaseRefusal is not null && Stopwatch.GetTimestamp() >= _leaseRefusalEnds)
        {
            _leaseRefusal.Dispose(); // RBAC restored
            _leaseRefusal = null;
        }

        switch (_scheduled)
        {
            case 0 when op >= operations / 5:
                // The next node watch sends garbage first: the controller must count it, back off and relist.
                Add("scheduled: node watch sends garbage", new FaultRule { Method = "GET", PathPrefix = Nodes, Watch = WatchMatch.WatchOnly, Count = 1, Action = FaultAction.MalformBody(MalformedBody.Garbage) });
                api.Faults.DropWatches();
                _scheduled++;
                break;
            case 1 when op >= operations * 3 / 10:
                // A forced relist whose first page is of the wrong type.
                Add("scheduled: node list of the wrong type", new FaultRule { Method = "GET", PathPrefix = Nodes, Watch = WatchMatch.NonWatchOnly, Count = 1, Action = FaultAction.MalformBody(MalformedBody.WrongType) });
                api.CompactWatchHistory();
                api.Faults.ExpireNextWatch();
                api.Faults.DropWatches();
                _scheduled++;
                break;
            case 2 when op >= operations * 9 / 20:
                // The next node watch stalls; no driver drop may end it before the controller's idle timeout does.
                api.Faults.DropWatches();
                _stall = api.Faults.Add(new FaultRule { Method = "GET", PathPrefix = Nodes, Watch = WatchMatch.WatchOnly, Count = 1, Action = FaultAction.SilentWatch() });
                _rules.Add(("scheduled: node watch stalls past the idle timeout", _stall));
                _stallScheduled = now;
                _quietUntil = long.MaxValue;
                _scheduled++;
                break;
            // Not while the stall's quiet window is open either: a leader refused its Lease ends its term, and with it
            // the stalled watch, before the idle timeout could be noticed.
            case 3 when op >= operations * 3 / 5 && (!_leaderElection || !takeoverPending) && WatchDropsAllowed:
                if (_leaderElection)
                {
                    // Added after the probabilistic Lease faults: a request that draws one of those still fails.
                    _leaseRefusal = api.Faults.FailRequests(null, Leases, 403);
                    _rules.Add(("scheduled: leases 403 for a while (RBAC removed, then restored)", _leaseRefusal));
                    _leaseRefusalEnds = Stopwatch.GetTimestamp() + (long)(LeaseOutage.TotalSeconds * Stopwatch.Frequency);
                }

                _scheduled++;
                break;
        }
    }

    public void Stop()
    {
        foreach (var (_, rule) in _rules)
        {
            rule.Dispose();
        }

        _leaseRefusal = null;
    }

    public void Tally(ChaosTally tally)
    {
        foreach (var (name, rule) in _rules)
        {
            tally.Add("fault:" + name, rule.TimesFired);
        }
    }

    /// <summary>Every scheduled fault has been started (the Lease refusal waits for a pending takeover to finish).</summary>
    public bool AllScheduled => _scheduled >= 4;

    /// <summary>
    /// A scheduled fault nobody met yet: drop the watches so the replicas open new ones and meet it — never inside
    /// the stall's quiet window, where a drop would end the silent watch before the controller notices the silence.
    /// </summary>
    public void NudgeWatches()
    {
        if (WatchDropsAllowed && Scheduled.Any(s => s.Fired == 0))
        {
            api.Faults.DropWatches();
        }
    }

    /// <summary>What the controller must have logged about the scheduled faults (tally keys "seen:…", see ChaosRun.Signals).</summary>
    public IReadOnlyList<string> ExpectedSignals =>
        _leaderElection ? ["malformed answer warned", "stalled watch restarted", "403 warned"] : ["malformed answer warned", "stalled watch restarted"];

    /// <summary>The scheduled faults that fired (each must, for the run to have tested it).</summary>
    public IReadOnlyList<(string Name, int Fired)> Scheduled =>
        [.. _rules.Where(r => r.Name.StartsWith("scheduled:", StringComparison.Ordinal)).Select(r => (r.Name, r.Rule.TimesFired))];

    private void Add(string name, FaultRule rule) => _rules.Add((name, api.Faults.Add(rule)));
}
