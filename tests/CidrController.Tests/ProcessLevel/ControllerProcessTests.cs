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
            AssertKlogJsonLines(controller.Output);
        }
    }

    /// <summary>--log-format=json: every line one object with klog's keys and a level, the allocation line at info/v 2.</summary>
    private static void AssertKlogJsonLines(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        var levels = new HashSet<string>();
        foreach (var line in lines)
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            var root = json.RootElement;
            Assert.True(root.GetProperty("ts").GetDouble() > 1.7e9, line);
            levels.Add(root.GetProperty("level").GetString()!);
            Assert.False(string.IsNullOrEmpty(root.GetProperty("logger").GetString()), line);
            Assert.False(string.IsNullOrEmpty(root.GetProperty("msg").GetString()), line);
        }

        using var allocation = System.Text.Json.JsonDocument.Parse(lines.First(l => l.Contains("\"Node\":\"worker-1\",\"Cidrs\"", StringComparison.Ordinal)));
        Assert.Equal("info", allocation.RootElement.GetProperty("level").GetString());
        Assert.Equal(2, allocation.RootElement.GetProperty("v").GetInt32());
        Assert.Contains("worker-1", allocation.RootElement.GetProperty("msg").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"worker-1\"", allocation.RootElement.GetProperty("msg").GetString(), StringComparison.Ordinal); // rendered as the text format does
        Assert.Contains("info", levels);
    }

    [Fact]
    public async Task With_allocation_disabled_it_only_serves_health_and_allocates_nothing()
    {
        _api.CreateNode("worker-1");
        await using var controller = ControllerProcess.Start([$"--kubeconfig={_kubeconfig}", "--allocate-node-cidrs=false"]);

        Assert.True(await controller.WaitReadyAsync(TimeSpan.FromSeconds(30)), controller.Output);
        // Logged before /readyz turns ready, but read from the child's output pipe, which can lag.
        await Eventually.TrueAsync(() => controller.Output.Contains("allocation is disabled", StringComparison.Ordinal), $"allocation is not said to be disabled\n{controller.Output}");
        await Task.Delay(500); // time in which an allocating controller would patch the node it listed at start
        Assert.Empty(Cidrs("worker-1"));
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
