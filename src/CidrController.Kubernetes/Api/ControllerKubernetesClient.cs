using System.Net;

using k8s;
using k8s.Autorest;

namespace CidrController.Kubernetes.Api;

/// <summary>
/// KubernetesClient's client plus a raw request path for the hot Node calls. The raw path goes through the same
/// HttpClient (TLS, connection pool, the rate limiter) and the same credentials (token files re-read, exec plugins),
/// and fails the same way (<see cref="HttpOperationException"/> for an error status, a timeout after
/// <see cref="RequestTimeout"/> as <see cref="TaskCanceledException"/>); it only leaves the response body to the
/// caller, so Node JSON is decoded into the few fields the controller keeps instead of whole V1Node objects.
/// </summary>
internal sealed class ControllerKubernetesClient : k8s.Kubernetes
{
    public ControllerKubernetesClient(KubernetesClientConfiguration config, TimeSpan requestTimeout, params DelegatingHandler[] handlers)
        : base(config, handlers)
    {
        RequestTimeout = requestTimeout;
    }

    /// <summary>--kube-api request timeout for everything but watches (KubernetesClient's HttpClientTimeout).</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>
    /// Sends <paramref name="request"/> with credentials and returns the response once its headers are in; the caller
    /// reads and disposes it. An error status throws <see cref="HttpOperationException"/> with the body read, as
    /// KubernetesClient's own calls do. The timeout (not for watches) covers the headers only: callers reading a body
    /// pass the token they got from <see cref="StartTimeout"/>.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Version = HttpVersion.Version20; // as KubernetesClient: h2 over TLS when offered, else HTTP/1.1
        if (Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var response = await HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var content = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpOperationException($"Operation returned an invalid status code '{response.StatusCode}'")
            {
                Request = new HttpRequestMessageWrapper(request, null),
                Response = new HttpResponseMessageWrapper(response, content),
            };
        }
    }

    /// <summary>A token cancelled after <see cref="RequestTimeout"/> or with <paramref name="cancellationToken"/>.</summary>
    public CancellationTokenSource StartTimeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (RequestTimeout > TimeSpan.Zero && RequestTimeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(RequestTimeout);
        }

        return timeout;
    }
}
