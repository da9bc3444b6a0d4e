namespace CidrController.Kubernetes.Retry;

/// <summary>
/// Sees every retry loop fail and recover: the place a failure that is being retried becomes visible (a log line,
/// a metric, a readiness reason) without each loop doing it its own way.
/// </summary>
internal interface IRetryObserver
{
    /// <summary>The loop failed for the <paramref name="attempt"/>-th time in a row and waits <paramref name="delay"/>.</summary>
    void Retrying(string loop, int attempt, TimeSpan delay, string reason);

    /// <summary>The loop succeeded after at least one failure.</summary>
    void Recovered(string loop);
}
