using System.Globalization;
using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Patching;

/// <summary>
/// RFC 6902. A malformed patch document is 400 BadRequest; an operation that cannot be applied (a failed
/// <c>test</c>, a missing path) is the generic 422 the real server sends (golden <c>jsonpatch-test-fail</c>).
/// </summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonNode patch)
    {
        if (patch is not JsonArray operations)
        {
            throw ApiStatus.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
        }

        var doc = document.DeepClone();
        foreach (var item in operations)
        {
            if (item is not JsonObject op || op["op"] is not JsonValue opValue || !opValue.TryGetValue<string>(out var kind)
                || op["path"] is not JsonValue pathValue || !pathValue.TryGetValue<string>(out var path))
            {
                throw ApiStatus.BadRequest("invalid JSON patch operation: missing op or path");
            }

            doc = kind switch
            {
                "add" => Add(doc, path, RequireValue(op)),
                "remove" => Remove(doc, path, out _),
                "replace" => Replace(doc, path, RequireValue(op)),
                "move" => Move(doc, RequireFrom(op), path),
                "copy" => Add(doc, path, Get(doc, RequireFrom(op))?.DeepClone()),
                "test" => Test(doc, path, op["value"]),
                _ => throw ApiStatus.BadRequest($"Unexpected kind: {kind}"),
            };
        }

        return doc;
    }

    private static JsonNode? RequireValue(JsonObject op) =>
        op.ContainsKey("value") ? op["value"]?.DeepClone() : throw ApiStatus.PatchRejected();

    private static string RequireFrom(JsonObject op) =>
        op["from"] is JsonValue v && v.TryGetValue<string>(out var from) ? from : throw ApiStatus.PatchRejected();

    private static JsonNode Test(JsonNode doc, string path, JsonNode? expected) =>
        JsonNode.DeepEquals(Get(doc, path), expected) ? doc : throw ApiStatus.PatchRejected();

    /// <summary>
    /// Unlike RFC 6902, the server's JSON patch library replaces a missing member of an object by adding it
    /// (golden <c>jsonpatch-replace-unset-podcidr</c>: replacing an unset <c>/spec/podCIDR</c> sets it); an array
    /// index must still exist.
    /// </summary>
    private static JsonNode Replace(JsonNode doc, string path, JsonNode? value)
    {
        var tokens = Tokens(path);
        if (tokens.Count > 0 && Get(doc, "/" + string.Join('/', tokens.Take(tokens.Count - 1).Select(Escape))) is JsonObject parent)
        {
            parent[tokens[^1]] = value;
            return doc;
        }

        return Add(Remove(doc, path, out _), path, value);
    }

    private static JsonNode Move(JsonNode doc, string from, string path)
    {
        var removed = Remove(doc, from, out var value);
        return Add(removed, path, value);
    }

    private static List<string> Tokens(string path)
    {
        if (path.Length == 0)
        {
            return [];
        }

        if (!path.StartsWith('/'))
        {
            throw ApiStatus.PatchRejected();
        }

        return path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
    }

    private static JsonNode? Get(JsonNode doc, string path)
    {
        var current = doc;
        foreach (var token in Tokens(path))
        {
            current = current switch
            {
                JsonObject o when o.TryGetPropertyValue(token, out var child) => child,
                JsonArray a when TryIndex(token, a.Count, out var i) => a[i],
                _ => throw ApiStatus.PatchRejected(),
            };
        }

        return current;
    }

    private static JsonNode Add(JsonNode doc, string path, JsonNode? value)
    {
        var tokens = Tokens(path);
        if (tokens.Count == 0)
        {
            return value ?? throw ApiStatus.PatchRejected();
        }

        var parent = Get(doc, "/" + string.Join('/', tokens.Take(tokens.Count - 1).Select(Escape)));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when TryIndex(last, a.Count + 1, out var i):
                a.Insert(i, value);
                break;
            default:
                throw ApiStatus.PatchRejected();
        }

        return doc;
    }

    private static JsonNode Remove(JsonNode doc, string path, out JsonNode? removed)
    {
        var tokens = Tokens(path);
        if (tokens.Count == 0)
        {
            throw ApiStatus.PatchRejected();
        }

        var parent = Get(doc, "/" + string.Join('/', tokens.Take(tokens.Count - 1).Select(Escape)));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o when o.TryGetPropertyValue(last, out var child):
                o.Remove(last);
                removed = child;
                break;
            case JsonArray a when TryIndex(last, a.Count, out var i):
                removed = a[i];
                a.RemoveAt(i);
                break;
            default:
                throw ApiStatus.PatchRejected();
        }

        return doc;
    }

    private static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static bool TryIndex(string token, int count, out int index) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out index) && index < count
        && (token == "0" || !token.StartsWith('0'));
}
