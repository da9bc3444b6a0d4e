using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

using CidrController.ApiEmulator;
using CidrController.TestHarness;

using Xunit.Abstractions;

namespace CidrController.ChaosTests;

/// <summary>
/// One chaos run: the emulator, one or two controller replicas (real processes), and a driver making
/// <see cref="ChaosSettings.Operations"/> seeded random decisions — create and delete nodes (finalizers, preset
/// podCIDRs good and bad, long names, huge labels), drop watches, force 410s, SIGKILL and restart replicas —
/// while <see cref="ChaosFaults"/> breaks about 5% of requests. Then the faults stop, the run settles, and
/// <see cref="InvariantChecker"/> says whether the controller kept its promises.
/// </summary>
internal sealed class ChaosRun : IAsyncDisposable
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ScheduledFaultGrace = TimeSpan.FromSeconds(30);

    /// <summary>Warning lines that show the controller met a fault: needle, then what the report calls it.</summary>
    private static readonly (string Needle, string What)[] Signals =
    [
        ("API answer not understood", "malformed answer warned"),
        ("Node watch silent for", "stalled watch restarted"),
        ("API request refused (403)", "403 warned"),
        ("Leader election failing", "election failure warned"),
        ("lost the lease", "lease lost"),
        ("Exiting:", "gave up (Error line)"),
    ];

    private readonly ChaosSettings _settings;
    private readonly ITestOutputHelper _output;
    private readonly Random _random;
    private readonly KubeApiEmulator _api;
    private readonly string _kubeconfig;
    private readonly ControllerReplica[] _replicas;
    private readonly ChaosTally _tally = new();
    private readonly ClusterCidrChurn _pools;
    private readonly Dictionary<string, ChaosNode> _byUid = new(StringComparer.Ordinal);
    private readonly List<string> _alive = [];      // created, not yet deleted (driver's own view: replayable)
    private readonly List<string> _deleting = [];   // deleted while holding a finalizer
    private readonly List<string> _deletedNames = [];
    private readonly List<Task<TimeSpan?>> _takeovers = [];
    private readonly List<string> _journal = [];
    private Task<TimeSpan?>? _pendingTakeover;
    private ChaosFaults? _faults;
    private DateTimeOffset _allDownSince = DateTimeOffset.MaxValue;
    private int _sequence;

    private ChaosRun(ChaosSettings settings, ITestOutputHelper output, KubeApiEmulator api, string kubeconfig, int replicas, string[] leaseFlags)
    {
        _settings = settings;
        _output = output;
        _random = new Random(settings.Seed);
        _api = api;
        _kubeconfig = kubeconfig;
        _replicas = [.. Enumerable.Range(0, replicas).Select(i => new ControllerReplica($"replica-{i}",
            [$"--kubeconfig={kubeconfig}", .. ChaosPool.ControllerFlags, $"--watch-idle-timeout={ChaosFaults.WatchIdleTimeout.TotalSeconds:F0}s", .. leaseFlags], CountSignals))];
        _pools = new ClusterCidrChurn(api, _random, _tally, Journal);
    }

    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan RetryPeriod = TimeSpan.FromMilliseconds(500);

    public KubeApiEmulator Api => _api;

    public IReadOnlyList<ControllerReplica> Replicas => _replicas;

    public ChaosTally Tally => _tally;

    public IReadOnlyList<ChaosClusterCidr> ClusterCidrs => _pools.Created;

    public static async Task<ChaosRun> StartAsync(ChaosSettings settings, int replicas, ITestOutputHelper output)
    {
        // Bookmarks every second, so that a watch silent for the controller's idle timeout (3 s) is a stalled one.
        var api = await KubeApiEmulator.StartAsync(new EmulatorOptions { FaultSeed = settings.Seed, BookmarkInterval = TimeSpan.FromSeconds(1), BearerToken = "chaos-token" });
        var kubeconfig = api.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"cidr-chaos-{Guid.NewGuid():N}.kubeconfig"));
        string[] lease = replicas == 1
            ? ["--leader-elect=false"]
            : ["--leader-elect=true", "--leader-elect-lease-duration=3s", "--leader-elect-renew-deadline=2s", "--leader-elect-retry-period=500ms"];
        var run = new ChaosRun(settings, output, api, kubeconfig, replicas, lease);
        foreach (var replica in run._replicas)
        {
            replica.Start();
        }

        return run;
    }

    /// <summary>The driver: a fixed number of seeded decisions, with faults on.</summary>
    public async Task DriveAsync(ChaosFaults faults)
    {
        _faults = faults;
        faults.Start(_replicas.Length > 1);
        for (var op = 0; op < _settings.Operations; op++)
        {
            foreach (var replica in _replicas)
            {
                replica.CheckAlive();
            }

            faults.Step(op, _pendingTakeover is { IsCompleted: false });
            await StepAsync();
            await Task.Delay(_random.Next(2, 20));
        }

        // The scheduled faults are what the run is for, and when the controller meets them depends on timing (a
        // replica backing off, a stall met late): give it a bounded time, driver paused, to meet each and say so.
        // The check after the run still fails if it did not.
        var waitedFor = Stopwatch.StartNew();
        var nextNudge = TimeSpan.FromSeconds(5);
        while (waitedFor.Elapsed < ScheduledFaultGrace
            && (!faults.AllScheduled || faults.Scheduled.Any(f => f.Fired == 0) || faults.ExpectedSignals.Any(signal => _tally["seen:" + signal] == 0)))
        {
            faults.Step(_settings.Operations, _pendingTakeover is { IsCompleted: false });
            if (waitedFor.Elapsed >= nextNudge)
            {
                faults.NudgeWatches();
                nextNudge += TimeSpan.FromSeconds(5);
            }

            await Task.Delay(100);
        }

        faults.Stop();
        faults.Tally(_tally);
        _api.Faults.Clear();
    }

    private async Task StepAsync()
    {
        // Replica life: a running replica is SIGKILLed now and then; a dead one comes back a few steps later.
        var slot = _replicas[_random.Next(_replicas.Length)];
        var lifeDraw = _random.NextDouble();
        if (slot.Running && lifeDraw < 0.005 && _pendingTakeover is not { IsCompleted: false } && _faults?.KillsAllowed != false)
        {
            // No kill while a takeover is being measured: it would measure the driver, not the standby.
            await KillAsync(slot);
            return;
        }

        if (!slot.Running && lifeDraw < 0.1)
        {
            slot.Start();
            Journal($"start {slot.Name}");
            _allDownSince = DateTimeOffset.MaxValue;
            _tally.Add("op:restart");
            return;
        }

        var createWeight = _alive.Count < 20 ? 0.6 : _alive.Count > 45 ? 0.25 : 0.45;
        var draw = _random.NextDouble();
        if (draw < createWeight)
        {
            Create(_random.NextDouble() < 0.05 && _deletedNames.Count > 0 ? _deletedNames[_random.Next(_deletedNames.Count)] : null);
        }
        else if (draw < createWeight + 0.3)
        {
            Delete();
        }
        else if (draw < createWeight + 0.4)
        {
            RemoveFinalizers();
        }
        else if (draw < createWeight + 0.41 && _faults?.WatchDropsAllowed != false)
        {
            _api.Faults.DropWatches();
            _tally.Add("fault:watch: dropped by the server");
        }
        else if (draw < createWeight + 0.41)
        {
            _tally.Add("op:idle");
        }
        else if (draw < createWeight + 0.415)
        {
            _api.CompactWatchHistory();
            _api.Faults.ExpireNextWatch();
            _tally.Add("fault:watch: forced 410 Expired");
        }
        else if (draw < createWeight + 0.435)
        {
            // Pool churn takes part of what was idle time, so node churn keeps its share of the operations.
            _pools.Create();
        }
        else if (draw < createWeight + 0.45)
        {
            _pools.Delete(InvariantCheckerNodes());
        }
        else
        {
            _tally.Add("op:idle");
        }
    }

    private async Task KillAsync(ControllerReplica slot)
    {
        var identity = slot.Identity;
        var wasLeader = identity is not null && Holder() == identity;
        slot.Kill();
        Journal($"SIGKILL {slot.Name}");
        _tally.Add("op:SIGKILL");
        if (wasLeader && _replicas.Any(r => r.Running && r.Identity is not null))
        {
            // Measured only when a standby is up to take over (not when the driver has killed both).
            _tally.Add("op:SIGKILL of the leader");
            _pendingTakeover = MeasureTakeoverAsync(identity!);
            _takeovers.Add(_pendingTakeover);
        }

        if (_replicas.All(r => !r.Running))
        {
            // A write the dead process had already sent is applied by now; from here on nothing is in flight.
            await Task.Delay(100);
            _allDownSince = DateTimeOffset.UtcNow;
        }
    }

    public string? Holder() => _api.GetLease("kube-system", "cidr-controller")?["spec"]?["holderIdentity"]?.GetValue<string>();

    /// <summary>Time from now until the lease names someone other than <paramref name="previous"/> (null: not within 30 s).</summary>
    public async Task<TimeSpan?> MeasureTakeoverAsync(string previous)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            var holder = Holder();
            if (!string.IsNullOrEmpty(holder) && holder != previous)
            {
                return watch.Elapsed;
            }

            await Task.Delay(20);
        }

        return null;
    }

    public async Task<IReadOnlyList<TimeSpan?>> TakeoversDuringChaosAsync() => await Task.WhenAll(_takeovers);

    // ------------------------------------------------------------------ nodes

    private void Create(string? reusedName)
    {
        var name = reusedName is not null && !_alive.Contains(reusedName) && !_deleting.Contains(reusedName) ? reusedName : NextName();
        var (preset, cidrs, copiedFrom) = ChoosePreset();
        var finalizer = _random.NextDouble() < 0.2;
        var bulky = _random.NextDouble() < 0.05;
        var poolLabel = _random.NextDouble() < 0.5 ? ClusterCidrChurn.LabelValues[_random.Next(ClusterCidrChurn.LabelValues.Length)] : null;
        var node = NodeObject(name, cidrs, finalizer, bulky, poolLabel);
        try
        {
            var created = _api.CreateNode(node);
            var uid = InvariantChecker.NodeUid(created)!;
            _byUid[uid] = new ChaosNode(name, preset, cidrs, finalizer) { CopiedFrom = copiedFrom, PoolLabel = poolLabel };
            Journal($"create {name} {uid} {preset} [{string.Join(",", cidrs)}] copied from [{string.Join(",", copiedFrom)}] pool label {poolLabel ?? "none"}");
            _alive.Add(name);
            _tally.Add("op:create " + preset);
            if (name == reusedName)
            {
                _tally.Add("op:create reusing a deleted name");
            }

            if (bulky)
            {
                _tally.Add("op:create with huge labels and annotations");
            }

            if (name.Length == 253)
            {
                _tally.Add("op:create with a 253-character name");
            }
        }
        catch (ApiStatusException e)
        {
            _tally.Add("op:create refused by the API server");
            _output.WriteLine($"create {name} [{string.Join(",", cidrs)}] refused: {e.Message}");
        }
    }

    private string NextName()
    {
        var sequence = ++_sequence;
        if (_random.NextDouble() >= 0.03)
        {
            return $"node-{sequence.ToString(CultureInfo.InvariantCulture)}";
        }

        // The 253-character limit of a DNS subdomain, in labels of 59 characters as a long FQDN would have.
        var name = $"node-{sequence.ToString(CultureInfo.InvariantCulture)}";
        while (name.Length < 253)
        {
            var room = 253 - name.Length - 1;
            name += "." + new string('a', Math.Min(59, room));
        }

        return name.EndsWith('.') ? name[..^1] + "b" : name;
    }

    private (PresetKind, string[], string[]) ChoosePreset()
    {
        if (_random.NextDouble() < 0.7)
        {
            return (PresetKind.None, [], []);
        }

        var nodes = InvariantCheckerNodes();
        var quiet = _allDownSince < DateTimeOffset.UtcNow;
        var kinds = quiet
            ? new[] { PresetKind.Free, PresetKind.Free, PresetKind.HostBits, PresetKind.Overlapping, PresetKind.LargerThanBlock, PresetKind.ServiceRange, PresetKind.OutOfRange, PresetKind.Unparsable }
            : [PresetKind.Overlapping, PresetKind.Overlapping, PresetKind.LargerThanBlock, PresetKind.ServiceRange, PresetKind.OutOfRange, PresetKind.Unparsable];
        var kind = kinds[_random.Next(kinds.Length)];
        var pick = _random.Next(1 << 20);
        switch (kind)
        {
            case PresetKind.Free or PresetKind.HostBits:
                var held = InvariantChecker.HeldBlocks(nodes);
                var free4 = FreeIndices(ChaosPool.V4, held);
                var free6 = FreeIndices(ChaosPool.V6, held);
                if (free4.Count == 0 || free6.Count == 0)
                {
                    return (PresetKind.OutOfRange, ["192.168.7.0/27"], []);
                }

                var v4 = ChaosPool.V4.Block(free4[pick % free4.Count]);
                var v6 = ChaosPool.V6.Block(free6[pick % free6.Count]);
                // Host bits set (10.0.1.33/27): the API server stores it as written; it means 10.0.1.32/27.
                var v4Text = kind == PresetKind.HostBits ? new NetBlock(false, v4.Address + (UInt128)(1 + (pick % 30)), 27).ToString() : v4.ToString();
                return (kind, pick % 2 == 0 ? [v4Text, v6.ToString()] : [v6.ToString(), v4Text], []);
            case PresetKind.Overlapping or PresetKind.LargerThanBlock:
                var withCidrs = nodes.Where(n => n.Parsed.Count == 2 && n.Parsed.All(c => ChaosPool.Ranges.Any(r => r.Cluster.Contains(c)))).ToList();
                if (withCidrs.Count == 0)
                {
                    return (PresetKind.Unparsable, ["010.0.1.0/27"], []);
                }

                var source = withCidrs[pick % withCidrs.Count];
                if (kind == PresetKind.Overlapping)
                {
                    return (kind, [.. source.PodCidrs], Lineage(source));
                }

                // A /26 over the source's /27 and its sibling — only when the sibling is held too, so the larger CIDR
                // never claims a block a proposal may be in flight for.
                var block = source.Parsed.First(c => !c.IsIPv6);
                var supernet = new NetBlock(false, block.Address & ~(UInt128)63, 26);
                var owners = nodes.Where(n => n.Parsed.Any(c => supernet.Overlaps(c))).ToList();
                var covered = ChaosPool.V4.Covered(supernet).ToList();
                var heldByOwners = covered.All(i => ChaosPool.V4.Excluded.Contains(i) || owners.Any(o => o.Parsed.Any(c => c.Overlaps(ChaosPool.V4.Block(i)))));
                return heldByOwners
                    ? (kind, [supernet.ToString()], [.. owners.SelectMany(Lineage).Distinct()])
                    : (PresetKind.Overlapping, [.. source.PodCidrs], Lineage(source));
            case PresetKind.ServiceRange:
                return (kind, [pick % 2 == 0 ? "10.0.3.224/27" : "10.0.3.192/26"], []);
            case PresetKind.OutOfRange:
                string[] outside = (pick % 3) switch { 0 => ["192.168.7.0/27"], 1 => ["fd01::/124"], _ => ["192.168.8.0/27", "fd01::10/124"] };
                return (kind, outside, []);
            default:
                return (PresetKind.Unparsable, [pick % 2 == 0 ? "010.0.1.0/27" : "::ffff:10.0.1.0/123"], []);
        }
    }

    /// <summary>The node and, if it is itself a copy, what it copied: a copy of a copy overlaps the original too.</summary>
    private string[] Lineage(LiveNode node) =>
        [node.Uid, .. _byUid.TryGetValue(node.Uid, out var created) ? created.CopiedFrom : []];

    private IReadOnlyList<LiveNode> InvariantCheckerNodes() => [.. _api.ListNodes().Select(LiveNode.From)];

    private static List<int> FreeIndices(PoolRange range, Dictionary<PoolRange, HashSet<int>> held) =>
        [.. Enumerable.Range(0, range.BlockCount).Where(i => !range.Excluded.Contains(i) && !held[range].Contains(i))];

    private static JsonObject NodeObject(string name, string[] cidrs, bool finalizer, bool bulky, string? poolLabel)
    {
        var metadata = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["kubernetes.io/hostname"] = name.Length <= 63 ? name : name[..63].TrimEnd('.') } };
        if (poolLabel is not null)
        {
            ((JsonObject)metadata["labels"]!)[ClusterCidrChurn.LabelKey] = poolLabel;
        }

        if (finalizer)
        {
            metadata["finalizers"] = new JsonArray("chaos.example.com/hold");
        }

        if (bulky)
        {
            var labels = (JsonObject)metadata["labels"]!;
            for (var i = 0; i < 60; i++)
            {
                labels[$"chaos.example.com/label-{i.ToString(CultureInfo.InvariantCulture)}"] = new string('v', 63);
            }

            metadata["annotations"] = new JsonObject { ["chaos.example.com/blob"] = new string('x', 200_000) };
        }

        var spec = new JsonObject();
        if (cidrs.Length > 0)
        {
            spec["podCIDRs"] = new JsonArray([.. cidrs.Select(c => (JsonNode?)JsonValue.Create(c))]);
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = metadata, ["spec"] = spec };
    }

    private void Delete()
    {
        var candidates = _alive.Where(n => !_deleting.Contains(n)).ToList();
        if (candidates.Count == 0)
        {
            _tally.Add("op:idle");
            return;
        }

        var name = candidates[_random.Next(candidates.Count)];
        try
        {
            var had = _api.GetNode(name)?["metadata"]?["finalizers"] is JsonArray { Count: > 0 };
            _api.DeleteNode(name);
            Journal($"delete {name}");
            if (had)
            {
                _deleting.Add(name);
                _tally.Add("op:delete (finalizer: deletionTimestamp only)");
            }
            else
            {
                _alive.Remove(name);
                _deletedNames.Add(name);
                _tally.Add("op:delete");
            }
        }
        catch (ApiStatusException)
        {
            _alive.Remove(name);
            _tally.Add("op:delete of a missing node");
        }
    }

    private void RemoveFinalizers()
    {
        if (_deleting.Count == 0)
        {
            _tally.Add("op:idle");
            return;
        }

        var name = _deleting[_random.Next(_deleting.Count)];
        _deleting.Remove(name);
        _alive.Remove(name);
        _deletedNames.Add(name);
        _api.RemoveFinalizers(name);
        Journal($"remove finalizers {name}");
        _tally.Add("op:remove finalizers (node goes)");
    }

    // ------------------------------------------------------------------ settle and check

    /// <summary>Every replica running, faults off; waits until the invariants that describe a settled controller hold for a few polls in a row.</summary>
    public async Task<(string Metrics, TimeSpan Took)> SettleAsync()
    {
        foreach (var replica in _replicas.Where(r => !r.Running))
        {
            replica.CheckAlive();
            replica.Start();
        }

        var checker = new InvariantChecker(_api, _byUid, _pools.Created);
        var watch = Stopwatch.StartNew();
        var streak = 0;
        string? metrics = null;
        while (watch.Elapsed < SettleTimeout)
        {
            metrics = await LeaderMetricsAsync();
            streak = checker.Settled(metrics) ? streak + 1 : 0;
            if (streak >= 4)
            {
                break;
            }

            await Task.Delay(250);
        }

        return (metrics ?? await LeaderMetricsAsync() ?? "", watch.Elapsed);
    }

    public async Task<string?> LeaderMetricsAsync()
    {
        foreach (var replica in _replicas.Where(r => r.Running))
        {
            try
            {
                var metrics = await replica.Process!.GetAsync("metrics");
                if (_replicas.Length == 1 || PrometheusText.Value(metrics, "cidr_controller_leader") == 1)
                {
                    return metrics;
                }
            }
            catch (HttpRequestException)
            {
                // Still starting.
            }
            catch (TaskCanceledException)
            {
            }
        }

        return null;
    }

    public IReadOnlyList<InvariantResult> Check(string metrics)
    {
        foreach (var replica in _replicas)
        {
            replica.CheckAlive();
        }

        return new InvariantChecker(_api, _byUid, _pools.Created).Check(metrics, [.. _replicas.SelectMany(r => r.UnexpectedExits)]);
    }

    /// <summary>What the controller said about the faults it met (its Warning lines), counted across every life of every replica.</summary>
    private void CountSignals(string line)
    {
        foreach (var (needle, what) in Signals)
        {
            if (line.Contains(needle, StringComparison.Ordinal))
            {
                _tally.Add("seen:" + what);
            }
        }
    }

    private void Journal(string what) => _journal.Add($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {what}");

    /// <summary>The driver's actions and the allocation patches that mention <paramref name="needle"/> (a name or a CIDR), in time order.</summary>
    public string History(IEnumerable<string> needles)
    {
        var list = needles.ToList();
        var actions = _journal.Where(j => list.Any(n => j.Contains(n, StringComparison.Ordinal)));
        var patches = _api.Requests.Where(r => r.Method == "PATCH" && r.PathAndQuery.StartsWith("/api/v1/nodes/", StringComparison.Ordinal)
                && list.Any(n => r.PathAndQuery.Contains(n, StringComparison.Ordinal) || (r.Body?.Contains(n, StringComparison.Ordinal) ?? false)))
            .Select(r => $"{r.Time:HH:mm:ss.fff} PATCH {r.PathAndQuery} -> {r.StatusCode} {r.Body} {LeaseAudit.IdentityOf(r.UserAgent)}");
        var reads = _api.Requests.Where(r => r.Method == "GET" && !r.IsWatch && list.Any(n => r.PathAndQuery.EndsWith("/" + n, StringComparison.Ordinal)))
            .Select(r => $"{r.Time:HH:mm:ss.fff} GET {r.PathAndQuery} -> {r.StatusCode}");
        return string.Join("\n", actions.Concat(patches).Concat(reads).Order(StringComparer.Ordinal));
    }

    public string DumpOutput() =>
        string.Join("\n", _replicas.Where(r => r.Process is not null).Select(r => $"--- {r.Name} (last 60 lines)\n" + string.Join('\n', r.Process!.Output.Split('\n').TakeLast(60))));

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await _api.DisposeAsync();
        File.Delete(_kubeconfig);
    }
}
