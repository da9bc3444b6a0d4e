using System.Diagnostics;
using System.Text;

using Xunit.Abstractions;

namespace CidrController.ChaosTests;

/// <summary>
/// The real binary under a seeded random driver, API faults and SIGKILLs; then the invariants, printed.
/// A failure names its seed; <c>CHAOS_SEED=&lt;seed&gt;</c> replays the same driver decisions.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output)
{
    [Fact]
    public async Task One_replica_survives_faults_kills_and_bad_nodes_without_overlap_leak_or_crash()
    {
        var settings = ChaosSettings.FromEnvironment(defaultOperations: 2000);
        var report = new StringBuilder();
        var started = Stopwatch.StartNew();
        await using var run = await ChaosRun.StartAsync(settings, replicas: 1, output);
        var faults = new ChaosFaults(run.Api, settings.Operations);
        await run.DriveAsync(faults);
        var (metrics, settle) = await run.SettleAsync();
        var results = run.Check(metrics).Append(ScheduledFaultsHit(faults, run.Tally, leaderElection: false)).ToList();

        Print(report, settings, run, started.Elapsed, settle, results);
        var failed = results.Where(r => !r.Held).ToList();
        PrintHistory(run, failed);
        Assert.True(failed.Count == 0, $"seed {settings.Seed}: {string.Join("\n", failed)}\nreplay: {settings.ReplayCommand(nameof(One_replica_survives_faults_kills_and_bad_nodes_without_overlap_leak_or_crash))}\n{run.DumpOutput()}");
    }

    [Fact]
    public async Task Two_replicas_only_the_lease_holder_allocates_and_a_standby_takes_over()
    {
        var settings = ChaosSettings.FromEnvironment(defaultOperations: 1500);
        var report = new StringBuilder();
        var started = Stopwatch.StartNew();
        await using var run = await ChaosRun.StartAsync(settings, replicas: 2, output);
        var faults = new ChaosFaults(run.Api, settings.Operations);
        await run.DriveAsync(faults);
        var (metrics, settle) = await run.SettleAsync();
        var results = run.Check(metrics).Append(ScheduledFaultsHit(faults, run.Tally, leaderElection: true)).ToList();

        // Only the holder allocates: every allocation patch, matched against the lease term it arrived in.
        var audit = LeaseAudit.Of(run.Api.Requests);
        results.Add(new InvariantResult("allocation patches in a lease term come only from its holder", audit.Violations.Count == 0,
            audit.Violations.Count == 0
                ? $"{audit.Patches} patches in {audit.Terms.Count} terms; {audit.LateWithinGrace} arrived after their sender's term ended (max {audit.MaxLateness.TotalMilliseconds:F0} ms, grace {LeaseAudit.Grace.TotalMilliseconds:F0} ms)"
                : string.Join("\n", audit.Violations.Take(10))));

        // Takeover after a SIGKILL of the leader during chaos (faults on lease requests too): lease + retries.
        var takeovers = await run.TakeoversDuringChaosAsync();
        var chaosBound = ChaosRun.LeaseDuration + (4 * ChaosRun.RetryPeriod) + TimeSpan.FromMilliseconds(500);
        results.Add(new InvariantResult($"after a SIGKILL of the leader (faults on) the standby takes over within {chaosBound.TotalSeconds:F1} s", takeovers.All(t => t is { } d && d <= chaosBound),
            takeovers.Count == 0 ? "no leader was killed" : string.Join(", ", takeovers.Select(t => t is { } d ? $"{d.TotalSeconds:F2} s" : "never"))));

        // Faults off: one clean SIGKILL and one SIGTERM of the leader.
        var killBound = ChaosRun.LeaseDuration + (2 * ChaosRun.RetryPeriod) + TimeSpan.FromMilliseconds(300);
        var (killed, _) = await HandOverAsync(run, graceful: false);
        results.Add(new InvariantResult($"SIGKILL of the leader: takeover within lease + 2 retry periods ({killBound.TotalSeconds:F1} s)", killed is { } k && k <= killBound, $"{killed?.TotalSeconds:F2} s"));
        // A stopping leader first ends its term (in-flight patches, the last quarantine write), then releases the
        // lease: releasing earlier would let the standby allocate beside patches still in flight. So what proves
        // the graceful path is the release itself; how soon it comes depends on the machine's load (takeover in
        // 0.3-0.5 s usually, 3.00 s seen once under a full-suite run), and the lease's expiry bounds the takeover
        // either way. The detail says when the release came, so a slow one can be told from a missing one.
        var (stopped, released) = await HandOverAsync(run, graceful: true);
        results.Add(new InvariantResult($"SIGTERM of the leader: it releases the lease, and the standby takes over within {killBound.TotalSeconds:F1} s",
            released is not null && stopped is { } s && s <= killBound,
            $"released after {(released is { } r ? $"{r.TotalSeconds:F2} s" : "never")}, taken over after {(stopped is { } t ? $"{t.TotalSeconds:F2} s" : "never")}"));

        Print(report, settings, run, started.Elapsed, settle, results);
        var failed = results.Where(r => !r.Held).ToList();
        PrintHistory(run, failed);
        if (failed.Count > 0)
        {
            output.WriteLine(string.Join("\n", audit.Terms.Select(t => $"term {t.Holder} {t.Start:HH:mm:ss.fff} – {t.End:HH:mm:ss.fff}")));
            output.WriteLine(string.Join("\n", run.Api.Requests.Where(LeaseAudit.IsAllocationPatch).Select(r => $"{r.Time:HH:mm:ss.fff} {r.StatusCode} {r.PathAndQuery} {r.Body} {LeaseAudit.IdentityOf(r.UserAgent)}")));
        }

        Assert.True(failed.Count == 0, $"seed {settings.Seed}: {string.Join("\n", failed)}\nreplay: {settings.ReplayCommand(nameof(Two_replicas_only_the_lease_holder_allocates_and_a_standby_takes_over))}\n{run.DumpOutput()}");
    }

    /// <summary>
    /// Every scheduled fault fired, and the controller's own lines show it met them: a Warning about a malformed
    /// answer, a stalled watch restarted after its idle timeout, and (with leader election) the Lease 403 warned about.
    /// </summary>
    private static InvariantResult ScheduledFaultsHit(ChaosFaults faults, ChaosTally tally, bool leaderElection)
    {
        var missed = faults.Scheduled.Where(s => s.Fired == 0).Select(s => $"{s.Name} never fired").ToList();
        missed.AddRange(faults.ExpectedSignals.Where(signal => tally["seen:" + signal] == 0).Select(signal => $"the controller never logged: {signal}"));
        return new InvariantResult("every scheduled fault (garbage watch, list of the wrong type, stalled watch, Lease 403) was hit and the controller said so", missed.Count == 0,
            missed.Count == 0 ? string.Join("; ", faults.Scheduled.Select(s => $"{s.Name} = {s.Fired}")) : string.Join("; ", missed));
    }

    /// <summary>For an overlap: every driver action and patch about the nodes and CIDRs involved.</summary>
    private void PrintHistory(ChaosRun run, IReadOnlyList<InvariantResult> failed)
    {
        var needles = failed.SelectMany(f => System.Text.RegularExpressions.Regex.Matches(f.Detail, @"node-\d+|[0-9a-f.:]+/\d+").Select(m => m.Value)).Distinct().ToList();
        if (needles.Count > 0)
        {
            output.WriteLine("history of " + string.Join(" ", needles) + ":\n" + run.History(needles));
        }
    }

    /// <summary>
    /// Stops the current leader (SIGTERM or SIGKILL) and measures until the other replica holds the lease; restarts
    /// the stopped one. Also when the stopped leader wrote the lease with an empty holder (released it), if it did.
    /// </summary>
    private static async Task<(TimeSpan? Takeover, TimeSpan? Released)> HandOverAsync(ChaosRun run, bool graceful)
    {
        await WaitForAsync(() => run.Replicas.All(r => r.Running && r.Identity is not null) && run.Replicas.Any(r => r.Identity == run.Holder()));
        var leader = run.Replicas.First(r => r.Identity == run.Holder());
        var identity = leader.Identity!;
        var stoppedAt = DateTimeOffset.UtcNow;
        var measuring = run.MeasureTakeoverAsync(identity);
        if (graceful)
        {
            await leader.StopAsync();
        }
        else
        {
            leader.Kill();
        }

        var took = await measuring;
        leader.Start();
        var release = run.Api.Requests.FirstOrDefault(r => r.Time >= stoppedAt && r.Method == "PUT" && r.StatusCode == 200
            && r.LeaseHolderWritten == "" && LeaseAudit.IdentityOf(r.UserAgent) == identity);
        return (took, release is null ? null : release.Time - stoppedAt);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition() && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }
    }

    private void Print(StringBuilder report, ChaosSettings settings, ChaosRun run, TimeSpan elapsed, TimeSpan settle, IReadOnlyList<InvariantResult> results)
    {
        report.AppendLine($"chaos run: seed {settings.Seed}, {settings.Operations} operations, {run.Replicas.Count} replica(s), {elapsed.TotalSeconds:F1} s in all, settled in {settle.TotalSeconds:F1} s");
        report.AppendLine($"operations: {run.Tally.Format("op:")}");
        report.AppendLine($"faults injected: {run.Tally.Format("fault:")}");
        report.AppendLine($"controller lines about them: {run.Tally.Format("seen:")}");
        report.AppendLine($"ClusterCIDR pools: {run.Tally.Format("pool:")}; invalid or overlapping created: {run.ClusterCidrs.Count(p => !p.Valid)}");
        report.AppendLine($"API requests: {run.Api.Requests.Count}, controller lives: {string.Join(", ", run.Replicas.Select(r => $"{r.Name} {r.Lives}"))}");
        foreach (var result in results)
        {
            report.AppendLine(result.ToString());
        }

        var text = report.ToString();
        output.WriteLine(text);
        var file = Path.Combine(Path.GetTempPath(), $"cidr-chaos-{run.Replicas.Count}-replica-seed-{settings.Seed}.txt");
        File.WriteAllText(file, text);
        Console.WriteLine(text);
    }
}
