using System.Net;
using System.Text.Json;

using k8s;
using k8s.Autorest;

namespace CidrController.Kubernetes.Api;

/// <summary>
/// KubernetesClient's client plus a raw request path for the hot Node calls. The raw path goes through the same
/// HttpClient (TLS, connection pool, the rate limiter) and the same credentials (token files re-read, exec plugins),
/// and fails the same way (<see cref="HttpOperationException"/> for an error status, a timeout after
/// <see cref="RequestTimeout"/> as <see cref="TaskCanceledException"/>); it only leaves the response body to the
/// caller, so Node JSON is decoded into the few fields the controller keeps instead of whole V1Node objects.
/// Every answer that does not decode — here for KubernetesClient's typed calls (Leases, Events, ClusterCIDR lists),
/// in the raw path's callers for the rest — is reported to the <see cref="ApiCallObserver"/> and surfaces as a
/// <see cref="JsonException"/>, an API failure the caller retries.
/// </summary>
internal sealed class ControllerKubernetesClient : k8s.Kubernetes
{
    private readonly ApiCallObserver? _observer;

    public ControllerKubernetesClient(KubernetesClientConfiguration config, TimeSpan requestTimeout, params DelegatingHandler[] handlers)
        : base(config, handlers)
    {
        RequestTimeout = requestTimeout;
        _observer = handlers.OfType<ApiCallObserver>().FirstOrDefault();
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

    /// <summary>The answer to <paramref name="request"/> did not decode: counted, warned about, not ready meanwhile.</summary>
    public void AnswerMalformed(HttpRequestMessage request, Exception error) => _observer?.Malformed(request, error);

    /// <summary>An answer to <paramref name="verb"/> on <paramref name="resource"/> did not have the shape the API promises.</summary>
    public void AnswerMalformed(string verb, string resource, Exception error) => _observer?.Malformed(verb, resource, error);

    /// <summary>The answer to <paramref name="request"/> decoded.</summary>
    public void AnswerDecoded(HttpRequestMessage request) => _observer?.Decoded(request);

    /// <summary>
    /// KubernetesClient's typed calls decode here. Its own code lets System.Text.Json's exceptions through as they
    /// are, and a converter's (a date that is not one) as FormatException, which no caller would take for an API
    /// failure; they become one JsonException, reported first.
    /// </summary>
    protected override async Task<HttpOperationResponse<T>> CreateResultAsync<T>(HttpRequestMessage httpRequest, HttpResponseMessage httpResponse, bool? watch, CancellationToken cancellationToken)
    {
        if (watch == true || _observer is null)
        {
            return await base.CreateResultAsync<T>(httpRequest, httpResponse, watch, cancellationToken).ConfigureAwait(false);
        }

        // Described before decoding: KubernetesClient disposes the request when the body does not parse.
        var (verb, resource) = ApiCallObserver.Describe(httpRequest);
        HttpOperationResponse<T> result;
        try
        {
            result = await base.CreateResultAsync<T>(httpRequest, httpResponse, watch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiFailure.IsMalformedAnswer(e))
        {
            _observer.Malformed(verb, resource, e);
            if (e is JsonException)
            {
                throw;
            }

            throw ApiFailure.AsMalformed(e, $"{verb} {resource}");
        }

        _observer.Decoded(resource);
        return result;
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
