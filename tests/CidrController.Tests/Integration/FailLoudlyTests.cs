using CidrController.ApiEmulator;

using static CidrController.Tests.Integration.InProcessController;

namespace CidrController.Tests.Integration;

/// <summary>
/// A failure the controller cannot fix by retrying ends it with one Error line; one it retries shows as a Warning, a
/// metric and the /readyz reason, and clears once the cause is gone.
/// </summary>
public sealed class FailLoudlyTests : IAsyncLifetime
{
    private const string Leases = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases";

    private KubeApiEmulator _api = null!;

    public async Task InitializeAsync() => _api = await KubeApiEmulator.StartAsync(new EmulatorOptions { BearerToken = "fail-loudly-token" });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_forbidden_lease_is_a_warning_a_metric_and_a_readyz_reason_until_RBAC_is_fixed()
    {
        var forbidden = _api.Faults.FailRequests(null, Leases, 403);
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16", leaderElection: true, identity: "replica-a"));

        await Eventually.TrueAsync(async () => (await controller.GetAsync("readyz")).Contains("forbidden", StringComparison.Ordinal), "/readyz does not say the lease is forbidden");
        Assert.StartsWith("503", await controller.GetAsync("readyz"), StringComparison.Ordinal);
        Assert.Contains(controller.Logs, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("leases", StringComparison.Ordinal));
        // The refused answer shows in /readyz as it arrives; the elector counts the failure once the call has thrown.
        await Eventually.TrueAsync(async () => await controller.MetricAsync("cidr_controller_leader_election_errors_total") > 0, "the refused lease is not counted as an election error");
        Assert.True(await controller.MetricAsync("cidr_controller_api_errors_total", "code=\"403\"") > 0);
        Assert.StartsWith("200", await controller.GetAsync("healthz"), StringComparison.Ordinal);
        Assert.Null(controller.FailureReason);

        forbidden.Dispose();
        _api.CreateNode("after-rbac-fix");
        await Eventually.TrueAsync(() => PodCidrs(_api.GetNode("after-rbac-fix")).Length > 0, "no allocation once the lease is allowed again", TimeSpan.FromSeconds(30));
        await controller.WaitReadyAsync();
    }

    [Fact]
    public async Task A_lease_namespace_that_does_not_exist_ends_the_controller_with_one_error_line()
    {
        // The real API server answers a create in a missing namespace with 404 (RealApiTests checks it there too).
        using var missing = _api.Faults.FailRequests("POST", Leases, 404);
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16", leaderElection: true, identity: "replica-a"));

        await controller.EndsWithOneErrorLineAsync("the controller stays a candidate for a lease it can never create");
        Assert.Contains("kube-system", controller.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bug_in_a_leadership_term_releases_the_lease_for_the_standby_and_ends_the_controller_with_one_error_line()
    {
        _api.CreateNode("node-1");
        // The term's "ready" log line throws: an unexpected exception inside a running term, from its own code path.
        using var bug = new ThrowingLoggerProvider("Occupied the podCIDRs");
        await using var failing = await StartAsync(Options(_api, "10.1.0.0/16", leaderElection: true, identity: "replica-a"), bug);

        await failing.EndsWithOneErrorLineAsync("the controller goes on after its term failed");
        Assert.True(bug.Thrown);
        Assert.Contains("failed unexpectedly", failing.FailureReason, StringComparison.Ordinal);
        Assert.Contains("lease was released", failing.FailureReason, StringComparison.Ordinal);
        var lease = _api.GetLease("kube-system", "cidr-controller")!["spec"]!;
        Assert.Equal("", lease["holderIdentity"]!.GetValue<string>());

        // Released (an empty holder), not left to expire: the next replica takes it at once and allocates.
        await using var standby = await StartAsync(Options(_api, "10.1.0.0/16", leaderElection: true, identity: "replica-b"));
        await Eventually.TrueAsync(() => _api.GetLease("kube-system", "cidr-controller")?["spec"]?["holderIdentity"]?.GetValue<string>() == "replica-b", "replica-b never took the lease");
        await Eventually.TrueAsync(() => PodCidrs(_api.GetNode("node-1")).Length > 0, "the standby does not allocate");
    }

    [Fact]
    public async Task Without_leader_election_a_list_of_the_wrong_shape_is_retried_and_the_nodes_still_get_cidrs()
    {
        _api.CreateNode("node-1");
        using var garbled = _api.Faults.TruncateResponses("GET", "/api/v1/nodes", count: 2);
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16"));

        await Eventually.TrueAsync(() => PodCidrs(_api.GetNode("node-1")).Length > 0, "node-1 never got a podCIDR");
        Assert.Null(controller.FailureReason);
        Assert.False(controller.HostStopping);
    }
}
