using CidrController.ApiEmulator;
using CidrController.TestHarness;

using static CidrController.Tests.Integration.InProcessController;

namespace CidrController.Tests.Integration;

/// <summary>The API server goes away and comes back on the same address; the controller copes by itself.</summary>
public sealed class GracefulDegradationTests
{
    [Fact]
    public async Task While_the_api_server_is_down_health_stays_ok_readiness_says_so_and_it_recovers_without_a_restart()
    {
        var port = LoopbackPort.Free();
        var first = await KubeApiEmulator.StartAsync(new EmulatorOptions { Port = port, BearerToken = "token" });
        var options = Options(first, "10.1.0.0/16");
        first.CreateNode("before-1");
        first.CreateNode("before-2");
        await using var controller = await StartAsync(options);
        await Eventually.TrueAsync(() => new[] { "before-1", "before-2" }.All(n => PodCidrs(first.GetNode(n)).Length > 0), "initial nodes not allocated");
        var survivors = first.ListNodes().Select(n => (Name: n["metadata"]!["name"]!.GetValue<string>(), Cidrs: PodCidrs(n))).ToList();

        await first.DisposeAsync();
        await Eventually.TrueAsync(async () => (await controller.GetAsync("readyz")).StartsWith("503", StringComparison.Ordinal), "readiness stayed true with the API server gone");
        await Task.Delay(TimeSpan.FromSeconds(3)); // several retries while it is down
        Assert.StartsWith("200", await controller.GetAsync("healthz"), StringComparison.Ordinal);
        Assert.StartsWith("503", await controller.GetAsync("readyz"), StringComparison.Ordinal);

        // Back on the same port with its data (as an API server restarting over the same etcd), plus a new node.
        await using var second = await KubeApiEmulator.StartAsync(new EmulatorOptions { Port = port, BearerToken = "token", InitialResourceVersion = 50_000 });
        foreach (var (name, cidrs) in survivors)
        {
            second.CreateNode(name, cidrs);
        }

        second.CreateNode("after");
        await Eventually.TrueAsync(() => PodCidrs(second.GetNode("after")).Length > 0, "no allocation after the server came back", TimeSpan.FromSeconds(45));
        await controller.WaitReadyAsync();

        var all = second.ListNodes().SelectMany(PodCidrs).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(["10.1.2.0/24"], PodCidrs(second.GetNode("after")));
        Assert.Equal(3, await controller.MetricAsync("node_ipam_controller_cidrset_allocated_cidrs"));
        var retries = controller.Logs.Count(l => l.Contains("relisting in", StringComparison.Ordinal) || l.Contains("Cannot list nodes", StringComparison.Ordinal));
        Assert.True(retries >= 2, $"{retries} retry lines");
    }
}
