using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Store;

/// <summary>
/// The real server's continue token: base64url of {"v":"meta.k8s.io/v1","rv":N,"start":"lastKey\u0000"}.
/// Clients must treat it as opaque; using the same shape keeps logs comparable with a real cluster.
/// </summary>
internal readonly record struct ContinueToken(long ResourceVersion, string StartAfter)
{
    public string Encode()
    {
        var json = new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = ResourceVersion, ["start"] = StartAfter + "\0" }.ToJsonString();
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static ContinueToken Decode(string token)
    {
        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
            var json = JsonNode.Parse(Convert.FromBase64String(b64))!.AsObject();
            if (json["v"]?.GetValue<string>() != "meta.k8s.io/v1")
            {
                throw ApiStatus.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
            }

            var start = json["start"]!.GetValue<string>();
            return new ContinueToken(json["rv"]!.GetValue<long>(), start.TrimEnd('\0'));
        }
        catch (Exception e) when (e is FormatException or JsonException or NullReferenceException or InvalidOperationException)
        {
            throw ApiStatus.BadRequest($"continue key is not valid: {e.Message}");
        }
    }
}
