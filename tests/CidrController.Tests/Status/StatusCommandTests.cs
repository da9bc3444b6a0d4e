using System.Text.Json;

using CidrController.ApiEmulator;
using CidrController.Status;
using CidrController.TestHarness;

namespace CidrController.Tests.Status;

/// <summary><c>cidr-controller status</c> against the emulator: what an operator reads about the pool.</summary>
public sealed class StatusCommandTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;
    private string _kubeconfig = "";

    public async Task InitializeAsync()
    {
        _api = await KubeApiEmulator.StartAsync(new EmulatorOptions { Https = true });
        _kubeconfig = _api.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"cidr-controller-status-{Guid.NewGuid():N}.kubeconfig"));
        _api.CreateNode("a", ["10.1.0.0/24"]);
        _api.CreateNode("b", ["10.1.1.0/24", "fd00:1::/64"]);
        _api.CreateNode("c");
        _api.CreateNode("d", ["192.168.0.0/24"]);
        _api.CreateNode("e", ["10.1.0.0/23"]);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        File.Delete(_kubeconfig);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> Status(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await StatusCommand.RunAsync([$"--kubeconfig={_kubeconfig}", .. args], stdout, stderr, _ => null, CancellationToken.None);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Text_shows_each_ranges_usage_the_waiting_nodes_and_the_bad_podcidrs()
    {
        var (exitCode, stdout, stderr) = await Status("--cluster-cidr=10.1.0.0/16,fd00:1::/48", "--service-cluster-ip-range=10.1.255.0/24");

        Assert.Equal(0, exitCode);
        Assert.Equal("", stderr);
        var lines = stdout.Split('\n');
        var v4 = Assert.Single(lines, l => l.StartsWith("default      10.1.0.0/16", StringComparison.Ordinal));
        Assert.Equal(["default", "10.1.0.0/16", "/24", "256", "1", "2", "253", "[#...................]", "1.2%"], v4.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var v6 = Assert.Single(lines, l => l.StartsWith("default      fd00:1::/48", StringComparison.Ordinal));
        Assert.Equal(["default", "fd00:1::/48", "/64", "65536", "0", "1", "65535"], v6.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..7]);
        Assert.Contains("Nodes: 5; without a podCIDR: 1; with a bad podCIDR: 3", stdout, StringComparison.Ordinal);
        Assert.Contains("Waiting for a block: c", stdout, StringComparison.Ordinal);
        Assert.Contains("PodCIDROutOfRange: node d podCIDR 192.168.0.0/24", stdout, StringComparison.Ordinal);
        Assert.Contains("PodCIDROverlap: node e podCIDR 10.1.0.0/23", stdout, StringComparison.Ordinal);
        Assert.Contains("PodCIDROversized: node e podCIDR 10.1.0.0/23", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_has_exact_counts_as_strings_and_every_problem()
    {
        var (exitCode, stdout, _) = await Status("--output", "json", "--cluster-cidr=10.1.0.0/16,fd00::/48", "--node-cidr-mask-size-ipv6=112");

        Assert.Equal(0, exitCode);
        using var doc = JsonDocument.Parse(stdout);
        var ranges = doc.RootElement.GetProperty("ranges");
        Assert.Equal("10.1.0.0/16", ranges[0].GetProperty("clusterCIDR").GetString());
        Assert.Equal("2", ranges[0].GetProperty("blocksUsed").GetString());
        Assert.Equal("18446744073709551616", ranges[1].GetProperty("blocksTotal").GetString());
        Assert.Equal(["c"], doc.RootElement.GetProperty("nodesWithoutPodCIDR").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(
            ["b PodCIDROutOfRange fd00:1::/64", "d PodCIDROutOfRange 192.168.0.0/24", "e PodCIDROverlap 10.1.0.0/23", "e PodCIDROversized 10.1.0.0/23"],
            doc.RootElement.GetProperty("nodesWithBadPodCIDRs").EnumerateArray().Select(e => $"{e.GetProperty("node").GetString()} {e.GetProperty("reason").GetString()} {e.GetProperty("podCIDR").GetString()}"));
    }

    [Fact]
    public async Task Pools_are_listed_with_their_nodes_and_left_untouched()
    {
        _api.CreateClusterCidr("gpu", perNodeHostBits: 8, ipv4: "10.9.0.0/16");
        _api.CreateNode("g", ["10.9.3.0/24"]);

        var (exitCode, stdout, _) = await Status("--output=json", "--cluster-cidr=10.1.0.0/16,fd00:1::/48");

        Assert.Equal(0, exitCode);
        using var doc = JsonDocument.Parse(stdout);
        var gpu = doc.RootElement.GetProperty("ranges").EnumerateArray().Single(r => r.GetProperty("pool").GetString() == "gpu");
        Assert.Equal("10.9.0.0/16", gpu.GetProperty("clusterCIDR").GetString());
        Assert.Equal("1", gpu.GetProperty("blocksUsed").GetString());
        Assert.Null(_api.GetClusterCidr("gpu")!["metadata"]!["finalizers"]);
    }

    [Theory]
    [InlineData(new[] { "--output=yaml", "--cluster-cidr=10.1.0.0/16" }, "cidr-controller status: invalid value \"yaml\" for flag --output: must be text or json")]
    [InlineData(new[] { "--cluster-cidr=10.1.0.0/33" }, "cidr-controller status: invalid value \"10.1.0.0/33\" for flag --cluster-cidr")]
    public async Task Bad_flags_are_one_line_and_exit_2(string[] args, string expected)
    {
        var (exitCode, stdout, stderr) = await Status(args);

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.StartsWith(expected, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_built_binary_prints_the_report_and_an_unreachable_server_is_one_line()
    {
        await using (var process = ControllerProcess.Start(["status", $"--kubeconfig={_kubeconfig}", "--cluster-cidr=10.1.0.0/16", "-o", "json"]))
        {
            Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("\"blocksUsed\": \"2\"", process.Output, StringComparison.Ordinal);
        }

        await using var unreachable = ControllerProcess.Start(["status", "--master=http://127.0.0.1:1", "--cluster-cidr=10.1.0.0/16"]);
        Assert.Equal(1, await unreachable.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.StartsWith("cidr-controller status: cannot read nodes:", Assert.Single(unreachable.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }
}
