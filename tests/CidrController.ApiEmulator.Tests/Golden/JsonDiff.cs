using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Tests.Golden;

/// <summary>A structural diff that lists every differing path with both values, for readable failure reports.</summary>
internal static class JsonDiff
{
    public static void Compare(string path, JsonNode? expected, JsonNode? actual, List<string> differences)
    {
        switch (expected, actual)
        {
            case (JsonObject e, JsonObject a):
                foreach (var key in e.Select(p => p.Key).Union(a.Select(p => p.Key)))
                {
                    var childPath = $"{path}.{key}";
                    if (!e.ContainsKey(key))
                    {
                        differences.Add($"{childPath}: unexpected, actual {Show(a[key])}");
                    }
                    else if (!a.ContainsKey(key))
                    {
                        differences.Add($"{childPath}: missing, expected {Show(e[key])}");
                    }
                    else
                    {
                        Compare(childPath, e[key], a[key], differences);
                    }
                }

                break;
            case (JsonArray e, JsonArray a):
                if (e.Count != a.Count)
                {
                    differences.Add($"{path}: expected {e.Count} elements, actual {a.Count}\n      expected {Show(e)}\n      actual   {Show(a)}");
                    break;
                }

                for (var i = 0; i < e.Count; i++)
                {
                    Compare($"{path}[{i}]", e[i], a[i], differences);
                }

                break;
            default:
                if (!JsonNode.DeepEquals(expected, actual))
                {
                    differences.Add($"{path}: expected {Show(expected)}, actual {Show(actual)}");
                }

                break;
        }
    }

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length > 300 ? text[..300] + "…" : text;
    }
}
