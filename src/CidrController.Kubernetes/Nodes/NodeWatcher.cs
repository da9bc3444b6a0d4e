using System.Net;

using CidrController.Kubernetes.Api;

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
public sealed partial class NodeWatcher
{
    private const int PageSize = 500;

    private readonly LeanNodeClient _nodes;
    private readonly ObservedNodeStore _store;
    private readonly TimeSpan _idleTimeout;
    private readonly ILogger _logger;

    public NodeWatcher(IKubernetes client, ObservedNodeStore store, TimeSpan idleTimeout, ILogger<NodeWatcher> logger)
    {
        // Lean decoding (name, uid, podCIDRs) instead of whole V1Node objects: see NodeJson.
        _nodes = new LeanNodeClient(client as Api.ControllerKubernetesClient
            ?? throw new ArgumentException("needs the ControllerKubernetesClient that KubernetesClientFactory builds", nameof(client)));
        _store = store;
        _idleTimeout = idleTimeout;
        _logger = logger;
    }

    /// <summary>
    /// Raised first, synchronously, for every changed node (in watch order; for a relist, for all of them once the
    /// whole list is in the store): the hook that occupies podCIDRs before any worker can release a block.
    /// </summary>
    public event Action<string>? NodeObserved;

    /// <summary>Called with a node's name whenever something allocation cares about changed (or it went away).</summary>
    public event Action<string>? NodeChanged;

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

    /// <summary>Watches from <paramref name="resourceVersion"/>, relisting on every gap, until cancelled.</summary>
    public async Task WatchAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var result = await WatchOnceAsync(resourceVersion, cancellationToken).ConfigureAwait(false);
                resourceVersion = result.ResourceVersion;
                if (result.NeedsRelist)
                {
                    resourceVersion = await ListAsync(cancellationToken).ConfigureAwait(false);
                    ListCompleted?.Invoke(true);
                }

                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (ApiFailure.Is(e) || e is KubernetesException)
            {
                failures++;
                ListCompleted?.Invoke(false);
                var delay = Backoff(failures);
                LogWatchFailed(Describe(e), delay.TotalSeconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                try
                {
                    resourceVersion = await ListAsync(cancellationToken).ConfigureAwait(false);
                    ListCompleted?.Invoke(true);
                    failures = 0;
                }
                catch (Exception again) when (ApiFailure.Is(again) && !cancellationToken.IsCancellationRequested)
                {
                    LogWatchFailed(Describe(again), 0);
                }
            }
        }
    }

    private async Task<WatchResult> WatchOnceAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(_idleTimeout);
        Exception? streamError = null;
        // The server ends a watch after timeoutSeconds; spread them so replicas and restarts do not align.
        var timeoutSeconds = 240 + Random.Shared.Next(120);
        try
        {
            var events = _nodes.WatchAsync(resourceVersion, timeoutSeconds, e => streamError ??= e, idle.Token);
            await foreach (var change in events.ConfigureAwait(false))
            {
                idle.CancelAfter(_idleTimeout);
                resourceVersion = change.ResourceVersion ?? resourceVersion;
                Apply(change);
            }
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogWatchIdle(_idleTimeout.TotalSeconds);
            return new WatchResult(resourceVersion, NeedsRelist: false);
        }

        if (streamError is KubernetesException { Status.Code: (int)HttpStatusCode.Gone } or KubernetesException { Status.Reason: "Expired" or "Gone" })
        {
            LogWatchExpired(resourceVersion);
            return new WatchResult(resourceVersion, NeedsRelist: true);
        }

        if (streamError is not null)
        {
            // Any other mid-stream error (a truncated or garbled event, an ERROR event with another code):
            // the stream can no longer be trusted to be complete.
            LogWatchFailed(Describe(streamError), 0);
            return new WatchResult(resourceVersion, NeedsRelist: true);
        }

        return new WatchResult(resourceVersion, NeedsRelist: false);
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

    private static TimeSpan Backoff(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures - 1, 10))) * (0.8 + (Random.Shared.NextDouble() * 0.4)));

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node watch failed ({Error}); relisting in {DelaySeconds:F1} s")]
    private partial void LogWatchFailed(string error, double delaySeconds);

    private readonly record struct WatchResult(string ResourceVersion, bool NeedsRelist);
}
