using System.Net;

using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Retry;

using k8s.Autorest;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Term;

/// <summary>A term whose ledger holds every existing node's blocks, with every accepted pool admitted.</summary>
internal sealed partial class NodesAdopted
{
    private readonly TermParts _parts;
    private readonly string _resourceVersion;
    private readonly ILogger _logger;

    internal NodesAdopted(TermParts parts, string resourceVersion)
    {
        _parts = parts;
        _resourceVersion = resourceVersion;
        _logger = parts.Logger;
    }

    internal TermParts Parts => _parts;

    /// <summary>
    /// Takes back what the reuse quarantine's journal still holds. Until it is read, nothing is handed out: a block
    /// still quarantined could go to a new node (the very thing the delay is for). So a failure is retried with
    /// back-off, with a Warning per attempt and /readyz saying why; a namespace that does not exist ends the term.
    /// </summary>
    public async Task<TermReady> RestoreQuarantineAsync(CancellationToken cancellationToken)
    {
        if (!_parts.Quarantine.Enabled)
        {
            return new TermReady(_parts, _resourceVersion);
        }

        var deps = _parts.Deps;
        var (ns, name) = deps.Options.QuarantineConfigMap;
        var retry = new RetryLoop("read-quarantine", BackoffPolicy.QuarantineWrite, deps.Time, deps.RetryObserver);
        while (true)
        {
            try
            {
                var records = await _parts.Quarantine.ReadJournalAsync(cancellationToken).ConfigureAwait(false);
                retry.Succeeded();
                LogQuarantineRestored(_parts.Ledger.RestoreQuarantine(records), $"{ns}/{name}");
                return new TermReady(_parts, _resourceVersion);
            }
            catch (Exception e) when (ApiFailure.Is(e) && !cancellationToken.IsCancellationRequested)
            {
                var reason = e is HttpOperationException http
                    ? http.Response.StatusCode == HttpStatusCode.Forbidden
                        ? "forbidden: the service account needs get/update on this ConfigMap and create on configmaps in its namespace (RBAC)"
                        : ApiErrorMessage.From(http)
                    : e.Message;
                var delay = retry.Failed(reason);
                // Logged before /readyz says so: whoever reads the reason there finds the Warning already written.
                LogQuarantineUnreadable($"{ns}/{name}", reason, retry.Failures, delay.TotalSeconds);
                deps.Health.MarkNotReady($"cannot read the reuse quarantine (ConfigMap {ns}/{name}): {reason}; allocating nothing until it is read");
                deps.Health.Progressed(); // a failed attempt is the loop turning, not stuck
                await retry.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reuse quarantine read from ConfigMap {ConfigMap}: {Blocks} block(s) not reusable yet")]
    private partial void LogQuarantineRestored(int blocks, string configMap);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read the reuse quarantine from ConfigMap {ConfigMap} ({Error}), attempt {Attempt}; retrying in {DelaySeconds:F1} s, allocating nothing meanwhile")]
    private partial void LogQuarantineUnreadable(string configMap, string error, int attempt, double delaySeconds);
}
