using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Patching;

/// <summary>Structural equality for JSON values, to de-duplicate scalar lists the way strategic merge does.</summary>
internal sealed class JsonNodeComparer : IEqualityComparer<JsonNode?>
{
    public static readonly JsonNodeComparer Instance = new();

    public bool Equals(JsonNode? x, JsonNode? y) => JsonNode.DeepEquals(x, y);

    public int GetHashCode(JsonNode? obj) => obj?.ToJsonString().GetHashCode(StringComparison.Ordinal) ?? 0;
}
