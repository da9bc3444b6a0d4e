using System.Net;

using CidrController.TestHarness;

using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CidrController.RealApiTests.Quarantine;

/// <summary>
/// --cidr-reuse-delay on a real kube-apiserver: the quarantine lives in the controller's own ConfigMap, so it
/// outlives a restart even when every Event is gone, and nothing anyone writes into Events can quarantine a block.
/// Each test names its own Lease (and so its own ConfigMap): the control plane is shared.
/// </summary>
[Collection(RealControlPlaneCollection.Name)]
public sealed class RealServerQuarantineTests(RealControlPlane controlPlane) : IAsyncLifetime, IDisposable
{
    private const string Namespace = "kube-system";
    private readonly RealCluster _cluster = new(controlPlane);

    public async Task InitializeAsync()
    {
        if (KubeBinaries.Find() is not null)
        {
            await _cluster.ResetNodesAsync();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _cluster.Dispose();

    private static string[] Flags(string cidr, string leaseName) =>
        [$"--cluster-cidr={cidr}", "--node-cidr-mask-size=24", "--cidr-reuse-delay=1h", "--leader-elect=false", $"--leader-elect-resource-name={leaseName}"];

    private async Task<string?> JournalAsync(string leaseName)
    {
        try
        {
            var configMap = await _cluster.Admin.CoreV1.ReadNamespacedConfigMapAsync(leaseName + "-quarantine", Namespace);
            return configMap.Data?.TryGetValue("pending.json", out var text) == true ? text : null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task DeleteReleasedEventsAsync()
    {
        foreach (var e in (await _cluster.Admin.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "reason=CIDRReleased")).Items)
        {
            await _cluster.Admin.CoreV1.DeleteNamespacedEventAsync(e.Metadata.Name, "default");
        }
    }

    [RealControlPlaneFact]
    public async Task A_released_block_stays_quarantined_after_a_restart_even_with_every_event_gone()
    {
        // Two blocks: once q-gone's block waits out its quarantine and q-stays holds the other, q-new must wait.
        var flags = Flags("10.206.0.0/23", "quarantine-restart");
        await _cluster.CreateNodeAsync("q-gone");
        await _cluster.CreateNodeAsync("q-stays");
        string gone;
        await using (var first = _cluster.StartController(flags))
        {
            gone = (await _cluster.AllocatedAsync("q-gone", first))[0];
            await _cluster.AllocatedAsync("q-stays", first);
            await _cluster.Admin.DeleteNodeAsync("q-gone");
            await RealCluster.EventuallyAsync(async () => (await JournalAsync("quarantine-restart"))?.Contains(gone, StringComparison.Ordinal) == true,
                $"{gone} never reached the quarantine's ConfigMap", first);
            Assert.Equal(0, await first.StopAsync(TimeSpan.FromSeconds(30)));
        }

        // Events expire (an hour by default) or are dropped: the quarantine must not depend on them.
        await DeleteReleasedEventsAsync();
        await _cluster.CreateNodeAsync("q-new");
        await using var second = _cluster.StartController(flags);

        await RealCluster.EventuallyAsync(
            async () => (await _cluster.Admin.CoreV1.ListNamespacedEventAsync("default")).Items.Any(e => e.InvolvedObject.Name == "q-new" && e.Reason == "CIDRNotAvailable"),
            "q-new was not held back: the restarted controller forgot the quarantine", second);
        Assert.Empty(await _cluster.PodCidrsAsync("q-new"));
        // Logged before the first allocation, but read from the child's output pipe, which can lag.
        await RealCluster.EventuallyAsync(
            () => Task.FromResult(second.Output.Contains("Reuse quarantine read from ConfigMap kube-system/quarantine-restart-quarantine: 1 block(s)", StringComparison.Ordinal)),
            "the restarted controller does not say it read one quarantined block", second);
    }

    [RealControlPlaneFact]
    public async Task A_forged_CIDRReleased_event_claiming_the_whole_range_until_2999_has_no_effect_across_a_restart()
    {
        // What any principal allowed to create Events in "default" (every kubelet) could write, in the shape the
        // controller once read back as its quarantine.
        await _cluster.Admin.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                Name = "forged-release." + Guid.NewGuid().ToString("N"),
                Annotations = new Dictionary<string, string>
                {
                    ["cidr-controller.io/released-cidrs"] = "10.207.0.0/24,10.207.1.0/24",
                    ["cidr-controller.io/reusable-after"] = "2999-01-01T00:00:00.000Z",
                },
            },
            InvolvedObject = new V1ObjectReference { Kind = "Node", Name = "forged", ApiVersion = "v1" },
            Reason = "CIDRReleased",
            Message = "Released 10.207.0.0/24,10.207.1.0/24",
            Type = "Normal",
            Source = new V1EventSource { Component = "cidr-controller" },
        }, "default");
        var flags = Flags("10.207.0.0/23", "quarantine-forged");

        await _cluster.CreateNodeAsync("f-1");
        await using (var first = _cluster.StartController(flags))
        {
            await _cluster.AllocatedAsync("f-1", first);
            Assert.Equal(0, await first.StopAsync(TimeSpan.FromSeconds(30)));
        }

        await _cluster.CreateNodeAsync("f-2");
        await using var second = _cluster.StartController(flags);

        await _cluster.AllocatedAsync("f-2", second);
        // Logged before the first allocation, but read from the child's output pipe, which can lag.
        await RealCluster.EventuallyAsync(
            () => Task.FromResult(second.Output.Contains("Reuse quarantine read from ConfigMap kube-system/quarantine-forged-quarantine: 0 block(s)", StringComparison.Ordinal)),
            "the restarted controller does not say it read an empty quarantine", second);
    }
}
