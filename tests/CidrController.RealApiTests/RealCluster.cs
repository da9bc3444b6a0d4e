using System.Diagnostics;
using System.Net;

using CidrController.TestHarness;

using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CidrController.RealApiTests;

/// <summary>
/// Admin access to the shared real control plane, with the steps every scenario repeats: start from no nodes,
/// create nodes, read their podCIDRs, wait for a condition, run the controller binary against the server.
/// </summary>
public sealed class RealCluster(RealControlPlane controlPlane) : IDisposable
{
    private readonly k8s.Kubernetes _admin = controlPlane.CreateClient();

    public k8s.Kubernetes Admin => _admin;

    public RealControlPlane ControlPlane => controlPlane;

    /// <summary>Deletes every node (dropping finalizers first) and waits until none is left: scenarios share the server.</summary>
    public async Task ResetNodesAsync()
    {
        foreach (var node in (await _admin.ListNodeAsync()).Items)
        {
            if (node.Metadata.Finalizers is { Count: > 0 })
            {
                await RemoveFinalizersAsync(node.Metadata.Name);
            }

            try
            {
                await _admin.DeleteNodeAsync(node.Metadata.Name);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
            }
        }

        await EventuallyAsync(async () => (await _admin.ListNodeAsync()).Items.Count == 0, "nodes left from an earlier scenario");
    }

    public async Task CreateNodeAsync(string name, IReadOnlyList<string>? podCidrs = null, IDictionary<string, string>? labels = null, IList<string>? finalizers = null)
    {
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels, Finalizers = finalizers },
            Spec = podCidrs is null ? null : new V1NodeSpec { PodCIDR = podCidrs[0], PodCIDRs = [.. podCidrs] },
        };
        await _admin.CreateNodeAsync(node);
    }

    public async Task<string[]> PodCidrsAsync(string name)
    {
        var node = await _admin.ReadNodeAsync(name);
        return node.Spec?.PodCIDRs?.ToArray() ?? [];
    }

    /// <summary>Waits until the node has podCIDRs and returns them.</summary>
    public async Task<string[]> AllocatedAsync(string name, ControllerProcess? controller = null)
    {
        string[] cidrs = [];
        await EventuallyAsync(async () => (cidrs = await PodCidrsAsync(name)).Length > 0, $"{name} never got podCIDRs", controller);
        return cidrs;
    }

    public async Task RemoveFinalizersAsync(string name) =>
        await _admin.PatchNodeAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), name);

    /// <summary>Writes an admin kubeconfig for one scenario and returns its path.</summary>
    public string WriteKubeconfig(string? token = null)
    {
        var path = Path.Combine(controlPlane.WorkDirectory, $"controller-{Guid.NewGuid():N}.kubeconfig");
        controlPlane.WriteKubeconfig(path, token);
        return path;
    }

    /// <summary>The controller binary (published when CI says where) against this server, leader election off unless asked.</summary>
    public ControllerProcess StartController(params string[] flags)
    {
        string[] defaults = flags.Any(f => f.StartsWith("--kubeconfig", StringComparison.Ordinal)) ? [] : [$"--kubeconfig={WriteKubeconfig()}"];
        string[] election = flags.Any(f => f.StartsWith("--leader-elect", StringComparison.Ordinal)) ? [] : ["--leader-elect=false"];
        return ControllerProcess.Start([.. defaults, .. election, .. flags], binary: ControllerProcess.PublishedOrBuiltBinary);
    }

    /// <summary>Polls <paramref name="condition"/> until true; fails after 60 s with <paramref name="what"/> and the controller's output.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, ControllerProcess? controller = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline || controller?.HasExited == true)
            {
                Assert.Fail($"{what}{(controller is null ? "" : $"\ncontroller output:\n{controller.Output}")}");
            }

            await Task.Delay(100);
        }
    }

    public void Dispose() => _admin.Dispose();
}
