using System.Collections.Concurrent;

using CidrController.Kubernetes.Configuration;

namespace CidrController.Kubernetes.Health;

/// <summary>
/// What the health endpoints answer.
/// <para><b>Readiness</b> (/readyz) tells the truth about work being done: a leader is ready once its initial list
/// is fully occupied and its last list succeeded; a standby is ready while it can reach the lease; a controller with
/// allocation disabled is always ready. Any request the API server refuses with 401/403 (RBAC) makes it not ready
/// until the same verb on the same resource answers again, and an answer that does not decode (malformed) until one
/// does, so a failure that is only being retried shows, with its reason.</para>
/// <para><b>Liveness</b> (/healthz, /livez) means the loops are turning: while a leadership term runs, its watch/list
/// loop and its workers must complete a cycle (a watch event, a watch or list attempt — failed ones too — or a
/// reconcile) at least once per <see cref="StallBound"/>. An API server that is down does not fail liveness (the
/// loops keep failing and retrying; a restart would not help); a loop that is stuck does, so the kubelet restarts
/// the process. A standby, or a controller with allocation disabled, is live while it serves.</para>
/// </summary>
internal sealed class ControllerHealth
{
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Failing> _failing = new(StringComparer.Ordinal);
    private volatile string _notReadyReason = "starting";
    private long _lastProgress;
    private volatile bool _looping;

    public ControllerHealth()
        : this(TimeProvider.System, TimeSpan.FromMinutes(4))
    {
    }

    /// <param name="stallBound">How long a running term's loops may go without completing a cycle before liveness fails.</param>
    public ControllerHealth(TimeProvider time, TimeSpan stallBound)
    {
        _time = time;
        StallBound = stallBound;
    }

    public TimeSpan StallBound { get; }

    public bool Ready => _notReadyReason.Length == 0 && !CurrentFailures().Any();

    public string NotReadyReason
    {
        get
        {
            var reasons = CurrentFailures().OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Value.Reason).ToList();
            if (_notReadyReason.Length > 0)
            {
                reasons.Insert(0, _notReadyReason);
            }

            return string.Join("; ", reasons);
        }
    }

    /// <summary>Why liveness fails (a running term's loops made no progress for longer than the bound), or null.</summary>
    public string? StallReason
    {
        get
        {
            if (!_looping)
            {
                return null;
            }

            var idle = _time.GetElapsedTime(Interlocked.Read(ref _lastProgress));
            return idle > StallBound
                ? $"the leader's watch/list loop and workers made no progress for {idle.TotalSeconds:F0} s (bound {StallBound.TotalSeconds:F0} s)"
                : null;
        }
    }

    /// <summary>
    /// The stall bound for these options: a watch may be silent for its idle timeout before it is restarted, a list
    /// may take a request timeout, and a retry waits at most 30 s; twice that leaves room for one slow cycle.
    /// </summary>
    public static TimeSpan StallBoundFor(ApiClientOptions api) =>
        (2 * (api.WatchIdleTimeout + api.RequestTimeout)) + TimeSpan.FromSeconds(30);

    public void MarkReady() => _notReadyReason = "";

    public void MarkNotReady(string reason) => _notReadyReason = string.IsNullOrEmpty(reason) ? "not ready" : reason;

    /// <summary>
    /// Calls named <paramref name="key"/> keep failing in a way only the operator can fix or only the server can stop
    /// (refused with 401/403, malformed answers): not ready, with <paramref name="reason"/>, until <see cref="ClearFailing"/>
    /// — or, given <paramref name="forgetAfter"/>, until that long passes without another mark (for failures nothing
    /// may clear soon: a one-off bad answer to a call the controller has no reason to repeat).
    /// </summary>
    public void MarkFailing(string key, string reason, TimeSpan? forgetAfter = null) =>
        _failing[key] = new Failing(reason, forgetAfter is { } after ? _time.GetTimestamp() + (long)(after.TotalSeconds * _time.TimestampFrequency) : long.MaxValue);

    public void ClearFailing(string key) => _failing.TryRemove(key, out _);

    /// <summary>A term's loops start: from now on they must progress (see <see cref="StallReason"/>).</summary>
    public void LoopsStarted()
    {
        Progressed();
        _looping = true;
    }

    public void LoopsStopped() => _looping = false;

    /// <summary>A loop completed a cycle.</summary>
    public void Progressed() => Interlocked.Exchange(ref _lastProgress, _time.GetTimestamp());

    private IEnumerable<KeyValuePair<string, Failing>> CurrentFailures()
    {
        var now = _time.GetTimestamp();
        return _failing.Where(f => f.Value.Until > now);
    }

    private readonly record struct Failing(string Reason, long Until);
}
