using System.Net;

using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Configuration;
using CidrController.Kubernetes.Health;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Retry;

using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;

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
    private readonly ControllerMetrics _metrics;
    private readonly ControllerHealth _health;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _lastErrorWarning;

    /// <param name="time">
    /// The clock of what this type times itself (the release, the first check's back-off, the warning rate).
    /// KubernetesClient's <see cref="LeaderElector"/> reads <c>DateTimeOffset.Now</c> for renewals and expiry
    /// and takes no clock: lease timing always runs on the real clock, which is also the clock the other replicas
    /// compare the Lease's renewTime with.
    /// </param>
    public LeaseElection(IKubernetes client, LeaderElectionOptions options, ControllerMetrics metrics, ControllerHealth health, TimeProvider time, ILogger<LeaseElection> logger)
    {
        _client = client;
        _options = options;
        _metrics = metrics;
        _health = health;
        _time = time;
        _logger = logger;
    }

    public bool IsLeader { get; private set; }

    /// <summary>
    /// Runs until cancelled: acquires, leads, and after a loss tries to acquire again. A term that fails (anything
    /// but cancellation) ends the election: the lease is released and the failure goes up, so a standby takes over
    /// at once instead of this replica renewing a lease it no longer uses. A Lease namespace that does not exist
    /// throws <see cref="LeaseNamespaceMissingException"/>.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> lead, CancellationToken cancellationToken)
    {
        LogCandidate(_options.Identity, $"{_options.ResourceNamespace}/{_options.ResourceName}");
        await CheckLeaseReachableAsync(cancellationToken).ConfigureAwait(false);

        var leaseLock = new MalformedAnswerLeaseLock(new LeaseLock(_client, _options.ResourceNamespace, _options.ResourceName, _options.Identity), ElectionFailed);
        using var elector = new LeaderElector(new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        });

        using var electing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CancellationTokenSource? term = null;
        var leading = Task.CompletedTask;
        var leadingAtStop = false;
        elector.OnStartedLeading += () =>
        {
            IsLeader = true;
            LogStartedLeading(_options.Identity, $"{_options.ResourceNamespace}/{_options.ResourceName}");
            term = CancellationTokenSource.CreateLinkedTokenSource(electing.Token);
            var token = term.Token;
            leading = Task.Run(
                async () =>
                {
                    try
                    {
                        await lead(token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (!(e is OperationCanceledException && token.IsCancellationRequested))
                    {
                        // Stop renewing: the term is dead, the lease must go to a replica that can use it.
                        await electing.CancelAsync().ConfigureAwait(false);
                        throw;
                    }
                },
                CancellationToken.None);
        };
        elector.OnStoppedLeading += () =>
        {
            leadingAtStop = electing.IsCancellationRequested;
            IsLeader = false;
            term?.Cancel();
            if (!electing.IsCancellationRequested)
            {
                LogLostLease(_options.Identity);
            }
        };
        elector.OnNewLeader += leader => LogNewLeader(leader ?? "(none)");
        elector.OnError += ElectionFailed;

        try
        {
            await elector.RunAndTryToHoldLeadershipForeverAsync(electing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (electing.IsCancellationRequested)
        {
        }

        term?.Cancel();
        Exception? failure = null;
        try
        {
            await leading.ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            failure = e;
        }
        finally
        {
            term?.Dispose();
        }

        if (leadingAtStop || IsLeader || failure is not null)
        {
            await ReleaseAsync().ConfigureAwait(false);
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>
    /// Reads the Lease once before the elector starts, creating a free one (empty holder) if there is none. The
    /// elector cannot tell a missing namespace from a lost race: it swallows the failed create and tries again
    /// forever. A 404 on the create can only mean the namespace is missing. Other failures (RBAC, the API server
    /// away) are retried here with back-off, visibly; they are not the elector's to hide.
    /// </summary>
    private async Task CheckLeaseReachableAsync(CancellationToken cancellationToken)
    {
        // From the retry period up to the lease duration: a candidate that could read the Lease again must not
        // wait much longer than a standby's takeover would take (RBAC restored, the API server back).
        var retry = new RetryLoop("lease-check", new BackoffPolicy(_options.RetryPeriod, _options.LeaseDuration), _time);
        while (true)
        {
            try
            {
                await EnsureLeaseExistsAsync(cancellationToken).ConfigureAwait(false);
                retry.Succeeded();
                _health.MarkReady();
                return;
            }
            catch (Exception e) when (ApiFailure.Is(e) && !cancellationToken.IsCancellationRequested)
            {
                var reason = e is HttpOperationException http ? ApiErrorMessage.From(http) : e.Message;
                ElectionFailed(e); // counted and logged before /readyz says so
                _health.MarkNotReady($"leader election: cannot read lease {_options.ResourceNamespace}/{_options.ResourceName}: {reason}");
                var delay = retry.Failed(reason);
                await retry.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task EnsureLeaseExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.ResourceName, _options.ResourceNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }

        var free = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = _options.ResourceName, NamespaceProperty = _options.ResourceNamespace },
            // Every field the elector reads back set (it fails on a Lease without acquire/renew times).
            Spec = new V1LeaseSpec { HolderIdentity = "", LeaseDurationSeconds = 1, AcquireTime = _time.GetUtcNow().UtcDateTime, RenewTime = _time.GetUtcNow().UtcDateTime, LeaseTransitions = 0 },
        };
        try
        {
            await _client.CoordinationV1.CreateNamespacedLeaseAsync(free, _options.ResourceNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Another replica created it first: it exists.
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new LeaseNamespaceMissingException(
                $"the leader election namespace \"{_options.ResourceNamespace}\" does not exist (--leader-elect-resource-namespace): create it or name an existing one", e);
        }
    }

    /// <summary>
    /// The elector reports a failed read or renewal here (KubernetesClient logs nothing): counted, and logged as a
    /// Warning at most once per <see cref="Api.ApiCallObserver.WarningInterval"/> since it repeats every retry period.
    /// A refusal also shows in /readyz (see <see cref="Api.ApiCallObserver"/>).
    /// </summary>
    private void ElectionFailed(Exception e)
    {
        _metrics.CountLeaderElectionError();
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastErrorWarning);
        if (last != 0 && _time.GetElapsedTime(last, now) < Api.ApiCallObserver.WarningInterval)
        {
            return;
        }

        Interlocked.Exchange(ref _lastErrorWarning, now);
        LogElectionError(e is HttpOperationException http ? ApiErrorMessage.From(http) : e.Message);
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
        catch (Exception e) when (ApiFailure.Is(e) || e is OperationCanceledException)
        {
            LogReleaseFailed(e.Message);
        }
    }

    // One ns/name value: a parameter named @namespace reaches Serilog as "@namespace", which it reads as a
    // destructuring hint, and {Namespace} was printed literally.
    [LoggerMessage(Level = LogLevel.Information, Message = "Leader election: {Identity} is a candidate for lease {Lease}")]
    private partial void LogCandidate(string identity, string lease);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leader election: {Identity} acquired lease {Lease}; allocating")]
    private partial void LogStartedLeading(string identity, string lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election: {Identity} lost the lease; allocation stopped")]
    private partial void LogLostLease(string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leader election: the leader is {Leader}")]
    private partial void LogNewLeader(string leader);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election failing: {Error}; retrying (cidr_controller_leader_election_errors_total counts every failure)")]
    private partial void LogElectionError(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Leader election: {Identity} released the lease")]
    private partial void LogReleased(string identity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election: could not release the lease ({Error}); the standby takes over when it expires")]
    private partial void LogReleaseFailed(string error);
}
