using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Configuration;
using CidrController.Kubernetes.Events;
using CidrController.Kubernetes.Health;
using CidrController.Kubernetes.Leadership;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Quarantine;
using CidrController.Kubernetes.Term;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes;

/// <summary>
/// The hosted service: waits for the lease (when leader election is on), then runs one leadership term (its
/// phases, in order, are in <see cref="LeadershipTerm"/>) until the lease is lost or the process stops.
/// </summary>
internal sealed partial class NodeIpamController : BackgroundService
{
    /// <summary>How long in-flight patches may finish after a stop before they are abandoned (without leader election).</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly ControllerOptions _options;
    private readonly ControllerKubernetesClient _client;
    private readonly ControllerMetrics _metrics;
    private readonly ControllerHealth _health;
    private readonly UnrecoverableFailure _failure;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public NodeIpamController(ControllerOptions options, ControllerKubernetesClient client, ControllerMetrics metrics, ControllerHealth health, UnrecoverableFailure failure, ILoggerFactory loggerFactory, TimeProvider time)
    {
        _failure = failure;
        _options = options;
        _client = client;
        _metrics = metrics;
        _health = health;
        _loggerFactory = loggerFactory;
        _time = time;
        _logger = loggerFactory.CreateLogger<NodeIpamController>();
    }

    /// <summary>
    /// Runs the controller until the host stops. Whatever ends it otherwise cannot be fixed by retrying (every
    /// failure that can is retried inside): the process exits with one Error line, the lease already released.
    /// </summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is LeaseNamespaceMissingException or QuarantineNamespaceMissingException)
        {
            _failure.Exit(e.Message);
        }
        catch (Exception e)
        {
            var released = _options.LeaderElection.Enabled ? "; the lease was released" : "";
            _failure.Exit($"the leadership term failed unexpectedly ({e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}){released}");
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!_options.AllocateNodeCidrs)
        {
            LogAllocationDisabled();
            _health.MarkReady();
            return;
        }

        // One recorder for the process, not one per term, and disposed (its queue drained, up to a bound) only
        // after the election has released the lease: Events are for humans and allocate nothing, so a stopping
        // leader must not keep the standby waiting while it writes the last of them.
        var events = new NodeEventRecorder(_client, _options.LeaderElection.Identity, _time, TimeSpan.FromMinutes(1), _loggerFactory.CreateLogger<NodeEventRecorder>());
        await using (events.ConfigureAwait(false))
        {
            if (!_options.LeaderElection.Enabled)
            {
                await LeadAsync(events, stoppingToken).ConfigureAwait(false);
                return;
            }

            _health.MarkReady(); // a standby is ready: it has nothing to sync until it leads
            var election = new LeaseElection(_client, _options.LeaderElection, _metrics, _health, _time, _loggerFactory.CreateLogger<LeaseElection>());
            await election.RunAsync(term => LeadAsync(events, term), stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>One leadership term, until <paramref name="cancellationToken"/> (shutdown or lost lease).</summary>
    private async Task LeadAsync(NodeEventRecorder events, CancellationToken cancellationToken)
    {
        _metrics.SetLeader(true);
        _health.MarkNotReady("initial node list not yet occupied");
        _health.LoopsStarted();
        using var drain = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using var stopping = cancellationToken.Register(() => drain.CancelAfter(SafeDrain(_options.LeaderElection)));
        try
        {
            var deps = new TermDependencies(_options, _client, events, _metrics, _health, _loggerFactory, _time);
            await LeadershipTerm.RunAsync(deps, cancellationToken, drain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _health.LoopsStopped();
            _metrics.SetLeader(false);
            _metrics.Track(null, () => 0, () => 0);
            if (_options.LeaderElection.Enabled)
            {
                _health.MarkReady(); // back to standby
            }
        }
    }

    /// <summary>
    /// How long a term that ends may still finish in-flight patches. With leader election this must end before
    /// a standby can take the lease, or the old and the new leader both allocate (each from its own allocator:
    /// one block, two nodes). The term ends when the elector gives up renewing — at worst one retry period plus
    /// the renew deadline after the last renewal — and a standby can take over no sooner than the lease
    /// duration after it. What is left of the lease is the bound; KubernetesClient's elector also stops
    /// renewing at shutdown, where the same arithmetic holds.
    /// </summary>
    private static TimeSpan SafeDrain(LeaderElectionOptions election)
    {
        if (!election.Enabled)
        {
            return DrainTimeout;
        }

        var left = election.LeaseDuration - election.RenewDeadline - election.RetryPeriod;
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left < DrainTimeout ? left : DrainTimeout;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node CIDR allocation is disabled (--allocate-node-cidrs=false): serving health and metrics only")]
    private partial void LogAllocationDisabled();
}
