using System.Diagnostics;

using CidrController.ApiEmulator;

using static CidrController.Tests.Integration.InProcessController;

namespace CidrController.Tests.Integration;

/// <summary>Two replicas on one Lease: only the holder allocates, and a graceful stop hands over quickly.</summary>
public sealed class LeaderElectionTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;

    public async Task InitializeAsync() => _api = await KubeApiEmulator.StartAsync(new EmulatorOptions { BearerToken = "integration-test-token" });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private string? Holder() => _api.GetLease("kube-system", "cidr-controller")?["spec"]?["holderIdentity"]?.GetValue<string>();

    private IEnumerable<string?> PatchAgents() =>
        _api.Requests.Where(r => r.Method == "PATCH" && r.PathAndQuery.StartsWith("/api/v1/nodes/", StringComparison.Ordinal)).Select(r => r.UserAgent);

    [Fact]
    public async Task Only_the_lease_holder_allocates_and_a_graceful_stop_hands_over_within_seconds()
    {
        var first = await StartAsync(Options(_api, "10.1.0.0/16", leaderElection: true, identity: "replica-a"));
        await Eventually.TrueAsync(() => Holder() == "replica-a", "replica-a never took the lease");
        await using var second = await StartAsync(Options(_api, "10.1.0.0/16", leaderElection: true, identity: "replica-b"));
        for (var i = 0; i < 5; i++)
        {
            _api.CreateNode($"before-{i}");
        }

        await Eventually.TrueAsync(() => Enumerable.Range(0, 5).All(i => PodCidrs(_api.GetNode($"before-{i}")).Length > 0), "nodes not allocated");
        Assert.All(PatchAgents(), agent => Assert.Contains("replica-a", agent, StringComparison.Ordinal));

        var stopped = Stopwatch.StartNew();
        await first.DisposeAsync();
        await Eventually.TrueAsync(() => Holder() == "replica-b", "replica-b never took over", TimeSpan.FromSeconds(10));
        var takeover = stopped.Elapsed;
        _api.CreateNode("after");
        await Eventually.TrueAsync(() => PodCidrs(_api.GetNode("after")).Length > 0, "the new leader does not allocate");
        // The emulator applies a patch before it records the request: the node can show the block a moment earlier.
        await Eventually.TrueAsync(() => _api.Requests.Any(r => r.Method == "PATCH" && r.PathAndQuery.StartsWith("/api/v1/nodes/after", StringComparison.Ordinal) && r.StatusCode == 200),
            "the patch that allocated 'after' is not recorded");

        // The lease lasts 4 s in these options: a takeover well under that came from the release, not expiry.
        Assert.True(takeover < TimeSpan.FromSeconds(3), $"takeover took {takeover.TotalSeconds:F1} s");
        Assert.Contains("replica-b", PatchAgents().Last(), StringComparison.Ordinal);
        var allocated = Enumerable.Range(0, 5).Select(i => PodCidrs(_api.GetNode($"before-{i}"))[0]).Append(PodCidrs(_api.GetNode("after"))[0]);
        Assert.Equal(6, allocated.Distinct().Count());
    }

    [Fact]
    public async Task A_replica_whose_lease_is_taken_stops_allocating_within_the_renew_deadline()
    {
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16", leaderElection: true, identity: "replica-a"));
        await Eventually.TrueAsync(() => Holder() == "replica-a", "replica-a never took the lease");

        // Another holder takes the lease (as after a network partition): replica-a's renewals now fail.
        using (var http = _api.CreateHttpClient())
        {
            // replica-a renews every 500 ms, so a write can lose the optimistic-concurrency race: retry on 409.
            await Eventually.TrueAsync(async () =>
            {
                var lease = _api.GetLease("kube-system", "cidr-controller")!;
                lease["spec"]!["holderIdentity"] = "intruder";
                lease["spec"]!["leaseDurationSeconds"] = 3600;
                lease["spec"]!["renewTime"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
                using var response = await http.PutAsync(new Uri(_api.BaseAddress, "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/cidr-controller"),
                    new StringContent(lease.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
                return response.IsSuccessStatusCode;
            }, "could not take the lease away");
        }

        await Eventually.TrueAsync(async () => await controller.MetricAsync("cidr_controller_leader") == 0, "replica-a still believes it leads", TimeSpan.FromSeconds(10));
        _api.CreateNode("after-loss");
        await Task.Delay(1500);

        Assert.Empty(PodCidrs(_api.GetNode("after-loss")));
        Assert.Equal("intruder", Holder());
    }

    [Fact]
    public async Task A_stopping_leader_releases_the_lease_before_it_writes_the_last_of_its_events()
    {
        // Every Event write fails, so the recorder's queue drains slowly (a few attempts per event, with back-off):
        // it is still writing when the leader stops.
        using var failing = _api.Faults.FailRequests("POST", "/api/v1/namespaces/default/events", 500);
        var leader = await StartAsync(Options(_api, "10.1.0.0/16", leaderElection: true, identity: "replica-a"));
        await Eventually.TrueAsync(() => Holder() == "replica-a", "replica-a never took the lease");
        for (var i = 0; i < 20; i++)
        {
            _api.CreateNode($"bad-{i}", ["010.1.0.0/24"]); // leading zeros: an InvalidPodCIDR Warning each
        }

        await Eventually.TrueAsync(() => EventWrites().Any(), "no Event write was attempted");
        await leader.DisposeAsync();

        var release = _api.Requests.FirstOrDefault(r => r.Method == "PUT" && r.StatusCode == 200 && r.LeaseHolderWritten == "");
        Assert.NotNull(release);
        // Events allocate nothing: the standby must not wait for them. Written after the release, not before it.
        Assert.Contains(EventWrites(), r => r.Time > release.Time);
    }

    private IEnumerable<ApiEmulator.RequestRecord> EventWrites() =>
        _api.Requests.Where(r => r.Method == "POST" && r.PathAndQuery.StartsWith("/api/v1/namespaces/default/events", StringComparison.Ordinal));
}
