using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CidrController.ApiEmulator.Tests.Golden;

/// <summary>
/// Removes what the golden README calls volatile — uid, timestamps, resourceVersion numbers, continue tokens,
/// managedFields, generateName suffixes, the admission plugin's not-ready taint, the stored uid or resourceVersion a
/// refused DELETE precondition quotes — so the rest can be compared
/// exactly. Presence of deletionTimestamp and continue is kept (as "&lt;set&gt;"), because it matters.
/// </summary>
internal static partial class GoldenNormalizer
{
    [GeneratedRegex(@"too old resource version: \d+ \(\d+\)")]
    private static partial Regex TooOld();

    // A refused DELETE precondition names the stored object's uid or resourceVersion.
    [GeneratedRegex(@"(?<=the (UID|ResourceVersion) in record \()[^)]+(?=\))")]
    private static partial Regex InRecord();

    public static JsonNode? Normalize(JsonNode? node, string? generateName)
    {
        var copy = node?.DeepClone();
        Walk(copy, generateName, parentKey: null);
        return copy;
    }

    private static void Walk(JsonNode? node, string? generateName, string? parentKey)
    {
        switch (node)
        {
            case JsonObject obj:
                if (parentKey == "metadata")
                {
                    NormalizeMetadata(obj);
                }

                if (parentKey == "spec" && obj["taints"] is JsonArray taints)
                {
                    foreach (var taint in taints.Where(t => t?["key"]?.ToString() == "node.kubernetes.io/not-ready").ToList())
                    {
                        taints.Remove(taint);
                    }

                    if (taints.Count == 0)
                    {
                        obj.Remove("taints");
                    }
                }

                foreach (var (key, value) in obj.ToList())
                {
                    if (key == "uid" && value is not null)
                    {
                        obj[key] = "<set>";
                    }
                    else if (value is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        obj[key] = NormalizeString(s, generateName);
                    }
                    else
                    {
                        Walk(value, generateName, key);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        array[i] = NormalizeString(s, generateName);
                    }
                    else
                    {
                        Walk(array[i], generateName, parentKey == "items" ? null : parentKey);
                    }
                }

                break;
        }
    }

    private static void NormalizeMetadata(JsonObject metadata)
    {
        foreach (var key in new[] { "uid", "resourceVersion", "creationTimestamp", "managedFields", "selfLink" })
        {
            metadata.Remove(key);
        }

        foreach (var key in new[] { "deletionTimestamp", "continue" })
        {
            if (metadata[key] is not null)
            {
                metadata[key] = "<set>";
            }
        }
    }

    private static string NormalizeString(string s, string? generateName)
    {
        s = TooOld().Replace(s, "too old resource version: <rv> (<rv>)");
        s = InRecord().Replace(s, "<volatile>");
        if (!string.IsNullOrEmpty(generateName))
        {
            s = Regex.Replace(s, Regex.Escape(generateName) + "[bcdfghjklmnpqrstvwxz2456789]{5}", generateName + "<random>");
        }

        return s;
    }
}
