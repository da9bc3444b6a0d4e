using CidrController.ApiEmulator;

using static CidrController.Tests.Integration.InProcessController;

namespace CidrController.Tests.Integration;

/// <summary>Bad input from the API server and in nodes: answered clearly, retried, never a crash.</summary>
public sealed class ApiBadInputTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;

    public async Task InitializeAsync() => _api = await KubeApiEmulator.StartAsync(new EmulatorOptions { BookmarkInterval = TimeSpan.FromSeconds(30), BearerToken = "bad-input-token" });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private string[] Cidrs(string node) => PodCidrs(_api.GetNode(node));

    private async Task WaitForCidrs(params string[] nodes) =>
        await Eventually.TrueAsync(() => nodes.All(n => Cidrs(n).Length > 0), $"nodes {string.Join(",", nodes)} never got podCIDRs");

    private int NodeWatches() => _api.Requests.Count(r => r.IsWatch && r.PathAndQuery.StartsWith("/api/v1/nodes", StringComparison.Ordinal));

    private IEnumerable<string> EventReasons(string node) =>
        _api.Events.Where(e => e["involvedObject"]?["name"]?.GetValue<string>() == node).Select(e => e["reason"]!.GetValue<string>());

    [Fact]
    public async Task Truncated_json_in_lists_watches_and_patch_answers_is_retried()
    {
        _api.CreateNode("n1");
        _api.Faults.TruncateResponses("GET", "/api/v1/nodes", count: 3);
        _api.Faults.TruncateResponses("PATCH", "/api/v1/nodes/", count: 1);
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16"));

        await WaitForCidrs("n1");
        _api.CreateNode("n2");
        await WaitForCidrs("n2");

        Assert.Equal(["10.1.0.0/24"], Cidrs("n1"));
        Assert.Equal(["10.1.1.0/24"], Cidrs("n2"));
        await Eventually.TrueAsync(async () => await controller.MetricAsync("node_ipam_controller_cidrset_allocated_cidrs") == 2, "in-use is not 2");
    }

    [Fact]
    public async Task Unknown_fields_from_a_newer_server_are_ignored()
    {
        _api.Faults.AddUnknownFields(null, "/api/v1/nodes");
        _api.CreateNode("n1");
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16"));

        await WaitForCidrs("n1");

        Assert.Equal(["10.1.0.0/24"], Cidrs("n1"));
    }

    [Fact]
    public async Task An_empty_watch_stream_is_followed_by_a_new_watch()
    {
        _api.Faults.EmptyWatches(count: 3);
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16"));
        await controller.WaitReadyAsync();

        await Eventually.TrueAsync(() => NodeWatches() >= 4, "the controller did not watch again after empty streams");
        _api.CreateNode("n1");
        await WaitForCidrs("n1");
    }

    [Fact]
    public async Task A_watch_that_never_sends_anything_is_noticed_and_replaced()
    {
        var silence = _api.Faults.SilenceWatches(count: 1);
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16") with { Api = Options(_api, "10.1.0.0/16").Api with { WatchIdleTimeout = TimeSpan.FromSeconds(1) } });
        await controller.WaitReadyAsync();
        await Eventually.TrueAsync(() => silence.TimesFired == 1, "the silent watch was never opened");
        _api.CreateNode("created-while-the-watch-is-silent");

        await WaitForCidrs("created-while-the-watch-is-silent");

        Assert.Contains(controller.Logs, l => l.Contains("silent", StringComparison.Ordinal));
        Assert.True(NodeWatches() >= 2);
    }

    [Fact]
    public async Task A_forbidden_patch_names_the_missing_permission_and_is_retried_without_a_crash()
    {
        var forbidden = _api.Faults.FailRequests("PATCH", "/api/v1/nodes/", 403);
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16"));
        _api.CreateNode("n1");

        // /readyz names the refusal last (after the count and the Warning): wait for it, then the others are there.
        await Eventually.TrueAsync(async () => (await controller.GetAsync("readyz")).Contains("may not patch nodes", StringComparison.Ordinal),
            "/readyz does not name the missing permission");
        Assert.Contains(controller.Logs, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("may not patch nodes", StringComparison.Ordinal));
        Assert.True(await controller.MetricAsync("cidr_controller_api_errors_total", "verb=\"patch\",resource=\"nodes\",code=\"403\"") > 0);
        Assert.DoesNotContain(controller.Logs, l => l.StartsWith("Error", StringComparison.Ordinal));
        Assert.StartsWith("200", await controller.GetAsync("healthz"), StringComparison.Ordinal);
        forbidden.Dispose();

        await WaitForCidrs("n1");
        Assert.Equal(["10.1.0.0/24"], Cidrs("n1"));
        await controller.WaitReadyAsync();
    }

    [Fact]
    public async Task Bad_node_cidrs_long_names_and_huge_labels_are_reported_or_served_and_nothing_stops()
    {
        var longName = string.Join('.', Enumerable.Repeat(new string('a', 62), 4)) + ".b"; // 253 characters
        var labels = Enumerable.Range(0, 60).ToDictionary(i => $"example.com/label-{i}", _ => new string('v', 63));
        _api.CreateNode("wrong-family", ["fd00::/64"]);
        _api.CreateNode("leading-zeros", ["010.1.0.0/24"]);
        _api.CreateNode("ipv4-mapped", ["::ffff:10.1.0.0/120"]);
        _api.CreateNode("host-bits", ["10.1.0.7/24"]);
        _api.CreateNode(longName);
        _api.CreateNode("huge-labels", labels: labels);
        await using var controller = await StartAsync(Options(_api, "10.1.0.0/16"));

        await WaitForCidrs(longName, "huge-labels");

        Assert.Equal(253, longName.Length);
        Assert.Equal(["10.1.1.0/24", "10.1.2.0/24"], new[] { longName, "huge-labels" }.SelectMany(Cidrs).Order().ToArray());
        await Eventually.TrueAsync(() => EventReasons("wrong-family").Contains("PodCIDROutOfRange"), "no PodCIDROutOfRange for the wrong family");
        await Eventually.TrueAsync(() => EventReasons("leading-zeros").Contains("InvalidPodCIDR"), "no InvalidPodCIDR for leading zeros");
        await Eventually.TrueAsync(() => EventReasons("ipv4-mapped").Contains("InvalidPodCIDR"), "no InvalidPodCIDR for an IPv4-mapped address");
        Assert.Empty(EventReasons("host-bits"));
        Assert.Equal(["10.1.0.7/24"], Cidrs("host-bits"));
        Assert.Equal(3, await controller.MetricAsync("node_ipam_controller_cidrset_allocated_cidrs"));
    }
}
