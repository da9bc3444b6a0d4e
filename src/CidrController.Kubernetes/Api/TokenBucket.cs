namespace CidrController.Kubernetes.Api;

/// <summary>
/// client-go's client-side limiter (golang.org/x/time/rate behind flowcontrol): up to <c>burst</c> tokens, refilled
/// at <c>qps</c> per second, computed from the elapsed time whenever a request asks — no timer. A request that
/// finds no token reserves the next one and is told how long to wait, so waiters are served in arrival order at
/// exactly qps. System.Threading.RateLimiting's TokenBucketRateLimiter refills from a timer instead: at
/// --kube-api-qps in the hundreds that timer fires every millisecond whether anything is waiting or not (measured:
/// most of an idle controller's CPU), and its whole-token-per-period rounding overshoots the configured rate.
/// </summary>
internal sealed class TokenBucket
{
    private readonly double _qps;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private double _tokens;
    private long _updated;

    public TokenBucket(double qps, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(qps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        _qps = qps;
        _burst = burst;
        _time = time;
        _tokens = burst;
        _updated = time.GetTimestamp();
    }

    /// <summary>Takes a token; returns how long to wait before using it (zero when one was there).</summary>
    public TimeSpan Reserve()
    {
        lock (_lock)
        {
            Refill();
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _qps);
        }
    }

    /// <summary>Gives back a reserved token that will not be used (its request was cancelled while waiting).</summary>
    public void Return()
    {
        lock (_lock)
        {
            Refill();
            _tokens = Math.Min(_burst, _tokens + 1);
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_updated, now).TotalSeconds * _qps));
        _updated = now;
    }
}
