using CidrController.Kubernetes.Api;

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
    /// Takes back what the reuse quarantine's journal still holds. Without it (the API refuses, RBAC) the
    /// quarantine starts empty: said once, the term goes on.
    /// </summary>
    public async Task<TermReady> RestoreQuarantineAsync(CancellationToken cancellationToken)
    {
        if (_parts.Quarantine.Enabled)
        {
            try
            {
                var records = await _parts.Quarantine.ReadJournalAsync(cancellationToken).ConfigureAwait(false);
                LogQuarantineRestored(_parts.Ledger.RestoreQuarantine(records));
            }
            catch (Exception e) when (ApiFailure.Is(e) && !cancellationToken.IsCancellationRequested)
            {
                LogQuarantineLost(e is HttpOperationException http ? ApiErrorMessage.From(http) : e.Message);
            }
        }

        return new TermReady(_parts, _resourceVersion);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reuse quarantine rebuilt from CIDRReleased events: {Blocks} block(s) not reusable yet")]
    private partial void LogQuarantineRestored(int blocks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read CIDRReleased events ({Error}): blocks released before this start are reusable at once")]
    private partial void LogQuarantineLost(string error);
}
