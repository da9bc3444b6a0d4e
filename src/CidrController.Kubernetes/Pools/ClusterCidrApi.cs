using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CidrController.Kubernetes.Pools;

/// <summary>ClusterCIDR reads and finalizer updates over KubernetesClient's custom-object API.</summary>
internal sealed class ClusterCidrApi(IKubernetes client)
{
    /// <summary>Every ClusterCIDR, read once, or null when the CRD is not installed (then only the flags' ranges exist).</summary>
    public async Task<IReadOnlyList<ClusterCidrObject>?> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            var list = await client.CustomObjects.ListClusterCustomObjectAsync(ClusterCidrPool.Group, ClusterCidrPool.Version, ClusterCidrPool.Plural, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (list is not JsonElement root)
            {
                return [];
            }

            return root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array ? [.. items.EnumerateArray().Select(ClusterCidrObject.Read)] : [];
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Sets the pool's finalizers, guarded by the resourceVersion it was read at, so a concurrent change
    /// (another finalizer, a deletion) is never overwritten: the caller rereads and tries again.
    /// </summary>
    public async Task SetFinalizersAsync(string name, string resourceVersion, IReadOnlyList<string> finalizers, CancellationToken cancellationToken)
    {
        // JsonNode, not an anonymous type: the shipped binary is trimmed, and JsonNode needs no reflection.
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = resourceVersion,
                ["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode?)JsonValue.Create(f))]),
            },
        }.ToJsonString();
        await client.CustomObjects.PatchClusterCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), ClusterCidrPool.Group, ClusterCidrPool.Version, ClusterCidrPool.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
