namespace CidrController.Kubernetes.Retry;

/// <summary>
/// The failure count of one retry loop, its back-off on the injected clock (so a fake clock drives every wait in
/// tests), and the observer that makes its failures visible.
/// </summary>
internal sealed class RetryLoop
{
    private readonly BackoffPolicy _policy;
    private readonly TimeProvider _time;
    private readonly IRetryObserver? _observer;
    private readonly Random _random;

    public RetryLoop(string name, BackoffPolicy policy, TimeProvider time, IRetryObserver? observer = null, Random? random = null)
    {
        Name = name;
        _policy = policy;
        _time = time;
        _observer = observer;
        _random = random ?? Random.Shared;
    }

    public string Name { get; }

    /// <summary>Consecutive failures since the last success.</summary>
    public int Failures { get; private set; }

    /// <summary>
    /// True for the 1st, 2nd, 4th, 8th… failure in a row: when a loop logs its failures, so that one that lasts is a
    /// Warning now and then rather than one per retry (the metric and /readyz carry the rest).
    /// </summary>
    public bool FailureWorthLogging => Failures > 0 && (Failures & (Failures - 1)) == 0;

    /// <summary>Counts a failure and returns how long to wait before the next attempt.</summary>
    public TimeSpan Failed(string reason)
    {
        Failures++;
        var delay = _policy.DelayAfter(Failures, _random);
        _observer?.Retrying(Name, Failures, delay, reason);
        return delay;
    }

    /// <summary>Waits out <paramref name="delay"/> (as returned by <see cref="Failed"/>) on the loop's clock.</summary>
    public Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, _time, cancellationToken);

    public void Succeeded()
    {
        if (Failures == 0)
        {
            return;
        }

        Failures = 0;
        _observer?.Recovered(Name);
    }
}
