using CidrController.ApiEmulator;
using CidrController.TestHarness;
using CidrController.Tests.Integration;

namespace CidrController.Tests.ProcessLevel;

/// <summary>The built cidr-controller binary, started with real flags, as an operator runs it.</summary>
public sealed class ControllerProcessTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;
    private string _kubeconfig = "";

    public async Task InitializeAsync()
    {
        // HTTPS with a generated CA and a bearer token: the kubeconfig looks like a real cluster's.
        _api = await KubeApiEmulator.StartAsync(new EmulatorOptions { Https = true });
        _kubeconfig = _api.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"cidr-controller-process-{Guid.NewGuid():N}.kubeconfig"));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        File.Delete(_kubeconfig);
    }

    private string[] Cidrs(string node) => InProcessController.PodCidrs(_api.GetNode(node));

    [Fact]
    public async Task Allocates_over_tls_with_a_real_kubeconfig_and_stops_cleanly_on_sigterm_releasing_the_lease()
    {
        _api.CreateNode("worker-1");
        _api.CreateNode("worker-2", ["10.244.0.0/24"]);
        var controller = ControllerProcess.Start([
            $"--kubeconfig={_kubeconfig}", "--cluster-cidr=10.244.0.0/16,fd00:10:244::/56", "--service-cluster-ip-range=10.244.255.0/24",
            "--leader-elect-lease-duration=4s", "--leader-elect-renew-deadline=3s", "--leader-elect-retry-period=500ms", "--log-format=json"]);
        await using (controller)
        {
            Assert.True(await controller.WaitReadyAsync(TimeSpan.FromSeconds(30)), controller.Output);
            await Eventually.TrueAsync(() => Cidrs("worker-1").Length > 0, "worker-1 never got podCIDRs");
            _api.CreateNode("worker-3");
            await Eventually.TrueAsync(() => Cidrs("worker-3").Length > 0, "worker-3 never got podCIDRs");

            Assert.Equal(["10.244.1.0/24", "fd00:10:244::/64"], Cidrs("worker-1"));
            Assert.Equal(["10.244.2.0/24", "fd00:10:244:1::/64"], Cidrs("worker-3"));
            Assert.Equal(["10.244.0.0/24"], Cidrs("worker-2"));
            var metrics = await controller.GetAsync("metrics");
            Assert.Equal(1, PrometheusText.Value(metrics, "cidr_controller_cidrset_excluded_cidrs", "clusterCIDR=\"10.244.0.0/16\""));
            Assert.Equal(3, PrometheusText.Value(metrics, "node_ipam_controller_cidrset_allocated_cidrs", "clusterCIDR=\"10.244.0.0/16\""));

            var exitCode = await controller.StopAsync(TimeSpan.FromSeconds(15));

            Assert.Equal(0, exitCode);
            Assert.Equal("", _api.GetLease("kube-system", "cidr-controller")?["spec"]?["holderIdentity"]?.GetValue<string>());
            Assert.Contains("\"Node\":\"worker-1\",\"Cidrs\":\"10.244.1.0/24,fd00:10:244::/64\"", controller.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(_api.BearerToken!, controller.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task With_allocation_disabled_it_only_serves_health_and_allocates_nothing()
    {
        _api.CreateNode("worker-1");
        await using var controller = ControllerProcess.Start([$"--kubeconfig={_kubeconfig}", "--allocate-node-cidrs=false"]);

        Assert.True(await controller.WaitReadyAsync(TimeSpan.FromSeconds(30)), controller.Output);
        await Task.Delay(500);
        Assert.Empty(Cidrs("worker-1"));
        Assert.Contains("allocation is disabled", controller.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/nonexistent/kubeconfig")]
    [InlineData("/dev/null")]
    public async Task A_kubeconfig_that_does_not_exist_or_is_empty_is_one_clear_line_and_exit_1(string kubeconfig)
    {
        await using var controller = ControllerProcess.Start([$"--kubeconfig={kubeconfig}", "--cluster-cidr=10.1.0.0/16"]);

        var exitCode = await controller.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
        var lines = controller.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("cidr-controller: cannot load the Kubernetes client configuration", lines[0], StringComparison.Ordinal);
    }
}
