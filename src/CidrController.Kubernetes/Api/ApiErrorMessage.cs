using System.Text.Json;

using k8s.Autorest;

namespace CidrController.Kubernetes.Api;

/// <summary>Turns an API error into one readable line: the Status message when the server sent one.</summary>
internal static class ApiErrorMessage
{
    public static string From(HttpOperationException e)
    {
        var code = (int)e.Response.StatusCode;
        var content = e.Response.Content;
        if (!string.IsNullOrEmpty(content))
        {
            try
            {
                using var doc = JsonDocument.Parse(content);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                {
                    return $"{code} {message.GetString()}";
                }
            }
            catch (JsonException)
            {
                // Not a Status body (a proxy's HTML page, a truncated answer): fall through to the status code.
            }
        }

        return $"{code} {e.Response.ReasonPhrase}".TrimEnd();
    }
}
