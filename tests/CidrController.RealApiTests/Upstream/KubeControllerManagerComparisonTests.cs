using CidrController.TestHarness;

using k8s;

namespace CidrController.RealApiTests.Upstream;

/// <summary>
/// The same create / delete / wrap-around scenario run by kube-controller-manager's range allocator and by
/// cidr-controller on the same real server: the blocks handed out, in order, must be the same.
/// </summary>
[Collection(RealControlPlaneCollection.Name)]
public sealed class KubeControllerManagerComparisonTests(RealControlPlane controlPlane) : IDisposable
{
    private const string ClusterCidr = "10.208.0.0/22"; // four /24 blocks: the scenario wraps around
    private readonly RealCluster _cluster = new(controlPlane);

    public void Dispose() => _cluster.Dispose();

    [KubeControllerManagerFact]
    public async Task Create_delete_and_wrap_around_hand_out_the_same_blocks_as_kube_controller_manager()
    {
        await _cluster.ResetNodesAsync();
        var upstream = await RunWithKubeControllerManagerAsync(controlPlane.Binaries.ControllerManager!);
        await _cluster.ResetNodesAsync();
        List<string> ours;
        await using (var controller = _cluster.StartController($"--cluster-cidr={ClusterCidr}", "--node-cidr-mask-size=24",
            $"--service-cluster-ip-range={RealControlPlane.ServiceClusterIpRange}"))
        {
            ours = await ScenarioAsync(controller);
        }

        Assert.Equal(["kcm-1=10.208.0.0/24", "kcm-2=10.208.1.0/24", "kcm-3=10.208.2.0/24", "kcm-4=10.208.3.0/24", "kcm-5=10.208.1.0/24"], upstream);
        Assert.Equal(upstream, ours);
    }

    /// <summary>Three nodes, the second deleted, then two more: the fourth takes the last block, the fifth wraps to the freed one.</summary>
    private async Task<List<string>> ScenarioAsync(ControllerProcess? controller)
    {
        var sequence = new List<string>();
        foreach (var name in (string[])["kcm-1", "kcm-2", "kcm-3"])
        {
            await _cluster.CreateNodeAsync(name);
            sequence.Add($"{name}={string.Join(',', await _cluster.AllocatedAsync(name, controller))}");
        }

        await _cluster.Admin.DeleteNodeAsync("kcm-2");
        foreach (var name in (string[])["kcm-4", "kcm-5"])
        {
            await _cluster.CreateNodeAsync(name);
            sequence.Add($"{name}={string.Join(',', await _cluster.AllocatedAsync(name, controller))}");
        }

        return sequence;
    }

    private async Task<List<string>> RunWithKubeControllerManagerAsync(string binary)
    {
        var kubeconfig = _cluster.WriteKubeconfig();
        var log = Path.Combine(controlPlane.WorkDirectory, $"kube-controller-manager-{Guid.NewGuid():N}.log");
        using var manager = TetheredProcess.Start(binary,
        [
            "--controllers=nodeipam", "--allocate-node-cidrs=true", $"--cluster-cidr={ClusterCidr}", "--node-cidr-mask-size=24",
            $"--service-cluster-ip-range={RealControlPlane.ServiceClusterIpRange}", $"--kubeconfig={kubeconfig}",
            $"--authentication-kubeconfig={kubeconfig}", $"--authorization-kubeconfig={kubeconfig}",
            "--leader-elect=false", "--use-service-account-credentials=false", "--cloud-provider=",
            "--bind-address=127.0.0.1", $"--secure-port={LoopbackPort.Free()}", "--kube-api-qps=1000", "--kube-api-burst=1000", "--v=2",
            $"--cert-dir={Path.Combine(controlPlane.WorkDirectory, "kcm-certs")}",
        ], log);
        await RealCluster.EventuallyAsync(
            () => Task.FromResult(manager.HasExited || manager.LogTail(int.MaxValue).Contains("Starting range CIDR allocator", StringComparison.Ordinal)),
            "kube-controller-manager never started its range allocator");
        Assert.False(manager.HasExited, manager.LogTail());
        var sequence = await ScenarioAsync(null);
        manager.Kill();
        return sequence;
    }
}
