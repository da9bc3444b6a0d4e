using CidrController.Kubernetes.Configuration;

using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Leadership;

/// <summary>
/// Lease-based leader election (coordination.k8s.io/v1), as kube-controller-manager does it. While this
/// replica holds the lease, <c>lead</c> runs with a token that is cancelled the moment the lease is lost.
/// On shutdown the lease is released (holder cleared), so a standby takes over within one retry period
/// instead of waiting out the lease: KubernetesClient's elector does not do that on its own.
/// </summary>
internal sealed partial class LeaseElection
{
    private readonly IKubernetes _client;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="time">
    /// The clock of what this type times itself (the release). KubernetesClient's <see cref="LeaderElector"/> reads
    /// <c>DateTimeOffset.Now</c> for renewals and expiry and takes no clock: lease timing always runs on the
    /// real clock, which is also the clock the other replicas compare the Lease's renewTime with.
    /// </param>
    public LeaseElection(IKubernetes client, LeaderElectionOptions options, TimeProvider time, ILogger<LeaseElection> logger)
    {
        _client = client;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public bool IsLeader { get; private set; }

    /// <summary>Runs until cancelled: acquires, leads, and after a loss tries to acquire again.</summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        var leaseLock = new LeaseLock(_client, _options.ResourceNamespace, _options.ResourceName, _options.Identity);
        using var elector = new LeaderElector(new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        });

        CancellationTokenSource? term = null;
        var leading = Task.CompletedTask;
        var leadingAtShutdown = false;
        elector.OnStartedLeading += () =>
        {
            IsLeader = true;
            LogStartedLeading(_options.Identity, _options.ResourceNamespace, _options.ResourceName);
            term = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var token = term.Token;
            leading = Task.Run(() => lead(token), CancellationToken.None);
        };
        elector.OnStoppedLeading += () =>
        {
            leadingAtShutdown = cancellationToken.IsCancellationRequested;
            IsLeader = false;
            term?.Cancel();
            if (!cancellationToken.IsCancellationRequested)
            {
                LogLostLease(_options.Identity);
            }
        };
        elector.OnNewLeader += leader => LogNewLeader(leader ?? "(none)");
        elector.OnError += e => LogElectionError(e.Message);

        LogCandidate(_options.Identity, _options.ResourceNamespace, _options.ResourceName);
        try
        {
            await elector.RunAndTryToHoldLeadershipForeverAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            term?.Cancel();
            await leading.ConfigureAwait(false);
            term?.Dispose();
        }

        if (leadingAtShutdown || IsLeader)
        {
            await ReleaseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Clears the holder if it is still us; a best-effort courtesy to the standby.</summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
        try
        {
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.ResourceName, _options.ResourceNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            if (lease.Spec?.HolderIdentity != _options.Identity)
            {
                return;
            }

            // An empty (not null) holder: KubernetesClient's elector treats null as "no lease" and tries to
            // create one, which fails; an empty holder is free for the taking.
            lease.Spec.HolderIdentity = "";
            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = _time.GetUtcNow().UtcDateTime;
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.ResourceName, _options.ResourceNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            LogReleased(_options.Identity);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or OperationCanceledException or IOException)
        {
            LogReleaseFailed(e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Leader election: {Identity} is a candidate for lease {Namespace}/{Name}")]
    private partial void LogCandidate(string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leader election: {Identity} acquired lease {Namespace}/{Name}; allocating")]
    private partial void LogStartedLeading(string identity, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election: {Identity} lost the lease; allocation stopped")]
    private partial void LogLostLease(string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leader election: the leader is {Leader}")]
    private partial void LogNewLeader(string leader);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Leader election: {Error}")]
    private partial void LogElectionError(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leader election: {Identity} released the lease")]
    private partial void LogReleased(string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election: could not release the lease ({Error}); the standby takes over when it expires")]
    private partial void LogReleaseFailed(string error);
}
