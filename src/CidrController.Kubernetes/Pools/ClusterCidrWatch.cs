using System.Text.Json;

using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Retry;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Pools;

/// <summary>
/// Watches ClusterCIDRs only to learn <em>that</em> something changed: every event wakes the pool loop, which lists
/// and applies them (the list stays the one source of truth, so a missed or garbled event costs nothing but time).
/// Without it a pool created just before a node joins was seen only at the next periodic pass, and the node got a
/// block from the default range for good (podCIDRs cannot change); node-ipam-controller watches them too. The
/// periodic pass stays as the safety net for a watch that breaks or stalls.
/// </summary>
internal sealed partial class ClusterCidrWatch
{
    private readonly ControllerKubernetesClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ClusterCidrWatch(ControllerKubernetesClient client, TimeProvider time, ILogger<ClusterCidrWatch> logger)
    {
        _client = client;
        _time = time;
        _logger = logger;
    }

    /// <summary>Calls <paramref name="changed"/> for every event until cancelled; rewatches with back-off when the stream ends or fails.</summary>
    public async Task RunAsync(Action changed, CancellationToken cancellationToken)
    {
        var retry = new RetryLoop("watch-clustercidrs", BackoffPolicy.NodeWatch, _time);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var events = await WatchOnceAsync(changed, cancellationToken).ConfigureAwait(false);
                if (events > 0)
                {
                    retry.Succeeded();
                    continue;
                }

                // An empty stream (no objects, server timeout): wait a little so an idle watch does not spin.
                await retry.WaitAsync(retry.Failed("the watch ended without events"), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (ApiFailure.Is(e))
            {
                var delay = retry.Failed(e.Message);
                if (retry.FailureWorthLogging)
                {
                    LogWatchFailed(e.Message, retry.Failures);
                }

                try
                {
                    await retry.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<int> WatchOnceAsync(Action changed, CancellationToken cancellationToken)
    {
        var timeoutSeconds = 240 + Random.Shared.Next(120);
        var uri = new Uri(_client.BaseUri, $"apis/{ClusterCidrPool.Group}/{ClusterCidrPool.Version}/{ClusterCidrPool.Plural}?watch=true&allowWatchBookmarks=true&timeoutSeconds={timeoutSeconds}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        var events = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            string type;
            try
            {
                type = EventType(line);
            }
            catch (JsonException e)
            {
                // The event is not needed (the pass lists), but a stream that sends garbage is not to be trusted:
                // the failure is counted, and the watch retried with back-off.
                _client.AnswerMalformed(request, e);
                throw;
            }

            if (events == 0)
            {
                _client.AnswerDecoded(request);
            }

            if (type != "BOOKMARK")
            {
                events++;
                changed();
            }
        }

        return events;
    }

    /// <summary>The type of one watch event line; a JsonException when the line is not an event.</summary>
    private static string EventType(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        return root.ValueKind == JsonValueKind.Object
            && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
            && root.TryGetProperty("object", out var obj) && obj.ValueKind == JsonValueKind.Object
                ? type.GetString()!
                : throw new JsonException("a ClusterCIDR watch line that is not an event (no string type and object)");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ClusterCIDR watch failed ({Error}), {Attempt} time(s) in a row; the periodic pool pass still runs")]
    private partial void LogWatchFailed(string error, int attempt);
}
