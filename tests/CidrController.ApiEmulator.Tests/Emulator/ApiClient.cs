using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Tests.Emulator;

/// <summary>Raw HTTP calls with a content type, returning status and parsed JSON: the shape every rule test needs.</summary>
internal static class ApiClient
{
    public static async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(
        HttpClient client, string method, string path, string? body = null, string contentType = "application/json")
    {
        using var message = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            message.Content = new StringContent(body, Encoding.UTF8);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        var response = await client.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length > 0 && (text[0] == '{' || text[0] == '[') ? JsonNode.Parse(text) : null, response);
    }

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> PatchAsync(HttpClient client, string name, string body,
        string contentType = "application/strategic-merge-patch+json") =>
        SendAsync(client, "PATCH", $"/api/v1/nodes/{name}", body, contentType);

    public static string PodCidrs(JsonNode? node) =>
        node?["spec"]?["podCIDRs"] is JsonArray a ? string.Join(",", a.Select(x => x!.ToString())) : "";
}
