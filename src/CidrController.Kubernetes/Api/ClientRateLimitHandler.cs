using System.Threading.RateLimiting;

namespace CidrController.Kubernetes.Api;

/// <summary>
/// Client-side QPS/burst limit toward the API server (--kube-api-qps / --kube-api-burst), as client-go's
/// token bucket. Watches are exempt: they are long-lived streams, and throttling them would only delay
/// the events the controller reacts to. KubernetesClient has no limiter of its own.
/// </summary>
public sealed class ClientRateLimitHandler : DelegatingHandler
{
    private readonly TokenBucketRateLimiter _limiter;

    public ClientRateLimitHandler(double qps, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(qps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        // A token every 1/qps seconds, refilled in small periods so high rates are smooth, not bursty.
        var period = TimeSpan.FromMilliseconds(Math.Max(1, 1000 / qps));
        var tokensPerPeriod = (int)Math.Max(1, Math.Round(qps * period.TotalSeconds));
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (IsWatch(request.RequestUri))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        using var lease = await _limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsWatch(Uri? uri) =>
        uri is not null && (uri.Query.Contains("watch=true", StringComparison.Ordinal) || uri.Query.Contains("watch=1", StringComparison.Ordinal));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _limiter.Dispose();
        }

        base.Dispose(disposing);
    }
}
