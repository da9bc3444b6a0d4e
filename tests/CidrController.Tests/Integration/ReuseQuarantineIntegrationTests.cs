using CidrController.ApiEmulator;
using CidrController.Kubernetes.Quarantine;

using static CidrController.Tests.Integration.InProcessController;

namespace CidrController.Tests.Integration;

/// <summary>
/// --cidr-reuse-delay through the API: the quarantine kept in the controller's ConfigMap survives a restart, a
/// forged CIDRReleased Event changes nothing, and without a delay no ConfigMap is touched.
/// </summary>
public sealed class ReuseQuarantineIntegrationTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;

    public async Task InitializeAsync() => _api = await KubeApiEmulator.StartAsync(new EmulatorOptions { BearerToken = "quarantine-token" });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private string[] Cidrs(string node) => PodCidrs(_api.GetNode(node));

    private List<JournalEntry> Journal(string ns = "kube-system", string name = "cidr-controller-quarantine") =>
        JournalDocument.Parse(_api.GetConfigMap(ns, name)?["data"]?[JournalDocument.DataKey]?.GetValue<string>(), out _);

    [Fact]
    public async Task A_released_block_stays_quarantined_across_a_controller_restart()
    {
        var options = Options(_api, "10.1.0.0/24", v4Mask: 25) with { CidrReuseDelay = TimeSpan.FromHours(1) };
        string gone;
        await using (var first = await StartAsync(options))
        {
            _api.CreateNode("a");
            _api.CreateNode("b");
            await Eventually.TrueAsync(() => Cidrs("a").Length > 0 && Cidrs("b").Length > 0, "a and b not allocated");
            gone = Cidrs("a")[0] == "10.1.0.0/25" ? "a" : "b";
            _api.DeleteNode(gone);
            await Eventually.TrueAsync(() => Journal().Count == 1, "the release never reached the quarantine's ConfigMap");
            await Eventually.TrueAsync(() => _api.Events.Any(e => e["reason"]?.GetValue<string>() == "CIDRReleased"), "no CIDRReleased event for humans");
        }

        var entry = Assert.Single(Journal());
        Assert.Equal((gone, "10.1.0.0/25"), (entry.Node, string.Join(",", entry.Blocks)));
        var released = _api.Events.Single(e => e["reason"]?.GetValue<string>() == "CIDRReleased");
        Assert.Contains("Released 10.1.0.0/25", released["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(released["metadata"]!["annotations"]);

        await using var second = await StartAsync(options);
        _api.CreateNode("c");
        await Eventually.TrueAsync(() => _api.Events.Any(e => e["reason"]?.GetValue<string>() == "CIDRNotAvailable"), "c was not held back by the quarantine");

        Assert.Empty(Cidrs("c"));
        Assert.Equal(1, await second.MetricAsync("cidr_controller_quarantined_cidrs"));
        Assert.Contains(second.Logs, l => l.Contains("Reuse quarantine read from ConfigMap kube-system/cidr-controller-quarantine: 1 block(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_forged_CIDRReleased_event_claiming_the_whole_range_changes_nothing()
    {
        // What any principal that may create Events in "default" (every kubelet) could write, in the shape the
        // controller once read back: the whole range quarantined until 2999.
        using (var http = _api.CreateHttpClient())
        {
            using var forged = new StringContent("""
                {"apiVersion":"v1","kind":"Event","metadata":{"name":"forged.1","namespace":"default",
                 "annotations":{"cidr-controller.io/released-cidrs":"10.1.0.0/24","cidr-controller.io/reusable-after":"2999-01-01T00:00:00.000Z"}},
                 "involvedObject":{"kind":"Node","name":"forged","apiVersion":"v1"},"reason":"CIDRReleased","message":"Released 10.1.0.0/24","type":"Normal",
                 "source":{"component":"cidr-controller"}}
                """, System.Text.Encoding.UTF8, "application/json");
            (await http.PostAsync(new Uri("/api/v1/namespaces/default/events", UriKind.Relative), forged)).EnsureSuccessStatusCode();
        }

        var options = Options(_api, "10.1.0.0/24", v4Mask: 25) with { CidrReuseDelay = TimeSpan.FromHours(1) };
        await using var controller = await StartAsync(options);
        _api.CreateNode("a");
        _api.CreateNode("b");

        await Eventually.TrueAsync(() => Cidrs("a").Length > 0 && Cidrs("b").Length > 0, "the forged event held the range back");
        Assert.Equal(0, await controller.MetricAsync("cidr_controller_quarantined_cidrs"));
        Assert.Contains(controller.Logs, l => l.Contains("Reuse quarantine read from ConfigMap kube-system/cidr-controller-quarantine: 0 block(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_configmap_is_named_after_the_lease_and_lives_in_its_namespace()
    {
        var options = Options(_api, "10.1.0.0/24", v4Mask: 25) with { CidrReuseDelay = TimeSpan.FromHours(1) };
        options = options with { LeaderElection = options.LeaderElection with { ResourceName = "ipam", ResourceNamespace = "kube-public" } };
        await using var controller = await StartAsync(options);
        _api.CreateNode("a");
        await Eventually.TrueAsync(() => Cidrs("a").Length > 0, "a not allocated");
        _api.DeleteNode("a");

        await Eventually.TrueAsync(() => Journal("kube-public", "ipam-quarantine").Count == 1, "the release is not in kube-public/ipam-quarantine");
        Assert.Null(_api.GetConfigMap("kube-system", "cidr-controller-quarantine"));
    }

    [Fact]
    public async Task Without_a_delay_no_configmap_is_ever_touched()
    {
        await using (var controller = await StartAsync(Options(_api, "10.1.0.0/24", v4Mask: 25)))
        {
            // Two blocks, both taken: c can only get the block of whichever node is deleted.
            _api.CreateNode("a");
            _api.CreateNode("b");
            await Eventually.TrueAsync(() => Cidrs("a").Length > 0 && Cidrs("b").Length > 0, "a and b not allocated");
            var freed = Cidrs("a");
            _api.DeleteNode("a");
            _api.CreateNode("c");
            await Eventually.TrueAsync(() => Cidrs("c").SequenceEqual(freed), "a's block was not reused at once");
        }

        Assert.DoesNotContain(_api.Requests, r => r.PathAndQuery.Contains("configmaps", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_quarantine_namespace_that_does_not_exist_ends_the_process_with_one_error_naming_it()
    {
        var options = Options(_api, "10.1.0.0/24", v4Mask: 25) with { CidrReuseDelay = TimeSpan.FromHours(1) };
        options = options with { LeaderElection = options.LeaderElection with { ResourceNamespace = "no-such-namespace" } };
        await using var controller = await StartAsync(options);

        await controller.EndsWithOneErrorLineAsync("the controller kept running without a place for its quarantine");
        Assert.Contains("\"no-such-namespace\"", controller.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_journal_that_cannot_be_read_holds_allocation_back_and_says_why_until_it_can()
    {
        using var refused = _api.Faults.FailRequests("GET", "/api/v1/namespaces/kube-system/configmaps/", 403);
        var options = Options(_api, "10.1.0.0/24", v4Mask: 25) with { CidrReuseDelay = TimeSpan.FromHours(1) };
        await using var controller = await StartAsync(options);
        _api.CreateNode("a");

        await Eventually.TrueAsync(async () => (await controller.GetAsync("readyz")).Contains("cannot read the reuse quarantine", StringComparison.Ordinal), "/readyz does not say why nothing is allocated");
        Assert.Empty(Cidrs("a"));
        Assert.Contains(controller.Logs, l => l.StartsWith("Warning: Cannot read the reuse quarantine", StringComparison.Ordinal));

        refused.Dispose();
        await Eventually.TrueAsync(() => Cidrs("a").Length > 0, "a was not allocated once the quarantine could be read");
    }
}
