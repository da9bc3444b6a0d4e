using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Health;

/// <summary>
/// The one way the controller gives up: one Error line saying why, then the host stops and the process exits
/// non-zero, so the kubelet restarts it and the restart count shows. Only for failures that retrying cannot fix
/// (the Lease's namespace does not exist, a bug in a term); everything the controller retries stays visible instead
/// (a Warning, a metric, the /readyz reason). The first failure wins; later ones are the same outage.
/// </summary>
internal sealed partial class UnrecoverableFailure
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private string? _reason;

    public UnrecoverableFailure(IHostApplicationLifetime lifetime, ILogger<UnrecoverableFailure> logger)
    {
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>Why the controller gave up, or null while it has not.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    public void Exit(string reason)
    {
        if (Interlocked.CompareExchange(ref _reason, reason, null) is not null)
        {
            return;
        }

        LogExiting(reason);

        // Stop once the host has started (at once when it already has): a stop requested while the host is still
        // starting cancels its start, which the host reports as a second Error line ("Hosting failed to start")
        // about a failure this line has already explained.
        _lifetime.ApplicationStarted.Register(_lifetime.StopApplication);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Exiting: {Reason}")]
    private partial void LogExiting(string reason);
}
