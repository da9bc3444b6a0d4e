using CidrController.ApiEmulator;
using CidrController.ApiEmulator.Faults;
using CidrController.TestHarness;
using CidrController.Tests.Integration;

namespace CidrController.Tests.ProcessLevel;

/// <summary>
/// Answers that arrive but do not decode, from the emulator's fault injection, against the real binary: each is an
/// API failure (<c>cidr_controller_api_errors_total{code="malformed"}</c>), a rate-limited Warning and the /readyz
/// reason while it lasts, retried with back-off — never a crash — and nodes get their CIDRs once it stops.
/// </summary>
public sealed class MalformedAnswerProcessTests : IAsyncLifetime
{
    private const string Nodes = "/api/v1/nodes";
    private const string Leases = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases";
    private const string ClusterCidrs = "/apis/networking.x-k8s.io/v1/clustercidrs";

    private KubeApiEmulator _api = null!;
    private string _kubeconfig = "";

    public async Task InitializeAsync()
    {
        _api = await KubeApiEmulator.StartAsync(new EmulatorOptions { BearerToken = "malformed-token", BookmarkInterval = TimeSpan.FromSeconds(1) });
        _kubeconfig = _api.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"cidr-controller-malformed-{Guid.NewGuid():N}.kubeconfig"));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        File.Delete(_kubeconfig);
    }

    [Fact]
    public async Task A_node_or_pool_list_of_the_wrong_type_is_counted_warned_and_not_ready_until_it_decodes()
    {
        _api.CreateNode("listed");
        var nodes = _api.Faults.MalformResponses("GET", Nodes, MalformedBody.WrongType);
        var pools = _api.Faults.MalformResponses("GET", ClusterCidrs, MalformedBody.Garbage);
        await using var controller = Start("--leader-elect=false");

        await Eventually.TrueAsync(async () => (await ReadyzAsync(controller)).Contains("malformed answers to list nodes", StringComparison.Ordinal),
            $"/readyz does not name the malformed node list\n{controller.Output}");
        Assert.StartsWith("503", await ReadyzAsync(controller), StringComparison.Ordinal);
        await Eventually.TrueAsync(async () => await MetricAsync(controller, "verb=\"list\",resource=\"clustercidrs\",code=\"malformed\"") > 0,
            $"the garbled ClusterCIDR list is not counted\n{controller.Output}");
        Assert.True(await MetricAsync(controller, "verb=\"list\",resource=\"nodes\",code=\"malformed\"") > 0);
        // Written before /readyz says so, but read from the child's output pipe, which can lag.
        await Eventually.TrueAsync(() => WarningLines(controller).Any(l => l.Contains("API answer not understood", StringComparison.Ordinal) && l.Contains("list nodes", StringComparison.Ordinal)),
            $"no Warning for the malformed node list\n{controller.Output}");
        Assert.Empty(Cidrs("listed"));

        nodes.Dispose();
        pools.Dispose();
        await Eventually.TrueAsync(() => Cidrs("listed").Length > 0, $"no podCIDR once the list decodes again\n{controller.Output}", TimeSpan.FromSeconds(40));
        Assert.True(await controller.WaitReadyAsync(TimeSpan.FromSeconds(40)), controller.Output);
        AssertNoErrorAndRunning(controller);
    }

    [Fact]
    public async Task A_node_watch_that_sends_garbage_is_retried_with_backoff_and_new_nodes_still_get_cidrs_by_relisting()
    {
        await using var controller = Start("--leader-elect=false");
        Assert.True(await controller.WaitReadyAsync(TimeSpan.FromSeconds(30)), controller.Output);

        var garbage = _api.Faults.Add(new FaultRule { Method = "GET", PathPrefix = Nodes, Watch = WatchMatch.WatchOnly, Action = FaultAction.MalformBody(MalformedBody.Garbage) });
        _api.Faults.DropWatches();
        await Eventually.TrueAsync(async () => await MetricAsync(controller, "verb=\"watch\",resource=\"nodes\",code=\"malformed\"") >= 2,
            $"garbled watch events are not counted\n{controller.Output}");
        _api.CreateNode("during-garbage");
        await Eventually.TrueAsync(() => Cidrs("during-garbage").Length > 0,
            $"a node created while every watch sends garbage is not picked up by the relists\n{controller.Output}", TimeSpan.FromSeconds(40));
        // Written before the count it follows, but read from the child's output pipe, which can lag.
        await Eventually.TrueAsync(() => WarningLines(controller).Any(l => l.Contains("API answer not understood", StringComparison.Ordinal) && l.Contains("watch nodes", StringComparison.Ordinal)),
            $"no Warning for the garbled node watch\n{controller.Output}");
        // Without back-off every relist would start the next broken watch at once: hundreds in these seconds.
        var watches = garbage.TimesFired;
        Assert.True(watches < 12, $"{watches} watches while every one sent garbage: the back-off does not grow\n{controller.Output}");

        garbage.Dispose();
        _api.CreateNode("after-garbage");
        await Eventually.TrueAsync(() => Cidrs("after-garbage").Length > 0, $"no podCIDR once the watch is sound again\n{controller.Output}", TimeSpan.FromSeconds(40));
        Assert.True(await controller.WaitReadyAsync(TimeSpan.FromSeconds(40)), controller.Output);
        AssertNoErrorAndRunning(controller);
    }

    [Fact]
    public async Task A_lease_of_the_wrong_type_is_an_election_failure_while_checking_and_while_leading_never_a_crash()
    {
        _api.CreateNode("first");
        var atStart = _api.Faults.MalformResponses("GET", Leases, MalformedBody.WrongType);
        await using var controller = Start("--leader-elect-lease-duration=3s", "--leader-elect-renew-deadline=2s", "--leader-elect-retry-period=500ms");

        await Eventually.TrueAsync(async () => (await ReadyzAsync(controller)).Contains("malformed answers to get leases", StringComparison.Ordinal),
            $"/readyz does not name the malformed Lease\n{controller.Output}");
        Assert.True(await MetricAsync(controller, "verb=\"get\",resource=\"leases\",code=\"malformed\"") > 0);
        // The malformed answer shows in /readyz as it arrives; the elector counts the failure once the call has thrown.
        await Eventually.TrueAsync(async () => await MetricAsync(controller, "cidr_controller_leader_election_errors_total", null) > 0,
            $"the malformed Lease is not counted as an election error\n{controller.Output}");
        atStart.Dispose();
        await Eventually.TrueAsync(() => Cidrs("first").Length > 0, $"no allocation once the Lease decodes\n{controller.Output}", TimeSpan.FromSeconds(30));

        // While leading: every renewal reads garbage, so the leader must stop (it cannot know it still holds the
        // Lease) and keep trying as a candidate, through KubernetesClient's elector, which expects only HTTP errors.
        var whileLeading = _api.Faults.MalformResponses("GET", Leases, MalformedBody.WrongType);
        await Eventually.TrueAsync(() => controller.Output.Contains("lost the lease", StringComparison.Ordinal), $"the leader kept leading on unreadable Leases\n{controller.Output}");
        await Task.Delay(TimeSpan.FromSeconds(2)); // several more failed attempts as a candidate
        Assert.False(controller.HasExited, controller.Output);
        whileLeading.Dispose();
        _api.CreateNode("second");
        await Eventually.TrueAsync(() => Cidrs("second").Length > 0, $"no allocation after leading again\n{controller.Output}", TimeSpan.FromSeconds(30));
        Assert.Contains(WarningLines(controller), l => l.Contains("Leader election failing", StringComparison.Ordinal));
        AssertNoErrorAndRunning(controller);
    }

    private string[] Cidrs(string node) => InProcessController.PodCidrs(_api.GetNode(node));

    private ControllerProcess Start(params string[] flags) =>
        ControllerProcess.Start([$"--kubeconfig={_kubeconfig}", "--cluster-cidr=10.40.0.0/16", "--cluster-cidr-pool-sync-period=1s", .. flags]);

    private static IEnumerable<string> WarningLines(ControllerProcess controller) =>
        controller.Output.Split('\n').Where(l => l.Contains(" WRN ", StringComparison.Ordinal));

    private static void AssertNoErrorAndRunning(ControllerProcess controller)
    {
        Assert.False(controller.HasExited, controller.Output);
        Assert.DoesNotContain(controller.Output.Split('\n'), l => l.Contains(" ERR ", StringComparison.Ordinal) || l.Contains(" FTL ", StringComparison.Ordinal));
    }

    /// <summary>"STATUS body" of /readyz (a 503 is an answer here, not an exception).</summary>
    private static async Task<string> ReadyzAsync(ControllerProcess controller)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync(new Uri(controller.HealthAddress, "readyz"));
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    private static async Task<double?> MetricAsync(ControllerProcess controller, string apiErrorLabels) =>
        await MetricAsync(controller, "cidr_controller_api_errors_total", apiErrorLabels);

    private static async Task<double?> MetricAsync(ControllerProcess controller, string metric, string? label) =>
        PrometheusText.Value(await controller.GetAsync("metrics"), metric, label);
}
