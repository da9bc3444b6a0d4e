using System.Net;
using System.Threading.Channels;

using CidrController.Allocation;
using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Health;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Retry;

using k8s;
using k8s.Autorest;
using k8s.Models;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Quarantine;

/// <summary>
/// The reuse quarantine kept in a ConfigMap in the controller's own namespace, which only its ServiceAccount may
/// update (the chart grants get/update on this one name). Events were the journal before: anyone who may create
/// Events in "default" (every kubelet) could forge one and quarantine the whole range, and Events expire and are
/// dropped under load.
/// <para>Writes are optimistic: each carries the resourceVersion last seen; a 409 (someone wrote since, or created
/// it first) re-reads, merges and tries again, a 404 on update creates. Recorded entries are batched: every entry
/// recorded while a write is in flight goes out with the next one. Failures are retried with
/// <see cref="BackoffPolicy.QuarantineWrite"/>, counted (cidr_controller_api_errors_total), logged as a Warning at
/// most once per <see cref="ApiCallObserver.WarningInterval"/>, and from the third failure in a row make /readyz not
/// ready with the reason; meanwhile the quarantine holds in memory, and only a restart before the write succeeds
/// loses it.</para>
/// </summary>
internal sealed partial class ConfigMapQuarantineJournal : IQuarantineJournal
{
    /// <summary>Failures in a row before /readyz says so (the first ones are usually a blip the next try fixes).</summary>
    private const int NotReadyAfterFailures = 3;

    /// <summary>Conflicts in a row before a write counts as failed (and backs off): each conflict re-reads first.</summary>
    private const int ConflictsPerAttempt = 5;

    /// <summary>How long the last write may take when the term ends (the lease release waits for it).</summary>
    private static readonly TimeSpan FinalWriteTimeout = TimeSpan.FromSeconds(5);

    private readonly IKubernetes _client;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _time;
    private readonly ControllerHealth _health;
    private readonly ControllerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IRetryObserver? _retryObserver;
    private readonly Lock _lock = new();
    private readonly List<JournalEntry> _unsaved = [];
    private readonly Channel<bool> _recorded = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // The ConfigMap as last read or written (only the writer and the term's first read touch it, never at once).
    private V1ConfigMap? _known;
    private long _lastWarning;

    public ConfigMapQuarantineJournal(IKubernetes client, string @namespace, string name, TimeSpan delay, TimeProvider time,
        ControllerHealth health, ControllerMetrics metrics, ILogger<ConfigMapQuarantineJournal> logger, IRetryObserver? retryObserver = null)
    {
        _client = client;
        Namespace = @namespace;
        Name = name;
        _delay = delay;
        _time = time;
        _health = health;
        _metrics = metrics;
        _logger = logger;
        _retryObserver = retryObserver;
    }

    public string Namespace { get; }

    public string Name { get; }

    /// <summary>Entries recorded and not yet written.</summary>
    public int Unsaved
    {
        get
        {
            lock (_lock)
            {
                return _unsaved.Count;
            }
        }
    }

    /// <summary>namespace/name, as the logs and /readyz name it.</summary>
    private string Path => $"{Namespace}/{Name}";

    private string HealthKey => $"quarantine configmap {Path}";

    public void Record(string node, IReadOnlyList<IpBlock> blocks, DateTimeOffset reusableAfter)
    {
        lock (_lock)
        {
            _unsaved.Add(new JournalEntry(node, blocks, reusableAfter));
        }

        _recorded.Writer.TryWrite(true);
    }

    /// <summary>
    /// Reads the ConfigMap, creating an empty one if there is none: a missing namespace or a missing permission
    /// shows when the term starts, not at the first release hours later. A missing namespace throws
    /// <see cref="QuarantineNamespaceMissingException"/>.
    /// </summary>
    public async Task<IReadOnlyList<QuarantineRecord>> ReadPendingAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var current = await GetAsync(cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            try
            {
                current = await CreateAsync(JournalDocument.Serialize([]), cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // Created by another writer since the read: read what it wrote.
                current = await GetAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        _known = current;
        var (pending, _) = JournalDocument.Normalize(Entries(current), now, _delay);
        return [.. pending.Select(e => e.ToRecord())];
    }

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await _recorded.Reader.ReadAsync(stop).ConfigureAwait(false);
                await SaveAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        // The term ends: what is still unwritten goes out before the lease is released, so the next leader reads it
        // at its start. Bounded, since the release waits for this. A write that lands after a new leader has read
        // is still merged (never lost), but that leader does not see it.
        using var last = new CancellationTokenSource(FinalWriteTimeout, _time);
        try
        {
            await SaveAsync(last.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (last.IsCancellationRequested)
        {
        }
        finally
        {
            _health.ClearFailing(HealthKey);
            if (Unsaved > 0)
            {
                LogUnsaved(Unsaved, Path);
            }
        }
    }

    /// <summary>Writes every unwritten entry, retrying with back-off until it succeeds or <paramref name="cancellationToken"/>.</summary>
    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        var retry = new RetryLoop("save-quarantine", BackoffPolicy.QuarantineWrite, _time, _retryObserver);
        while (true)
        {
            JournalEntry[] batch;
            lock (_lock)
            {
                batch = [.. _unsaved];
            }

            if (batch.Length == 0)
            {
                return;
            }

            try
            {
                await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                lock (_lock)
                {
                    // Entries recorded during the write were appended behind the batch: they stay for the next round.
                    _unsaved.RemoveRange(0, batch.Length);
                }

                if (retry.Failures > 0)
                {
                    LogSavedAgain(Path, retry.Failures);
                    _health.ClearFailing(HealthKey);
                }

                retry.Succeeded();
            }
            catch (Exception e) when (ApiFailure.Is(e) && !cancellationToken.IsCancellationRequested)
            {
                var reason = e is HttpOperationException http ? ApiErrorMessage.From(http) : e.Message;
                var delay = retry.Failed(reason);
                // Logged before /readyz says so: whoever reads the reason there finds the Warning already written.
                if (ShouldWarn())
                {
                    LogSaveFailed(Path, reason, retry.Failures, delay.TotalSeconds);
                }

                if (retry.Failures >= NotReadyAfterFailures)
                {
                    _health.MarkFailing(HealthKey, $"cannot write the reuse quarantine to ConfigMap {Path} ({reason}): released blocks are held in memory only");
                }

                await retry.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One optimistic write of <paramref name="batch"/> merged into what the ConfigMap holds, re-reading after each conflict.</summary>
    private async Task WriteAsync(IReadOnlyList<JournalEntry> batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = _known ?? await GetAsync(cancellationToken).ConfigureAwait(false);
            var (kept, dropped) = JournalDocument.Normalize(Entries(current).Concat(batch), _time.GetUtcNow(), _delay);
            var data = JournalDocument.Serialize(kept);
            try
            {
                _known = current is null
                    ? await CreateAsync(data, cancellationToken).ConfigureAwait(false)
                    : await ReplaceAsync(current, data, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound && attempt < ConflictsPerAttempt)
            {
                // Update 409: written since our read. Create 409: created since our read. Update 404: deleted since. Re-read, merge again.
                _known = null;
                continue;
            }

            if (dropped > 0)
            {
                _metrics.CountQuarantineEntriesDropped(dropped);
                LogDropped(dropped, Path, JournalDocument.MaxEntries, JournalDocument.MaxBytes / 1024);
            }

            return;
        }
    }

    private async Task<V1ConfigMap?> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _client.CoreV1.ReadNamespacedConfigMapAsync(Name, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task<V1ConfigMap> CreateAsync(string data, CancellationToken cancellationToken)
    {
        var created = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta
            {
                Name = Name,
                NamespaceProperty = Namespace,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "cidr-controller" },
            },
            Data = new Dictionary<string, string> { [JournalDocument.DataKey] = data },
        };
        try
        {
            return await _client.CoreV1.CreateNamespacedConfigMapAsync(created, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // A create can only be 404 when the namespace is not there.
            throw new QuarantineNamespaceMissingException(
                $"the namespace \"{Namespace}\" of the reuse quarantine's ConfigMap {Name} does not exist (--leader-elect-resource-namespace names it): create it or name an existing one", e);
        }
    }

    private async Task<V1ConfigMap> ReplaceAsync(V1ConfigMap current, string data, CancellationToken cancellationToken)
    {
        // The whole object as read, resourceVersion included: the server refuses it (409) if anyone wrote since.
        // Other data keys (someone's notes) are kept.
        current.Data = new Dictionary<string, string>(current.Data ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [JournalDocument.DataKey] = data };
        return await _client.CoreV1.ReplaceNamespacedConfigMapAsync(current, Name, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private List<JournalEntry> Entries(V1ConfigMap? configMap)
    {
        string? text = null;
        configMap?.Data?.TryGetValue(JournalDocument.DataKey, out text);
        var entries = JournalDocument.Parse(text, out var unreadable);
        if (unreadable > 0)
        {
            LogUnreadable(unreadable, Path, JournalDocument.DataKey);
        }

        return entries;
    }

    private bool ShouldWarn()
    {
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastWarning);
        if (last != 0 && _time.GetElapsedTime(last, now) < ApiCallObserver.WarningInterval)
        {
            return false;
        }

        Interlocked.Exchange(ref _lastWarning, now);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot write the reuse quarantine to ConfigMap {ConfigMap} ({Error}), attempt {Attempt}; retrying in {DelaySeconds:F1} s. Released blocks stay quarantined in memory; a restart before the write succeeds makes them reusable at once")]
    private partial void LogSaveFailed(string configMap, string error, int attempt, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote the reuse quarantine to ConfigMap {ConfigMap} after {Failures} failed attempt(s)")]
    private partial void LogSavedAgain(string configMap, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reuse quarantine ConfigMap {ConfigMap} is full ({MaxEntries} entries or {MaxKiB} KiB): dropped the {Dropped} entries that expire first; after a restart their blocks are reusable at once (cidr_controller_quarantine_entries_dropped_total)")]
    private partial void LogDropped(int dropped, string configMap, int maxEntries, int maxKiB);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Unreadable} unreadable entries in ConfigMap {ConfigMap} (key {Key}); the next write drops them")]
    private partial void LogUnreadable(int unreadable, string configMap, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The term ends with {Unsaved} reuse quarantine entries not written to ConfigMap {ConfigMap}: the next leader can reuse those blocks at once")]
    private partial void LogUnsaved(int unsaved, string configMap);
}
