using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

using CidrController.Kubernetes.Health;
using CidrController.Kubernetes.Metrics;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Api;

/// <summary>
/// Sees every request to the API server, including the ones KubernetesClient's leader elector makes and swallows:
/// each error answer is counted in <c>cidr_controller_api_errors_total{verb,resource,code}</c>, and a refusal
/// (401/403: RBAC or credentials, which only the operator can fix) makes /readyz not ready, with the permission that
/// is missing, until the same verb on the same resource gets past authorization again (or for
/// <see cref="FailureMemory"/> after the last refusal when nothing asks again), and is logged as a Warning at most once per
/// <see cref="WarningInterval"/> per verb and resource (a standby polls the Lease every retry period).
/// An answer that arrives but does not decode (garbage, a value of the wrong type) is seen by whoever decodes it, who
/// reports it here (<see cref="Malformed(HttpRequestMessage, Exception)"/>): it is counted with <c>code="malformed"</c>, warned about at the same
/// rate, and keeps /readyz not ready until an answer about the same resource decodes again (<see cref="Decoded(HttpRequestMessage)"/>),
/// or for <see cref="FailureMemory"/> after the last one (a one-off bad answer to a call nothing repeats soon).
/// </summary>
internal sealed partial class ApiCallObserver : DelegatingHandler
{
    /// <summary>How often the same refusal is logged again while it lasts.</summary>
    public static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long /readyz remembers a refusal or a malformed answer when no request to the same resource follows (an
    /// Event nothing needs to write again): longer than the longest back-off (a minute), so a failure that lasts
    /// keeps it not ready between retries, and one that nothing retries does not keep it not ready for ever.
    /// </summary>
    public static readonly TimeSpan FailureMemory = TimeSpan.FromMinutes(2);

    private readonly ControllerMetrics _metrics;
    private readonly ControllerHealth _health;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, long> _lastWarning = new(StringComparer.Ordinal);

    public ApiCallObserver(ControllerMetrics metrics, ControllerHealth health, TimeProvider time, ILogger<ApiCallObserver> logger)
    {
        _metrics = metrics;
        _health = health;
        _time = time;
        _logger = logger;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var (verb, resource) = Describe(request);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            _metrics.CountApiError(verb, resource, "0");
            throw;
        }

        var key = $"{verb} {resource}";
        if (response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized))
        {
            // Any other answer (a 404, a 409, a 500 too) got past authentication and authorization: not refused.
            _health.ClearFailing(key);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        var code = (int)response.StatusCode;
        _metrics.CountApiError(verb, resource, code.ToString(CultureInfo.InvariantCulture));
        if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            var reason = response.StatusCode == HttpStatusCode.Forbidden
                ? $"forbidden: the service account may not {verb} {resource} (RBAC)"
                : $"unauthorized to {verb} {resource}: the credentials are missing, expired or not accepted";
            // Logged before /readyz says so: whoever reads the reason there finds the Warning already written.
            if (ShouldWarn(key))
            {
                LogRefused(reason, code);
            }

            _health.MarkFailing(key, reason, FailureMemory);
        }

        return response;
    }

    /// <summary>The answer to <paramref name="request"/> did not decode (<paramref name="error"/> says how).</summary>
    public void Malformed(HttpRequestMessage request, Exception error)
    {
        var (verb, resource) = Describe(request);
        Malformed(verb, resource, error);
    }

    /// <summary>An answer to <paramref name="verb"/> on <paramref name="resource"/> did not decode.</summary>
    public void Malformed(string verb, string resource, Exception error)
    {
        var key = MalformedKey(resource);
        _metrics.CountApiError(verb, resource, "malformed");
        var reason = $"malformed answers to {verb} {resource}: {error.Message.ReplaceLineEndings(" ")}";
        if (ShouldWarn(key))
        {
            LogMalformed(reason);
        }

        _health.MarkFailing(key, reason, FailureMemory);
    }

    /// <summary>The answer to <paramref name="request"/> decoded: the server answers about its resource properly again.</summary>
    public void Decoded(HttpRequestMessage request) => Decoded(Describe(request).Resource);

    public void Decoded(string resource) => _health.ClearFailing(MalformedKey(resource));

    private static string MalformedKey(string resource) => $"malformed {resource}";

    /// <summary>The Kubernetes verb and resource of a request, from its method and path (as the API server's audit log names them).</summary>
    public static (string Verb, string Resource) Describe(HttpRequestMessage request)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        // /api/v1/... or /apis/group/version/...
        var rest = segments switch
        {
            ["api", _, .. var r] => r,
            ["apis", _, _, .. var r] => r,
            _ => [],
        };
        if (rest is ["namespaces", _, _, ..])
        {
            rest = rest[2..];
        }

        var resource = rest.Length > 0 ? rest[0] : "unknown";
        var named = rest.Length > 1;
        var query = request.RequestUri?.Query ?? "";
        var verb = request.Method.Method switch
        {
            "GET" when query.Contains("watch=true", StringComparison.Ordinal) || query.Contains("watch=1", StringComparison.Ordinal) => "watch",
            "GET" => named ? "get" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            var other => other.ToLowerInvariant(),
        };
        return (verb, resource);
    }

    private bool ShouldWarn(string key)
    {
        var now = _time.GetTimestamp();
        var last = _lastWarning.GetOrAdd(key, 0);
        if (last != 0 && _time.GetElapsedTime(last, now) < WarningInterval)
        {
            return false;
        }

        _lastWarning[key] = now;
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "API answer not understood ({Reason}); counted as code=\"malformed\", retrying with back-off, not ready until one decodes")]
    private partial void LogMalformed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "API request refused ({Code}): {Reason}; retrying, not ready until it succeeds")]
    private partial void LogRefused(string reason, int code);
}
