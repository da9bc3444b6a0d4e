namespace CidrController.Kubernetes.Api;

/// <summary>
/// Client-side QPS/burst limit toward the API server (--kube-api-qps / --kube-api-burst), as client-go's
/// token bucket (<see cref="TokenBucket"/>). Watches are exempt: they are long-lived streams, and throttling them
/// would only delay the events the controller reacts to. KubernetesClient has no limiter of its own.
/// </summary>
internal sealed class ClientRateLimitHandler : DelegatingHandler
{
    private readonly TokenBucket _bucket;
    private readonly TimeProvider _time;

    public ClientRateLimitHandler(double qps, int burst)
        : this(qps, burst, TimeProvider.System)
    {
    }

    public ClientRateLimitHandler(double qps, int burst, TimeProvider time)
    {
        _bucket = new TokenBucket(qps, burst, time);
        _time = time;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!IsWatch(request.RequestUri))
        {
            var wait = _bucket.Reserve();
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _bucket.Return();
                    throw;
                }
            }
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsWatch(Uri? uri) =>
        uri is not null && (uri.Query.Contains("watch=true", StringComparison.Ordinal) || uri.Query.Contains("watch=1", StringComparison.Ordinal));
}
