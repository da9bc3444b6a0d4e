using System.Globalization;
using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator;

/// <summary>
/// Field order and server-owned metadata as the real server writes them. Order does not change meaning,
/// but people diff emulator output against real output, and Go's struct order makes that easy.
/// </summary>
internal static class WireShape
{
    private static readonly string[] TopOrder = ["kind", "apiVersion", "metadata", "spec", "status"];

    private static readonly string[] MetadataOrder =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
    ];

    public static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static void Reorder(JsonObject obj, IReadOnlyList<string> order)
    {
        var properties = obj.ToList();
        obj.Clear();
        foreach (var key in order)
        {
            var index = properties.FindIndex(p => p.Key == key);
            if (index >= 0)
            {
                obj[key] = properties[index].Value;
                properties.RemoveAt(index);
            }
        }

        foreach (var (key, value) in properties)
        {
            obj[key] = value;
        }
    }

    public static void Canonicalize(JsonObject obj)
    {
        Reorder(obj, TopOrder);
        if (obj["metadata"] is JsonObject metadata)
        {
            // managedFields is server-side-apply bookkeeping the emulator does not model; keeping a client's copy would be a lie.
            metadata.Remove("managedFields");
            metadata.Remove("selfLink");
            Reorder(metadata, MetadataOrder);
        }
    }

    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        if (obj["metadata"] is not null)
        {
            throw ApiStatus.BadRequest("json: cannot unmarshal into Go struct field .metadata of type v1.ObjectMeta");
        }

        metadata = [];
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string? GetString(JsonObject obj, string key, string goPath)
    {
        var node = obj[key];
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var s))
        {
            return s;
        }

        throw ApiStatus.BadRequest($"json: cannot unmarshal {node.GetValueKind().ToString().ToLowerInvariant()} into Go struct field {goPath} of type string");
    }

    public static List<string> GetStringList(JsonObject obj, string key, string goPath)
    {
        var node = obj[key];
        if (node is null)
        {
            return [];
        }

        if (node is not JsonArray array)
        {
            throw ApiStatus.BadRequest($"json: cannot unmarshal {node.GetValueKind().ToString().ToLowerInvariant()} into Go struct field {goPath} of type []string");
        }

        var result = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is JsonValue v && v.TryGetValue<string>(out var s))
            {
                result.Add(s);
            }
            else
            {
                throw ApiStatus.BadRequest($"json: cannot unmarshal {item?.GetValueKind().ToString().ToLowerInvariant() ?? "null"} into Go struct field {goPath} of type string");
            }
        }

        return result;
    }

    public static Dictionary<string, string> GetLabels(JsonObject metadata)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata["labels"] is null)
        {
            return result;
        }

        if (metadata["labels"] is not JsonObject labels)
        {
            throw ApiStatus.BadRequest("json: cannot unmarshal into Go struct field ObjectMeta.metadata.labels of type map[string]string");
        }

        foreach (var (key, value) in labels)
        {
            if (value is JsonValue v && v.TryGetValue<string>(out var s))
            {
                result[key] = s;
            }
            else if (value is not null)
            {
                throw ApiStatus.BadRequest("json: cannot unmarshal into Go struct field ObjectMeta.metadata.labels of type string");
            }
        }

        return result;
    }

    public static string Name(JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>() ?? "";

    public static string ResourceVersion(JsonObject obj) => obj["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
}
