using System.Net;

using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Retry;

using k8s;
using k8s.Autorest;
using k8s.Models;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Nodes;

/// <summary>
/// Keeps <see cref="ObservedNodeStore"/> in step with the API server: a paginated list, then one watch
/// from the list's resourceVersion with bookmarks. Any gap — 410 Expired (which KubernetesClient hands
/// only to onError and then ends the stream quietly), a dropped connection, a watch that goes silent —
/// is healed by relisting and diffing: nodes that vanished during the gap are reported gone, so their
/// blocks are released; nothing is missed and nothing counted twice because the store is keyed by name.
/// </summary>
internal sealed partial class NodeWatcher
{
    private const int PageSize = 500;

    private readonly LeanNodeClient _nodes;
    private readonly ObservedNodeStore _store;
    private readonly TimeSpan _idleTimeout;
    private readonly TimeProvider _time;
    private readonly IRetryObserver? _retryObserver;
    private readonly ILogger _logger;

    /// <param name="nodes">Lean decoding (name, uid, podCIDRs) instead of whole V1Node objects: see <see cref="NodeJson"/>.</param>
    /// <param name="idleTimeout">A watch that delivers nothing (not even a bookmark) for this long is restarted.</param>
    /// <param name="time">The clock of the idle timeout and of the back-off between relists.</param>
    public NodeWatcher(LeanNodeClient nodes, ObservedNodeStore store, TimeSpan idleTimeout, TimeProvider time, ILogger<NodeWatcher> logger, IRetryObserver? retryObserver = null)
    {
        _nodes = nodes;
        _store = store;
        _idleTimeout = idleTimeout;
        _time = time;
        _retryObserver = retryObserver;
        _logger = logger;
    }

    /// <summary>
    /// Raised first, synchronously, for every changed node (in watch order; for a relist, for all of them once the
    /// whole list is in the store): the hook that occupies podCIDRs before any worker can release a block.
    /// </summary>
    public event Action<string>? NodeObserved;

    /// <summary>Called with a node's name whenever something allocation cares about changed (or it went away).</summary>
    public event Action<string>? NodeChanged;

    /// <summary>
    /// Raised whenever the loop gets anywhere — a list page, a watch event, a watch that ended or failed, a failed
    /// relist — so liveness can tell a loop that keeps trying from one that is stuck.
    /// </summary>
    public event Action? Progressed;

    /// <summary>Raised after every list completes (for readiness and the API-health signal).</summary>
    public event Action<bool>? ListCompleted;

    /// <summary>Lists every node into the store (replacing it) and returns the list's resourceVersion.</summary>
    public async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var changed = new List<string>();
        string? continueToken = null;
        string resourceVersion;
        var pages = 0;
        do
        {
            var page = await _nodes.ListAsync(PageSize, continueToken, cancellationToken).ConfigureAwait(false);
            pages++;
            Progressed?.Invoke();
            foreach (var observed in page.Items)
            {
                seen.Add(observed.Name);
                if (_store.Set(observed))
                {
                    changed.Add(observed.Name);
                }
            }

            continueToken = page.Continue;
            resourceVersion = page.ResourceVersion ?? "";
        }
        while (!string.IsNullOrEmpty(continueToken));

        foreach (var name in _store.Names.ToArray())
        {
            if (!seen.Contains(name) && _store.Remove(name))
            {
                changed.Add(name);
            }
        }

        // Only now, with the whole list in the store: a worker handling a node recreated under its old name
        // (or gone) must not free a block before a node listed later on, holding the same CIDR, was occupied.
        foreach (var name in changed)
        {
            NodeObserved?.Invoke(name);
        }

        foreach (var name in changed)
        {
            NodeChanged?.Invoke(name);
        }

        LogListed(seen.Count, pages, resourceVersion);
        return resourceVersion;
    }

    /// <summary>
    /// Watches from <paramref name="resourceVersion"/>, relisting on every gap, until cancelled. A watch that fails —
    /// at its start, dropped, or mid-stream with an event that does not decode or an ERROR other than 410 — is retried
    /// after the watch back-off and a relist; the back-off grows until a watch delivers an event again (a relist alone
    /// does not reset it, so a server whose every watch fails at once is asked less and less often).
    /// </summary>
    public async Task WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        var retry = new RetryLoop("watch-nodes", BackoffPolicy.NodeWatch, _time, _retryObserver);
        while (!cancellationToken.IsCancellationRequested)
        {
            string failure;
            try
            {
                var result = await WatchOnceAsync(resourceVersion, cancellationToken).ConfigureAwait(false);
                Progressed?.Invoke();
                resourceVersion = result.ResourceVersion;
                if (result.Delivered)
                {
                    // It worked for a while: a failure now (a connection dropped after hours) starts a new streak.
                    retry.Succeeded();
                }

                if (result.Failure is null)
                {
                    if (result.NeedsRelist)
                    {
                        resourceVersion = await ListAsync(cancellationToken).ConfigureAwait(false);
                        ListCompleted?.Invoke(true);
                    }

                    retry.Succeeded();
                    continue;
                }

                failure = result.Failure;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (ApiFailure.Is(e) || e is KubernetesException)
            {
                failure = Describe(e);
            }

            resourceVersion = await RelistAfterFailureAsync(retry, failure, resourceVersion, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits out the back-off, then relists; returns where the next watch starts.</summary>
    private async Task<string> RelistAfterFailureAsync(RetryLoop retry, string failure, string resourceVersion, CancellationToken cancellationToken)
    {
        Progressed?.Invoke();
        var delay = retry.Failed(failure);
        if (retry.FailureWorthLogging)
        {
            LogWatchFailed(failure, retry.Failures, delay.TotalSeconds);
        }

        // After the Warning: whoever reads /readyz's reason finds the Warning already written.
        ListCompleted?.Invoke(false);
        await retry.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
        try
        {
            var listed = await ListAsync(cancellationToken).ConfigureAwait(false);
            ListCompleted?.Invoke(true);
            return listed;
        }
        catch (Exception again) when (ApiFailure.Is(again) && !cancellationToken.IsCancellationRequested)
        {
            // The next watch starts from where the last one got to; a 410 then brings the relist round again.
            Progressed?.Invoke();
            if (retry.FailureWorthLogging)
            {
                LogRelistFailed(Describe(again));
            }

            return resourceVersion;
        }
    }

    private async Task<WatchResult> WatchOnceAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        // On the injected clock: a fake one drives the idle timeout in tests.
        using var idle = new CancellationTokenSource(_idleTimeout, _time);
        using var stop = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), idle);
        Exception? streamError = null;
        var delivered = false;
        // The server ends a watch after timeoutSeconds; spread them so replicas and restarts do not align.
        var timeoutSeconds = 240 + Random.Shared.Next(120);
        try
        {
            var events = _nodes.WatchAsync(resourceVersion, timeoutSeconds, e => streamError ??= e, idle.Token);
            await foreach (var change in events.ConfigureAwait(false))
            {
                idle.CancelAfter(_idleTimeout);
                delivered = true;
                Progressed?.Invoke();
                resourceVersion = change.ResourceVersion ?? resourceVersion;
                Apply(change);
            }
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogWatchIdle(_idleTimeout.TotalSeconds);
            return new WatchResult(resourceVersion, NeedsRelist: false, Failure: null, delivered);
        }
        catch (Exception e) when (ApiFailure.Is(e) && !cancellationToken.IsCancellationRequested)
        {
            // Refused at the start, or the connection dropped mid-stream.
            return new WatchResult(resourceVersion, NeedsRelist: true, Failure: Describe(e), delivered);
        }

        if (streamError is KubernetesException { Status.Code: (int)HttpStatusCode.Gone } or KubernetesException { Status.Reason: "Expired" or "Gone" })
        {
            LogWatchExpired(resourceVersion);
            return new WatchResult(resourceVersion, NeedsRelist: true, Failure: null, delivered);
        }

        // Any other mid-stream error (a truncated or garbled event, an ERROR event with another code): the stream can
        // no longer be trusted to be complete, and the server that sent it is retried with back-off.
        return new WatchResult(resourceVersion, NeedsRelist: streamError is not null, Failure: streamError is null ? null : Describe(streamError), delivered);
    }

    private void Apply(NodeWatchEvent change)
    {
        switch (change.Type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                var observed = change.Node!;
                if (_store.Set(observed))
                {
                    NodeObserved?.Invoke(observed.Name);
                    NodeChanged?.Invoke(observed.Name);
                }

                break;
            case WatchEventType.Deleted:
                if (_store.Remove(change.Node!.Name))
                {
                    NodeObserved?.Invoke(change.Node.Name);
                    NodeChanged?.Invoke(change.Node.Name);
                }

                break;
            default:
                // Bookmarks only move the resourceVersion forward.
                break;
        }
    }

    private static string Describe(Exception e) => e switch
    {
        HttpOperationException http => Api.ApiErrorMessage.From(http),
        KubernetesException kube => $"{kube.Status?.Code} {kube.Status?.Reason} {kube.Status?.Message}".Trim(),
        _ => e.Message,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Count} nodes in {Pages} page(s) at resourceVersion {ResourceVersion}")]
    private partial void LogListed(int count, int pages, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node watch expired at resourceVersion {ResourceVersion} (410): relisting")]
    private partial void LogWatchExpired(string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node watch silent for {Seconds:F0} s: restarting it")]
    private partial void LogWatchIdle(double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node watch failed ({Error}), {Attempt} time(s) in a row; relisting in {DelaySeconds:F1} s")]
    private partial void LogWatchFailed(string error, int attempt, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relist after a failed node watch failed too ({Error}); watching on from the last resourceVersion")]
    private partial void LogRelistFailed(string error);

    /// <param name="Failure">Why the watch failed (then it is retried with back-off), or null.</param>
    /// <param name="Delivered">The watch delivered at least one event (bookmarks count) before it ended.</param>
    private readonly record struct WatchResult(string ResourceVersion, bool NeedsRelist, string? Failure, bool Delivered);
}
