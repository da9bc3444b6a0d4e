using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

using CidrController.Kubernetes.Api;

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
            if (list is JsonElement { ValueKind: JsonValueKind.Object } root && root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                return [.. items.EnumerateArray().Select(ClusterCidrObject.Read)];
            }

            // Not "no pools": taken for an empty list, it would let every pool go. A list of the wrong shape is a
            // malformed answer, retried like any API failure.
            var malformed = new JsonException("a ClusterCIDR list without an items array");
            (client as ControllerKubernetesClient)?.AnswerMalformed("list", ClusterCidrPool.Plural, malformed);
            throw malformed;
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
