using CidrController.TestHarness;

using k8s;

namespace CidrController.RealApiTests.Allocation;

/// <summary>The cidr-controller binary, as users run it, against a real kube-apiserver (TLS, token, RBAC on).</summary>
[Collection(RealControlPlaneCollection.Name)]
public sealed class RealServerAllocationTests(RealControlPlane controlPlane) : EmptyClusterTests(controlPlane)
{
    [RealControlPlaneFact]
    public async Task Single_stack_nodes_get_consecutive_blocks_and_the_service_range_is_never_handed_out()
    {
        await Cluster.CreateNodeAsync("single-1");
        await using var controller = Cluster.StartController(
            "--cluster-cidr=10.200.0.0/22", "--node-cidr-mask-size=24", "--service-cluster-ip-range=10.200.0.0/24");
        Assert.True(await controller.WaitReadyAsync(TimeSpan.FromSeconds(60)), controller.Output);
        Assert.Equal(["10.200.1.0/24"], await Cluster.AllocatedAsync("single-1", controller));

        await Cluster.CreateNodeAsync("single-2");
        Assert.Equal(["10.200.2.0/24"], await Cluster.AllocatedAsync("single-2", controller));
        var node = await Cluster.Admin.ReadNodeAsync("single-2");
        Assert.Equal("10.200.2.0/24", node.Spec.PodCIDR);
    }

    [RealControlPlaneFact]
    public async Task Dual_stack_nodes_get_one_block_per_family_in_flag_order()
    {
        await Cluster.CreateNodeAsync("dual-1");
        await Cluster.CreateNodeAsync("dual-2");
        await using var controller = Cluster.StartController("--cluster-cidr=10.201.0.0/16,fd00:201::/56");

        var first = await Cluster.AllocatedAsync("dual-1", controller);
        var second = await Cluster.AllocatedAsync("dual-2", controller);

        string[][] expected = [["10.201.0.0/24", "fd00:201::/64"], ["10.201.1.0/24", "fd00:201:0:1::/64"]];
        Assert.Contains(first, expected);
        Assert.Contains(second, expected);
        Assert.NotEqual(first, second);
        Assert.Equal("10.201", (await Cluster.Admin.ReadNodeAsync("dual-1")).Spec.PodCIDR[..6]);
    }

    [RealControlPlaneFact]
    public async Task A_restarted_controller_adopts_the_podcidrs_it_finds_and_hands_out_only_free_blocks()
    {
        string[] flags = ["--cluster-cidr=10.202.0.0/16"];
        await Cluster.CreateNodeAsync("restart-1");
        await Cluster.CreateNodeAsync("restart-2");
        await using (var first = Cluster.StartController(flags))
        {
            await Cluster.AllocatedAsync("restart-1", first);
            await Cluster.AllocatedAsync("restart-2", first);
            Assert.Equal(0, await first.StopAsync(TimeSpan.FromSeconds(30)));
        }

        var before = (await Cluster.PodCidrsAsync("restart-1")).Concat(await Cluster.PodCidrsAsync("restart-2")).ToHashSet();
        await Cluster.CreateNodeAsync("restart-3");
        await using var second = Cluster.StartController(flags);

        Assert.Equal(["10.202.2.0/24"], await Cluster.AllocatedAsync("restart-3", second));
        Assert.Equal(["10.202.0.0/24", "10.202.1.0/24"], before.Order(StringComparer.Ordinal));
    }

    [RealControlPlaneFact]
    public async Task A_node_created_with_a_podcidr_keeps_it_and_its_block_is_never_handed_out_again()
    {
        await Cluster.CreateNodeAsync("preset-0", ["10.203.0.0/24"]);
        await Cluster.CreateNodeAsync("preset-1", ["10.203.1.0/24"]);
        await Cluster.CreateNodeAsync("preset-3", ["10.203.3.0/24"]);
        await Cluster.CreateNodeAsync("fresh");
        await using var controller = Cluster.StartController("--cluster-cidr=10.203.0.0/22");

        Assert.Equal(["10.203.2.0/24"], await Cluster.AllocatedAsync("fresh", controller));
        Assert.Equal(["10.203.0.0/24"], await Cluster.PodCidrsAsync("preset-0"));
        Assert.Equal(["10.203.3.0/24"], await Cluster.PodCidrsAsync("preset-3"));
    }

    [RealControlPlaneFact]
    public async Task A_terminating_node_held_by_a_finalizer_keeps_its_block_until_it_is_really_gone()
    {
        // Two blocks: "held" and "other" take both, so "waiting" can only get held's block once held is gone.
        await Cluster.CreateNodeAsync("held", finalizers: ["example.com/hold"]);
        await using var controller = Cluster.StartController("--cluster-cidr=10.204.0.0/23");
        var heldBlock = await Cluster.AllocatedAsync("held", controller);
        await Cluster.CreateNodeAsync("other");
        await Cluster.AllocatedAsync("other", controller);

        await Cluster.Admin.DeleteNodeAsync("held");
        Assert.NotNull((await Cluster.Admin.ReadNodeAsync("held")).Metadata.DeletionTimestamp);
        await Cluster.CreateNodeAsync("waiting");
        await RealCluster.EventuallyAsync(
            async () => (await Cluster.Admin.CoreV1.ListEventForAllNamespacesAsync()).Items.Any(e => e.InvolvedObject.Name == "waiting" && e.Reason == "CIDRNotAvailable"),
            "no CIDRNotAvailable event for the waiting node while the terminating node holds its block", controller);
        Assert.Empty(await Cluster.PodCidrsAsync("waiting"));

        await Cluster.RemoveFinalizersAsync("held");

        Assert.Equal(heldBlock, await Cluster.AllocatedAsync("waiting", controller));
    }

    [RealControlPlaneFact]
    public async Task Status_reads_the_real_servers_nodes_and_reports_usage()
    {
        await Cluster.CreateNodeAsync("status-1", ["10.205.0.0/24"]);
        await Cluster.CreateNodeAsync("status-2", ["10.205.1.0/24"]);
        await Cluster.CreateNodeAsync("status-waiting");

        await using var status = ControllerProcess.Start(
            ["status", $"--kubeconfig={Cluster.WriteKubeconfig()}", "--cluster-cidr=10.205.0.0/16", "-o", "json"],
            binary: ControllerProcess.PublishedOrBuiltBinary);

        Assert.Equal(0, await status.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("\"blocksUsed\": \"2\"", status.Output, StringComparison.Ordinal);
        Assert.Contains("status-waiting", status.Output, StringComparison.Ordinal);
    }
}
