using System.Net;

using CidrController.Kubernetes.Api;

using k8s.Autorest;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Term;

/// <summary>A term that has built its (empty) state and read nothing yet.</summary>
internal sealed partial class TermStart
{
    private readonly TermParts _parts;
    private readonly ILogger _logger;

    private TermStart(TermParts parts)
    {
        _parts = parts;
        _logger = parts.Logger;
    }

    internal TermParts Parts => _parts;

    public static TermStart Begin(TermDependencies deps)
    {
        var parts = new TermParts(deps);
        deps.Metrics.Track(parts.Catalog, () => parts.Queue.Depth, () => 0, () => parts.Quarantine.Count);
        return new TermStart(parts);
    }

    /// <summary>Reads the ClusterCIDR pools once; API trouble is logged and the term goes on with the flags' ranges.</summary>
    public async Task<PoolsAccepted> AcceptPoolsAsync(CancellationToken cancellationToken)
    {
        if (_parts.Deps.Options.ClusterCidrPools)
        {
            try
            {
                await _parts.PoolSync.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (ApiFailure.Is(e) && !cancellationToken.IsCancellationRequested)
            {
                LogPoolSyncFailed(_logger, PoolSyncFailure(e));
            }
        }

        return new PoolsAccepted(_parts);
    }

    /// <summary>Why a pool pass failed, with the RBAC hint a 403 needs.</summary>
    internal static string PoolSyncFailure(Exception e) => e is HttpOperationException http
        ? http.Response.StatusCode == HttpStatusCode.Forbidden
            ? "forbidden: the service account needs get/list/watch/patch on clustercidrs.networking.x-k8s.io (RBAC)"
            : ApiErrorMessage.From(http)
        : e.Message;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read ClusterCIDR pools ({Error}); the known pools stay in use, retrying")]
    internal static partial void LogPoolSyncFailed(ILogger logger, string error);
}
