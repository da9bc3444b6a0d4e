using System.Text.Json;

namespace CidrController.Kubernetes.Pools;

/// <summary>
/// A listed ClusterCIDR object, read in one walk of its JSON: the metadata the synchronizer needs (identity,
/// resourceVersion for guarded writes, age and finalizers for the acceptance order) and either the usable pool
/// or why it is not one. Nothing past the API edge sees the JSON.
/// </summary>
internal sealed record ClusterCidrObject(
    string Name,
    string Uid,
    string ResourceVersion,
    string CreationTimestamp,
    IReadOnlyList<string> Finalizers,
    bool Deleting,
    ClusterCidrPool? Pool,
    string Problem)
{
    public bool HasFinalizer => Finalizers.Contains(ClusterCidrPool.Finalizer);

    public static ClusterCidrObject Read(JsonElement clusterCidr)
    {
        var metadata = clusterCidr.ValueKind == JsonValueKind.Object && clusterCidr.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var finalizers = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("finalizers", out var f) && f.ValueKind == JsonValueKind.Array
            ? f.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : "").ToArray()
            : [];
        var deleting = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("deletionTimestamp", out var d) && d.ValueKind == JsonValueKind.String;
        var shell = new ClusterCidrObject(
            ClusterCidrPool.String(metadata, "name") ?? "",
            ClusterCidrPool.String(metadata, "uid") ?? "",
            ClusterCidrPool.String(metadata, "resourceVersion") ?? "",
            ClusterCidrPool.String(metadata, "creationTimestamp") ?? "",
            finalizers,
            deleting,
            null,
            "");
        var spec = clusterCidr.ValueKind == JsonValueKind.Object && clusterCidr.TryGetProperty("spec", out var s) ? s : default;
        return ClusterCidrPool.TryParse(shell, spec, out var pool, out var problem)
            ? shell with { Pool = pool }
            : shell with { Problem = problem };
    }
}
