using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Patching;

/// <summary>
/// Strategic merge patch for the few list fields where it differs from a merge patch. Lists named in the
/// schema merge (primitive lists by value, object lists by a merge key); every other list is replaced.
/// The order of a merged list follows upstream's normalizeElementOrder: patch items in patch order, then
/// server-only items, interleaved by their server positions — which is why patching podCIDRs
/// ["new"] onto ["old"] yields ["new","old"] (golden <c>patch-smp-change-podcidr</c>).
/// Directives supported: <c>$patch: replace|delete</c> on maps and list items,
/// <c>$deleteFromPrimitiveList/field</c>, and <c>$setElementOrder/field</c> / <c>$retainKeys</c> (accepted, ignored).
/// </summary>
internal sealed class StrategicMergePatch
{
    /// <summary>Node fields with patchStrategy=merge; null merge key means a list of scalars merged by value.</summary>
    public static readonly StrategicMergePatch Node = new(new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["metadata.finalizers"] = null,
        ["metadata.ownerReferences"] = "uid",
        ["spec.podCIDRs"] = null,
        ["status.conditions"] = "type",
        ["status.addresses"] = "type",
        ["status.volumesAttached"] = "name",
    });

    /// <summary>Objects without merge lists besides metadata's (events, leases).</summary>
    public static readonly StrategicMergePatch Generic = new(new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["metadata.finalizers"] = null,
        ["metadata.ownerReferences"] = "uid",
    });

    private readonly IReadOnlyDictionary<string, string?> _mergeLists;

    private StrategicMergePatch(IReadOnlyDictionary<string, string?> mergeLists) => _mergeLists = mergeLists;

    public JsonObject Apply(JsonObject original, JsonObject patch) =>
        MergeMap(original.DeepClone().AsObject(), patch, "") ?? [];

    private JsonObject? MergeMap(JsonObject original, JsonObject patch, string path)
    {
        if (patch["$patch"] is JsonValue directive && directive.TryGetValue<string>(out var d))
        {
            switch (d)
            {
                case "delete":
                    return null;
                case "replace":
                    var replaced = patch.DeepClone().AsObject();
                    replaced.Remove("$patch");
                    return StripDirectives(replaced);
                default:
                    throw ApiStatus.BadRequest($"Unknown patch type: {d} in map: {patch.ToJsonString()}");
            }
        }

        foreach (var (key, value) in patch)
        {
            if (key is "$retainKeys" || key.StartsWith("$setElementOrder/", StringComparison.Ordinal))
            {
                continue;
            }

            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (original[field] is JsonArray list && value is JsonArray toDelete)
                {
                    var kept = list.Where(item => !toDelete.Any(x => JsonNode.DeepEquals(x, item))).Select(i => i?.DeepClone()).ToArray();
                    original[field] = new JsonArray(kept);
                }

                continue;
            }

            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (value is null)
            {
                original.Remove(key);
            }
            else if (value is JsonObject patchChild)
            {
                var merged = MergeMap(original[key] as JsonObject ?? [], patchChild, childPath);
                if (merged is null)
                {
                    original.Remove(key);
                }
                else
                {
                    original[key] = merged.Parent is null ? merged : merged.DeepClone();
                }
            }
            else if (value is JsonArray patchList && _mergeLists.TryGetValue(childPath, out var mergeKey))
            {
                original[key] = MergeList(original[key] as JsonArray ?? [], patchList, mergeKey, childPath);
            }
            else
            {
                original[key] = value.DeepClone();
            }
        }

        return original;
    }

    private JsonArray MergeList(JsonArray original, JsonArray patch, string? mergeKey, string path)
    {
        var serverOrder = original.Select(i => i?.DeepClone()).ToList();
        var patchItems = new List<JsonNode?>();
        var merged = new List<JsonNode?>();
        if (mergeKey is null)
        {
            foreach (var item in original.Concat(patch))
            {
                if (!merged.Any(m => JsonNode.DeepEquals(m, item)))
                {
                    merged.Add(item?.DeepClone());
                }
            }

            patchItems = patch.Where(p => true).Select(p => p?.DeepClone()).Distinct(JsonNodeComparer.Instance).ToList();
        }
        else
        {
            merged = serverOrder.Select(i => i?.DeepClone()).ToList();
            foreach (var item in patch)
            {
                if (item is not JsonObject patchObject || patchObject[mergeKey] is null)
                {
                    throw ApiStatus.BadRequest($"map: {item?.ToJsonString()} does not contain declared merge key: {mergeKey}");
                }

                var keyValue = patchObject[mergeKey];
                var index = merged.FindIndex(m => JsonNode.DeepEquals(m?[mergeKey], keyValue));
                var isDelete = patchObject["$patch"] is JsonValue v && v.TryGetValue<string>(out var d) && d == "delete";
                if (isDelete)
                {
                    if (index >= 0)
                    {
                        merged.RemoveAt(index);
                    }

                    continue;
                }

                var result = index >= 0
                    ? MergeMap(merged[index]!.AsObject(), patchObject, path)
                    : MergeMap([], patchObject, path);
                if (index >= 0)
                {
                    merged[index] = result;
                }
                else
                {
                    merged.Add(result);
                }

                patchItems.Add(result);
            }

            patchItems = merged.Where(m => patch.Any(p => JsonNode.DeepEquals(p?[mergeKey], m?[mergeKey]))).ToList();
        }

        var serverOnly = merged.Where(m => !patchItems.Any(p => SameItem(p, m, mergeKey))).ToList();
        var ordered = MergeSorted(patchItems, serverOnly, serverOrder, mergeKey);
        return new JsonArray(ordered.Select(i => i?.Parent is null ? i : i.DeepClone()).ToArray());
    }

    private static bool SameItem(JsonNode? a, JsonNode? b, string? mergeKey) =>
        mergeKey is null ? JsonNode.DeepEquals(a, b) : JsonNode.DeepEquals(a?[mergeKey], b?[mergeKey]);

    /// <summary>Upstream's mergeSortedSlice: take from the patch side unless both are known to the server and the server has the other first.</summary>
    private static List<JsonNode?> MergeSorted(List<JsonNode?> left, List<JsonNode?> right, List<JsonNode?> serverOrder, string? mergeKey)
    {
        int IndexOf(JsonNode? item) => serverOrder.FindIndex(s => SameItem(s, item, mergeKey));
        var result = new List<JsonNode?>(left.Count + right.Count);
        int i = 0, j = 0;
        while (i < left.Count || j < right.Count)
        {
            if (i >= left.Count)
            {
                result.Add(right[j++]);
            }
            else if (j >= right.Count)
            {
                result.Add(left[i++]);
            }
            else
            {
                var li = IndexOf(left[i]);
                var ri = IndexOf(right[j]);
                if (li >= 0 && ri >= 0 && li > ri)
                {
                    result.Add(right[j++]);
                }
                else
                {
                    result.Add(left[i++]);
                }
            }
        }

        return result;
    }

    private static JsonObject StripDirectives(JsonObject obj)
    {
        foreach (var key in obj.Select(p => p.Key).Where(k => k.StartsWith('$')).ToList())
        {
            obj.Remove(key);
        }

        return obj;
    }
}
