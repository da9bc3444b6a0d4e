using CidrController.ApiEmulator;

using static CidrController.Tests.Integration.InProcessController;

namespace CidrController.Tests.Integration;

/// <summary>--cidr-reuse-delay through the API: the CIDRReleased event, and the quarantine surviving a restart.</summary>
public sealed class ReuseQuarantineIntegrationTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;

    public async Task InitializeAsync() => _api = await KubeApiEmulator.StartAsync(new EmulatorOptions { BearerToken = "quarantine-token" });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private string[] Cidrs(string node) => PodCidrs(_api.GetNode(node));

    [Fact]
    public async Task A_released_block_stays_quarantined_across_a_controller_restart()
    {
        var options = Options(_api, "10.1.0.0/24", v4Mask: 25) with { CidrReuseDelay = TimeSpan.FromHours(1) };
        await using (var first = await StartAsync(options))
        {
            _api.CreateNode("a");
            _api.CreateNode("b");
            await Eventually.TrueAsync(() => Cidrs("a").Length > 0 && Cidrs("b").Length > 0, "a and b not allocated");
            _api.DeleteNode(Cidrs("a")[0] == "10.1.0.0/25" ? "a" : "b");
            await Eventually.TrueAsync(() => _api.Events.Any(e => e["reason"]?.GetValue<string>() == "CIDRReleased"), "no CIDRReleased event");
        }

        var released = _api.Events.Single(e => e["reason"]?.GetValue<string>() == "CIDRReleased");
        Assert.Equal("10.1.0.0/25", released["metadata"]!["annotations"]!["cidr-controller.io/released-cidrs"]!.GetValue<string>());

        await using var second = await StartAsync(options);
        _api.CreateNode("c");
        await Eventually.TrueAsync(() => _api.Events.Any(e => e["reason"]?.GetValue<string>() == "CIDRNotAvailable"), "c was not held back by the quarantine");

        Assert.Empty(Cidrs("c"));
        Assert.Equal(1, await second.MetricAsync("cidr_controller_quarantined_cidrs"));
        Assert.Contains(second.Logs, l => l.Contains("Reuse quarantine rebuilt from CIDRReleased events: 1 block(s)", StringComparison.Ordinal));
    }
}
