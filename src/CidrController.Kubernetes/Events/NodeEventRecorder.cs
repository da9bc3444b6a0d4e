using System.Globalization;
using System.Threading.Channels;

using CidrController.Allocation;
using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Retry;

using k8s;
using k8s.Autorest;
using k8s.Models;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Events;

/// <summary>
/// Writes core/v1 Events about Nodes, off the reconcile path (a bounded queue drained by one writer).
/// Repeats of the same node and reason are aggregated like kubectl shows them ("x12 over 5m"): the
/// first is created at once, later ones only bump a count, and are written at most once per
/// <see cref="_repeatInterval"/> — a node stuck waiting for a block must not flood the API with events.
/// </summary>
internal sealed partial class NodeEventRecorder : INodeEventSink, IAsyncDisposable
{
    public const string Component = "cidr-controller";

    private const int WriteAttempts = 4;

    /// <summary>How long disposal waits for queued events to be written before it gives up on them.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Events about cluster-scoped objects live in "default", as kubelet's and kube-controller-manager's do.</summary>
    public const string EventNamespace = "default";

    /// <summary>The reason of the event that tells a release into the reuse quarantine.</summary>
    public const string ReleasedReason = "CIDRReleased";

    private readonly IKubernetes _client;
    private readonly string _instance;
    private readonly TimeProvider _time;
    private readonly TimeSpan _repeatInterval;
    private readonly ILogger _logger;
    private readonly IRetryObserver? _retryObserver;
    private readonly Channel<PendingEvent> _queue = Channel.CreateBounded<PendingEvent>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Dictionary<(string Node, string Reason), Series> _series = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;

    public NodeEventRecorder(IKubernetes client, string instance, TimeProvider time, TimeSpan repeatInterval, ILogger<NodeEventRecorder> logger, IRetryObserver? retryObserver = null)
    {
        _retryObserver = retryObserver;
        _client = client;
        _instance = instance;
        _time = time;
        _repeatInterval = repeatInterval;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    public void Warning(string node, string uid, string reason, string message) => Enqueue(node, uid, "Warning", reason, message);

    public void Normal(string node, string uid, string reason, string message) => Enqueue(node, uid, "Normal", reason, message);

    /// <summary>
    /// A gone node's blocks entered the reuse quarantine (--cidr-reuse-delay): a Normal CIDRReleased event, for humans
    /// only (the quarantine itself is kept where only the controller may write). Never folded into an earlier one:
    /// each release names its own blocks and time.
    /// </summary>
    public void Released(string node, IReadOnlyList<IpBlock> blocks, DateTimeOffset reusableAfter)
    {
        var after = reusableAfter.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var message = $"Released {string.Join(",", blocks)}; reusable after {after} (--cidr-reuse-delay)";
        if (!_queue.Writer.TryWrite(new PendingEvent(node, "", "Normal", ReleasedReason, message, _time.GetUtcNow()) { Unfolded = true }))
        {
            LogDropped(node, ReleasedReason);
        }
    }

    /// <summary>A Warning about a ClusterCIDR pool (cluster-scoped too, so its events also live in "default").</summary>
    public void PoolWarning(string pool, string uid, string reason, string message)
    {
        if (!_queue.Writer.TryWrite(new PendingEvent(pool, uid, "Warning", reason, message, _time.GetUtcNow()) { Kind = "ClusterCIDR", ApiVersion = "networking.x-k8s.io/v1" }))
        {
            LogDropped(pool, reason);
        }
    }

    private void Enqueue(string node, string uid, string type, string reason, string message)
    {
        if (!_queue.Writer.TryWrite(new PendingEvent(node, uid, type, reason, message, _time.GetUtcNow())))
        {
            LogDropped(node, reason);
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var pending in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                var retry = new RetryLoop("write-event", BackoffPolicy.EventWrite, _time, _retryObserver);
                while (true)
                {
                    try
                    {
                        await WriteAsync(pending, _stop.Token).ConfigureAwait(false);
                        retry.Succeeded();
                        break;
                    }
                    catch (Exception e) when (ApiFailure.Is(e) && !_stop.IsCancellationRequested)
                    {
                        // Events are best effort: losing one must never stall allocation. But a lone 500 or 429 must
                        // not lose the only report of a bad podCIDR either (it is not repeated until a restart): a
                        // few quick retries, then give up.
                        if (retry.Failures + 1 >= WriteAttempts)
                        {
                            LogWriteFailed(pending.Node, pending.Reason, e.Message);
                            break;
                        }

                        await retry.WaitAsync(retry.Failed(e.Message), _stop.Token).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task WriteAsync(PendingEvent pending, CancellationToken cancellationToken)
    {
        var key = (pending.Node, pending.Reason);
        if (pending.Unfolded)
        {
            await _client.CoreV1.CreateNamespacedEventAsync(NewEvent(pending), EventNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_series.TryGetValue(key, out var series) && series.Uid == pending.Uid)
        {
            series.Count++;
            series.Message = pending.Message;
            if (pending.At - series.LastWritten < _repeatInterval)
            {
                return;
            }

            series.LastWritten = pending.At;
            var patch = $$"""{"count":{{series.Count}},"message":{{System.Text.Json.JsonSerializer.Serialize(pending.Message)}},"lastTimestamp":"{{pending.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}"}""";
            try
            {
                await _client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), series.EventName, EventNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // The event expired (events have a TTL): start a new series below.
            }
        }

        var created = await _client.CoreV1.CreateNamespacedEventAsync(NewEvent(pending), EventNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        _series[key] = new Series(pending.Uid, created.Metadata.Name, pending.At, 1, pending.Message);
        if (_series.Count > 10_000)
        {
            // Forget the oldest series; aggregation is a courtesy, not a ledger.
            var oldest = _series.MinBy(kv => kv.Value.LastWritten).Key;
            _series.Remove(oldest);
        }
    }

    private Corev1Event NewEvent(PendingEvent pending)
    {
        var at = pending.At.UtcDateTime;
        return new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = EventName(pending.Node, pending.At), NamespaceProperty = EventNamespace },
            InvolvedObject = new V1ObjectReference { Kind = pending.Kind, ApiVersion = pending.ApiVersion, Name = pending.Node, Uid = string.IsNullOrEmpty(pending.Uid) ? null : pending.Uid },
            Type = pending.Type,
            Reason = pending.Reason,
            Message = pending.Message,
            Source = new V1EventSource { Component = Component },
            ReportingComponent = Component,
            ReportingInstance = _instance,
            FirstTimestamp = at,
            LastTimestamp = at,
            Count = 1,
        };
    }

    /// <summary>client-go's naming (object name + "." + hex nanoseconds), kept within the 253-character limit.</summary>
    private static string EventName(string node, DateTimeOffset at)
    {
        var suffix = "." + (at.ToUnixTimeMilliseconds() * 1_000_000 + Random.Shared.Next(1_000_000)).ToString("x", CultureInfo.InvariantCulture);
        var room = 253 - suffix.Length;
        return (node.Length > room ? node[..room].TrimEnd('.', '-') : node) + suffix;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        // Give queued events a moment to be written, then stop.
        try
        {
            await _writer.WaitAsync(DrainTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _writer.ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event queue full: dropped {Reason} event for node {Node}")]
    private partial void LogDropped(string node, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {Reason} event for node {Node}: {Error}")]
    private partial void LogWriteFailed(string node, string reason, string error);

    private sealed record PendingEvent(string Node, string Uid, string Type, string Reason, string Message, DateTimeOffset At)
    {
        public string Kind { get; init; } = "Node";

        public string ApiVersion { get; init; } = "v1";

        /// <summary>Written as an event of its own, never folded into an earlier one of the same node and reason.</summary>
        public bool Unfolded { get; init; }
    }

    private sealed class Series(string uid, string eventName, DateTimeOffset lastWritten, int count, string message)
    {
        public string Uid { get; } = uid;

        public string EventName { get; } = eventName;

        public DateTimeOffset LastWritten { get; set; } = lastWritten;

        public int Count { get; set; } = count;

        public string Message { get; set; } = message;
    }
}
