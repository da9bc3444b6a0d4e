namespace CidrController.Kubernetes.Retry;

/// <summary>
/// The one exponential back-off every retry loop uses: <see cref="Initial"/> after the first failure, doubling up to
/// <see cref="Max"/>, each delay spread by ±<see cref="Jitter"/> so that replicas or keys failing together (an API
/// server restart) do not come back in lock step.
/// </summary>
internal readonly record struct BackoffPolicy(TimeSpan Initial, TimeSpan Max, double Jitter = 0.2)
{
    /// <summary>Relisting nodes after a failed list or watch.</summary>
    public static readonly BackoffPolicy NodeList = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));

    /// <summary>Re-watching nodes after a broken watch (quicker first retry: most breaks are a dropped connection).</summary>
    public static readonly BackoffPolicy NodeWatch = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));

    /// <summary>Re-queueing one node after a failed reconcile (client-go's per-item limiter: 100 ms up to a minute).</summary>
    public static readonly BackoffPolicy NodeReconcile = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(60));

    /// <summary>
    /// Rewriting an Event the API refused: a few quick tries, events are best effort. Capped low because a term
    /// that ends drains the event queue before the lease is released, and a standby waits for that.
    /// </summary>
    public static readonly BackoffPolicy EventWrite = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(600));

    /// <summary>
    /// Writing the reuse quarantine's ConfigMap, and reading it when a term starts. The quarantine holds in memory
    /// meanwhile, so there is no hurry; a term that cannot read it allocates nothing until it can.
    /// </summary>
    public static readonly BackoffPolicy QuarantineWrite = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30));

    /// <summary>The delay after <paramref name="failures"/> consecutive failures (1 for the first).</summary>
    public TimeSpan DelayAfter(int failures, Random random)
    {
        var doublings = Math.Clamp(failures - 1, 0, 30);
        var exponential = Math.Min(Initial.TotalMilliseconds * Math.Pow(2, doublings), Max.TotalMilliseconds);
        var spread = Jitter <= 0 ? 1 : 1 - Jitter + (random.NextDouble() * 2 * Jitter);
        return TimeSpan.FromMilliseconds(Math.Min(exponential * spread, Max.TotalMilliseconds));
    }
}
