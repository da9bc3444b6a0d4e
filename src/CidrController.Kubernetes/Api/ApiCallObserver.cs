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
/// is missing, until the same verb on the same resource succeeds again, and is logged as a Warning at most once per
/// <see cref="WarningInterval"/> per verb and resource (a standby polls the Lease every retry period).
/// </summary>
internal sealed partial class ApiCallObserver : DelegatingHandler
{
    /// <summary>How often the same refusal is logged again while it lasts.</summary>
    public static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

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
        if (response.IsSuccessStatusCode)
        {
            _health.ClearRefused(key);
            return response;
        }

        var code = (int)response.StatusCode;
        _metrics.CountApiError(verb, resource, code.ToString(CultureInfo.InvariantCulture));
        if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            var reason = response.StatusCode == HttpStatusCode.Forbidden
                ? $"forbidden: the service account may not {verb} {resource} (RBAC)"
                : $"unauthorized to {verb} {resource}: the credentials are missing, expired or not accepted";
            _health.MarkRefused(key, reason);
            if (ShouldWarn(key))
            {
                LogRefused(reason, code);
            }
        }

        return response;
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "API request refused ({Code}): {Reason}; retrying, not ready until it succeeds")]
    private partial void LogRefused(string reason, int code);
}
