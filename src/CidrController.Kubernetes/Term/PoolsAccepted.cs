using System.Net;

using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Retry;

using k8s.Autorest;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Term;

/// <summary>A term whose ClusterCIDR pools are read (pending: nothing can be proposed from them yet).</summary>
internal sealed partial class PoolsAccepted
{
    private readonly TermParts _parts;
    private readonly ILogger _logger;

    internal PoolsAccepted(TermParts parts)
    {
        _parts = parts;
        _logger = parts.Logger;
    }

    internal TermParts Parts => _parts;

    /// <summary>Lists every node into the store, retrying with back-off (not ready meanwhile, with the reason).</summary>
    public async Task<NodesListed> ListNodesAsync(CancellationToken cancellationToken)
    {
        var retry = new RetryLoop("list-nodes", BackoffPolicy.NodeList, _parts.Deps.Time, _parts.Deps.RetryObserver);
        while (true)
        {
            try
            {
                var resourceVersion = await _parts.Watcher.ListAsync(cancellationToken).ConfigureAwait(false);
                retry.Succeeded();
                return new NodesListed(_parts, resourceVersion);
            }
            catch (Exception e) when (ApiFailure.Is(e) && !cancellationToken.IsCancellationRequested)
            {
                var reason = e is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden }
                    ? "forbidden: the service account needs get/list/watch on nodes (RBAC)"
                    : e.Message;
                var delay = retry.Failed(reason);
                // Logged before /readyz says so: whoever reads the reason there finds the Warning already written.
                LogListFailed(reason, retry.Failures, delay.TotalSeconds);
                _parts.Deps.Health.MarkNotReady($"cannot list nodes: {reason}");
                _parts.Deps.Health.Progressed(); // a failed attempt is the loop turning, not stuck
                await retry.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot list nodes ({Error}), attempt {Attempt}; retrying in {DelaySeconds:F1} s")]
    private partial void LogListFailed(string error, int attempt, double delaySeconds);
}
