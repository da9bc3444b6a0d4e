using System.Text.Json.Nodes;

using CidrController.Allocation;
using CidrController.ApiEmulator;
using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Health;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Quarantine;
using CidrController.Tests.Integration;

using Microsoft.Extensions.Time.Testing;

namespace CidrController.Tests.Quarantine;

/// <summary>
/// The reuse quarantine's ConfigMap journal against the API emulator (which refuses a stale resourceVersion with
/// 409 as the real server does): concurrent writers never lose each other's entries, the object stays bounded,
/// and failures are retried visibly. A fake clock drives expiry and back-off.
/// </summary>
public sealed class ConfigMapQuarantineJournalTests : IAsyncLifetime
{
    private const string Namespace = "kube-system";
    private const string Name = "cidr-controller-quarantine";
    private static readonly TimeSpan Delay = TimeSpan.FromHours(1);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero));
    private readonly ControllerHealth _health = new();
    private readonly ControllerMetrics _metrics = new();
    private readonly RecordingLogger<ConfigMapQuarantineJournal> _logger = new();
    private KubeApiEmulator _api = null!;
    private ControllerKubernetesClient _client = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiEmulator.StartAsync(new EmulatorOptions { BearerToken = "journal-token" });
        _client = KubernetesClientFactory.Create(InProcessController.Options(_api, "10.1.0.0/16").Api);
        _health.MarkReady();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    private ConfigMapQuarantineJournal Journal(string ns = Namespace) => new(_client, ns, Name, Delay, _clock, _health, _metrics, _logger);

    private static IpBlock[] Blocks(string cidrs) => [.. cidrs.Split(',').Select(IpBlock.Parse)];

    private List<JournalEntry> Stored()
    {
        var text = _api.GetConfigMap(Namespace, Name)?["data"]?[JournalDocument.DataKey]?.GetValue<string>();
        return JournalDocument.Parse(text, out _);
    }

    private void Store(params JournalEntry[] entries) =>
        _api.UpdateConfigMap(Namespace, Name, cm =>
        {
            cm["data"] = new JsonObject { [JournalDocument.DataKey] = JournalDocument.Serialize(entries) };
            return cm;
        });

    /// <summary>Moves the fake clock on (so back-off waits end) until <paramref name="condition"/> holds.</summary>
    private async Task AdvanceUntilAsync(Func<bool> condition, string because) =>
        await Eventually.TrueAsync(() =>
        {
            if (condition())
            {
                return true;
            }

            _clock.Advance(TimeSpan.FromSeconds(1));
            return false;
        }, because);

    [Fact]
    public async Task The_first_read_creates_an_empty_configmap_and_finds_nothing_pending()
    {
        var pending = await Journal().ReadPendingAsync(_clock.GetUtcNow(), CancellationToken.None);

        Assert.Empty(pending);
        Assert.Equal("[]", _api.GetConfigMap(Namespace, Name)!["data"]![JournalDocument.DataKey]!.GetValue<string>());
    }

    [Fact]
    public async Task A_read_returns_the_pending_entries_and_cuts_a_forged_time_down_to_the_delay()
    {
        var journal = Journal();
        await journal.ReadPendingAsync(_clock.GetUtcNow(), CancellationToken.None);
        var now = _clock.GetUtcNow();
        Store(
            new JournalEntry("gone", Blocks("10.1.0.0/24"), now + TimeSpan.FromMinutes(30)),
            new JournalEntry("expired", Blocks("10.1.1.0/24"), now - TimeSpan.FromMinutes(1)),
            new JournalEntry("forged", Blocks("10.0.0.0/8"), new DateTimeOffset(2999, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        var pending = await Journal().ReadPendingAsync(now, CancellationToken.None);

        Assert.Equal(
            [("10.1.0.0/24", now + TimeSpan.FromMinutes(30)), ("10.0.0.0/8", now + Delay)],
            pending.Select(r => (string.Join(",", r.Blocks), r.ReusableAfter)).OrderBy(r => r.ReusableAfter));
    }

    [Fact]
    public async Task A_write_that_conflicts_reads_again_and_keeps_the_other_writers_entries()
    {
        var journal = Journal();
        await journal.ReadPendingAsync(_clock.GetUtcNow(), CancellationToken.None);

        // Another writer (a previous leader's last write) lands after our read: our copy is stale now.
        var theirs = new JournalEntry("old-leaders", Blocks("10.1.7.0/24"), _clock.GetUtcNow() + TimeSpan.FromMinutes(20));
        Store(theirs);
        using var stop = new CancellationTokenSource();
        var running = journal.RunAsync(stop.Token);
        journal.Record("mine", Blocks("10.1.3.0/24"), _clock.GetUtcNow() + Delay);

        // The writer forgets its batch only after the server's answer, so the stored object can be seen a moment earlier.
        await Eventually.TrueAsync(() => Stored().Count == 2 && journal.Unsaved == 0, "the write did not land next to the other writer's entry");
        Assert.Equal(["old-leaders", "mine"], Stored().Select(e => e.Node));
        Assert.Contains(_api.Requests, r => r.Method == "PUT" && r.PathAndQuery.Contains("/configmaps/", StringComparison.Ordinal) && r.StatusCode == 409);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Expired_entries_are_pruned_on_every_write()
    {
        var journal = Journal();
        await journal.ReadPendingAsync(_clock.GetUtcNow(), CancellationToken.None);
        Store(new JournalEntry("soon", Blocks("10.1.0.0/24"), _clock.GetUtcNow() + TimeSpan.FromMinutes(1)));
        using var stop = new CancellationTokenSource();
        var running = journal.RunAsync(stop.Token);

        _clock.Advance(TimeSpan.FromMinutes(2));
        journal.Record("later", Blocks("10.1.1.0/24"), _clock.GetUtcNow() + Delay);

        await Eventually.TrueAsync(() => Stored().Select(e => e.Node).SequenceEqual(["later"]), "the expired entry is still stored");
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task Past_its_cap_the_configmap_drops_the_entries_that_expire_first_counts_them_and_stays_within_the_servers_limit()
    {
        var journal = Journal();
        await journal.ReadPendingAsync(_clock.GetUtcNow(), CancellationToken.None);
        var start = _clock.GetUtcNow();
        for (var i = 0; i < JournalDocument.MaxEntries + 5; i++)
        {
            // Long node names, so the object would pass the API server's 1 MiB limit without the cap.
            journal.Record(new string('n', 200) + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture), Blocks($"10.{i / 256}.{i % 256}.0/24"), start + TimeSpan.FromMilliseconds((i + 1) * 100));
        }

        using var stop = new CancellationTokenSource();
        var running = journal.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => journal.Unsaved == 0, "the entries were never written");

        var stored = Stored();
        Assert.InRange(stored.Count, 1, JournalDocument.MaxEntries);
        Assert.EndsWith((JournalDocument.MaxEntries + 4).ToString("D5", System.Globalization.CultureInfo.InvariantCulture), stored[^1].Node, StringComparison.Ordinal);
        Assert.Equal((double?)(JournalDocument.MaxEntries + 5 - stored.Count), await DroppedAsync());
        Assert.Contains(_logger.Warnings, w => w.Contains("is full", StringComparison.Ordinal));
        Assert.DoesNotContain(_api.Requests, r => r.PathAndQuery.Contains("/configmaps", StringComparison.Ordinal) && r.StatusCode == 422);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task A_failing_write_is_retried_with_one_warning_and_a_readiness_reason_until_it_lands()
    {
        var journal = Journal();
        await journal.ReadPendingAsync(_clock.GetUtcNow(), CancellationToken.None);
        var failing = _api.Faults.FailRequests("PUT", $"/api/v1/namespaces/{Namespace}/configmaps/", 500);
        using var stop = new CancellationTokenSource();
        var running = journal.RunAsync(stop.Token);
        journal.Record("a", Blocks("10.1.0.0/24"), _clock.GetUtcNow() + Delay);

        await AdvanceUntilAsync(() => !_health.Ready, "three failed writes did not make /readyz say so");
        Assert.Contains($"ConfigMap {Namespace}/{Name}", _health.NotReadyReason, StringComparison.Ordinal);
        Assert.Single(_logger.Warnings, w => w.Contains("Cannot write the reuse quarantine", StringComparison.Ordinal));
        Assert.Equal(1, journal.Unsaved);

        failing.Dispose();
        // Readiness comes back just after the batch is forgotten: wait for both.
        await AdvanceUntilAsync(() => journal.Unsaved == 0 && _health.Ready, "the write never landed once the API server recovered");
        Assert.Equal(["a"], Stored().Select(e => e.Node));
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task What_is_recorded_before_the_stop_is_written_before_the_writer_returns()
    {
        var journal = Journal();
        await journal.ReadPendingAsync(_clock.GetUtcNow(), CancellationToken.None);
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();
        journal.Record("last", Blocks("10.1.0.0/24"), _clock.GetUtcNow() + Delay);

        await journal.RunAsync(stop.Token);

        Assert.Equal(["last"], Stored().Select(e => e.Node));
    }

    [Fact]
    public async Task A_namespace_that_does_not_exist_is_named_in_an_exception_retrying_cannot_fix()
    {
        var failure = await Assert.ThrowsAsync<QuarantineNamespaceMissingException>(() => Journal("no-such-namespace").ReadPendingAsync(_clock.GetUtcNow(), CancellationToken.None));

        Assert.Contains("\"no-such-namespace\"", failure.Message, StringComparison.Ordinal);
    }

    private async Task<double?> DroppedAsync()
    {
        using var text = new MemoryStream();
        await _metrics.WriteAsync(text, CancellationToken.None);
        return TestHarness.PrometheusText.Value(System.Text.Encoding.UTF8.GetString(text.ToArray()), "cidr_controller_quarantine_entries_dropped_total");
    }
}
