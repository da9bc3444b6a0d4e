using CidrController.ApiEmulator;
using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Events;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CidrController.Tests.Integration;

/// <summary>The event recorder against the API emulator: repeats aggregated, a refused write retried on the injected clock.</summary>
public sealed class NodeEventRecorderTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private KubeApiEmulator _api = null!;
    private NodeEventRecorder _recorder = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiEmulator.StartAsync(new EmulatorOptions { BearerToken = "events-token" });
        var client = KubernetesClientFactory.Create(InProcessController.Options(_api, "10.1.0.0/16").Api);
        _recorder = new NodeEventRecorder(client, "test", _clock, TimeSpan.FromMinutes(1), NullLogger<NodeEventRecorder>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _recorder.DisposeAsync();
        await _api.DisposeAsync();
    }

    private int? Count(string node, string reason) =>
        _api.Events.SingleOrDefault(e => e["involvedObject"]?["name"]?.GetValue<string>() == node && e["reason"]?.GetValue<string>() == reason)?["count"]?.GetValue<int>();

    /// <summary>Events are written in order by one writer: once a later one is in, every earlier one was handled.</summary>
    private async Task FlushAsync(string marker)
    {
        _recorder.Normal(marker, "", "Marker", "flush");
        await Eventually.TrueAsync(() => Count(marker, "Marker") is not null, "the recorder never caught up");
    }

    [Fact]
    public async Task Repeats_within_the_interval_only_count_and_the_next_one_after_it_writes_the_total()
    {
        _recorder.Warning("n", "uid-n", "CIDRNotAvailable", "first");
        _recorder.Warning("n", "uid-n", "CIDRNotAvailable", "second");
        _recorder.Warning("n", "uid-n", "CIDRNotAvailable", "third");
        await FlushAsync("marker-1");
        Assert.Equal(1, Count("n", "CIDRNotAvailable"));

        _clock.Advance(TimeSpan.FromMinutes(1));
        _recorder.Warning("n", "uid-n", "CIDRNotAvailable", "fourth");
        await Eventually.TrueAsync(() => Count("n", "CIDRNotAvailable") == 4, "the repeat after the interval did not write the count");
        Assert.Single(_api.Events, e => e["reason"]?.GetValue<string>() == "CIDRNotAvailable");
    }

    [Fact]
    public async Task A_refused_write_is_retried_after_the_back_off_on_the_injected_clock()
    {
        _api.Faults.FailRequests("POST", "/api/v1/namespaces/default/events", 500, count: 2);
        _recorder.Warning("n", "uid-n", "InvalidPodCIDR", "bad");

        // Nothing is written until the clock moves past both back-offs (200 ms, then 400 ms, ±20 %).
        await Eventually.TrueAsync(() => _api.Requests.Count(r => r.Method == "POST" && r.StatusCode == 500) == 1, "the first write was not refused");
        Assert.Null(Count("n", "InvalidPodCIDR"));
        await Eventually.TrueAsync(() =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(50));
            return Count("n", "InvalidPodCIDR") == 1;
        }, "the event was not written after its retries");
        Assert.Equal(2, _api.Requests.Count(r => r.Method == "POST" && r.StatusCode == 500));
    }
}
