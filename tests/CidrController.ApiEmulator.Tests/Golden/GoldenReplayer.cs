using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CidrController.ApiEmulator.Tests.Golden;

/// <summary>
/// Replays the recorded cases in order against one fresh emulator, translating what is volatile: resourceVersions
/// in paths and bodies are mapped from the recorded numbers to the emulator's (learned from earlier responses),
/// continue tokens come from the previous list response, writes that happened while a watch was recorded are
/// re-performed during the replayed watch, and <c>watch-too-old</c> gets a forced compaction first (it was recorded
/// right after an apiserver restart).
/// </summary>
internal sealed partial class GoldenReplayer
{
    private readonly KubeApiEmulator _emulator;
    private readonly HttpClient _client;
    private readonly Dictionary<string, string> _volatileValues = new(StringComparer.Ordinal);
    private string? _lastContinue;
    private long _maxRecordedResourceVersion;

    public GoldenReplayer(KubeApiEmulator emulator, HttpClient client)
    {
        _emulator = emulator;
        _client = client;
    }

    [GeneratedRegex(@"(?<=[?&])resourceVersion=(\d+)")]
    private static partial Regex ResourceVersionParameter();

    [GeneratedRegex(@"(?<=[?&])continue=([^&]*)")]
    private static partial Regex ContinueParameter();

    /// <summary>Runs one case; returns its differences (empty when it matches).</summary>
    public async Task<List<string>> ReplayAsync(JsonObject goldenCase)
    {
        var name = goldenCase["name"]!.ToString();
        var request = goldenCase["request"]!.AsObject();
        var expected = goldenCase["response"]!.AsObject();
        var differences = new List<string>();
        if (name == "watch-too-old")
        {
            _emulator.CompactWatchHistory();
        }

        var path = MapPath(request["path"]!.ToString(), differences);
        var isWatch = path.Contains("watch=1", StringComparison.Ordinal) || path.Contains("watch=true", StringComparison.Ordinal);
        var generateName = (request["body"] as JsonObject)?["metadata"]?["generateName"]?.ToString();
        int status;
        JsonNode? actualBody;
        string? contentType;
        if (isWatch)
        {
            (status, contentType, actualBody) = await WatchAsync(path, expected["body"] as JsonArray ?? []);
        }
        else
        {
            (status, contentType, actualBody) = await SendAsync(request["method"]!.ToString(), path,
                request["contentType"]?.ToString(), MapBody(request["body"]));
        }

        var expectedStatus = expected["status"]!.GetValue<int>();
        if (status != expectedStatus)
        {
            differences.Add($"HTTP status: expected {expectedStatus}, actual {status}");
        }

        var expectedContentType = expected["contentType"]?.ToString();
        if (expectedContentType is not null && contentType?.StartsWith(expectedContentType, StringComparison.Ordinal) != true)
        {
            differences.Add($"Content-Type: expected {expectedContentType}, actual {contentType}");
        }

        JsonDiff.Compare("body", GoldenNormalizer.Normalize(expected["body"], generateName), GoldenNormalizer.Normalize(actualBody, generateName), differences);

        Learn(expected["body"], actualBody);
        if (actualBody is JsonObject actualObject && actualObject["metadata"]?["continue"]?.ToString() is { } token)
        {
            _lastContinue = token;
        }

        _maxRecordedResourceVersion = Math.Max(_maxRecordedResourceVersion, MaxResourceVersion(expected["body"]));
        return differences;
    }

    private string MapPath(string path, List<string> differences)
    {
        path = ResourceVersionParameter().Replace(path, m =>
        {
            var recorded = m.Groups[1].Value;
            if (recorded == "0")
            {
                return m.Value;
            }

            if (_volatileValues.TryGetValue(recorded, out var mapped))
            {
                return "resourceVersion=" + mapped;
            }

            differences.Add($"replay: recorded resourceVersion {recorded} in the path was never seen in an earlier response");
            return m.Value;
        });
        return ContinueParameter().Replace(path, m =>
        {
            if (_lastContinue is null)
            {
                differences.Add("replay: the case needs a continue token but no earlier list returned one");
                return m.Value;
            }

            return "continue=" + Uri.EscapeDataString(_lastContinue);
        });
    }

    /// <summary>
    /// Recorded resourceVersions ("204", "218") and uids in bodies are mapped to the emulator's; values never handed
    /// out (a resourceVersion of "1") stay as they are.
    /// </summary>
    private JsonNode? MapBody(JsonNode? body)
    {
        var copy = body?.DeepClone();
        if (copy is JsonObject obj && obj["metadata"] is JsonObject metadata)
        {
            foreach (var key in new[] { "resourceVersion", "uid" })
            {
                if (metadata[key]?.ToString() is { } recorded && _volatileValues.TryGetValue(recorded, out var mapped))
                {
                    metadata[key] = mapped;
                }
            }
        }

        return copy;
    }

    private async Task<(int Status, string? ContentType, JsonNode? Body)> SendAsync(string method, string path, string? contentType, JsonNode? body)
    {
        using var message = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            message.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
        }

        using var response = await _client.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? parsed;
        try
        {
            parsed = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            parsed = JsonValue.Create("<not JSON> " + text);
        }

        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, parsed);
    }

    private async Task<(int Status, string? ContentType, JsonNode? Body)> WatchAsync(string path, JsonArray expectedEvents)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            // Refused before streaming (a bad parameter): one Status body, not a stream of events.
            var text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length == 0 ? null : JsonNode.Parse(text));
        }

        var stream = await response.Content.ReadAsStreamAsync();
        var reading = ReadEventsAsync(stream);

        // Events newer than anything recorded before this case were caused by writes made while the watch was open.
        foreach (var e in expectedEvents)
        {
            var obj = e!["object"]!.AsObject();
            if (MaxResourceVersion(obj) > _maxRecordedResourceVersion)
            {
                await PerformWriteAsync(e["type"]!.ToString(), obj);
            }
        }

        var events = await reading;
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, events);
    }

    private static async Task<JsonArray> ReadEventsAsync(Stream stream)
    {
        var events = new JsonArray();
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var e = JsonNode.Parse(line)!;

            // The recording may or may not contain a bookmark ("possibly a BOOKMARK"); the emulator's are checked elsewhere.
            if (e["type"]?.ToString() != "BOOKMARK")
            {
                events.Add(e);
            }
        }

        return events;
    }

    private async Task PerformWriteAsync(string type, JsonObject recorded)
    {
        var name = recorded["metadata"]!["name"]!.ToString();
        var desired = GoldenNormalizer.Normalize(recorded, null)!.AsObject();
        desired.Remove("status");
        var (status, _, body) = type switch
        {
            "ADDED" => await SendAsync("POST", "/api/v1/nodes", "application/json", desired),
            "MODIFIED" => await SendAsync("PATCH", $"/api/v1/nodes/{name}", "application/merge-patch+json",
                new JsonObject { ["spec"] = desired["spec"]?.DeepClone() ?? new JsonObject() }),
            "DELETED" => await SendAsync("DELETE", $"/api/v1/nodes/{name}", null, null),
            _ => throw new InvalidOperationException($"cannot re-create a {type} watch event"),
        };
        if (status >= 300)
        {
            throw new InvalidOperationException($"re-performing the write behind a {type} event for {name} failed with {status}: {body?.ToJsonString()}");
        }
    }

    /// <summary>Pairs recorded and emulator resourceVersions found at the same place in expected and actual bodies.</summary>
    private void Learn(JsonNode? expected, JsonNode? actual)
    {
        switch (expected, actual)
        {
            case (JsonObject e, JsonObject a):
                foreach (var key in new[] { "resourceVersion", "uid" })
                {
                    if (e["metadata"]?[key]?.ToString() is { } recorded && a["metadata"]?[key]?.ToString() is { } mine)
                    {
                        _volatileValues[recorded] = mine;
                    }
                }

                foreach (var (key, value) in e)
                {
                    if (key != "metadata" && a.ContainsKey(key))
                    {
                        Learn(value, a[key]);
                    }
                }

                break;
            case (JsonArray e, JsonArray a) when e.Count == a.Count:
                for (var i = 0; i < e.Count; i++)
                {
                    Learn(e[i], a[i]);
                }

                break;
        }
    }

    private static long MaxResourceVersion(JsonNode? node)
    {
        long max = 0;
        switch (node)
        {
            case JsonObject obj:
                if (obj["metadata"]?["resourceVersion"]?.ToString() is { } rv
                    && long.TryParse(rv, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    max = value;
                }

                foreach (var (_, child) in obj)
                {
                    max = Math.Max(max, MaxResourceVersion(child));
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    max = Math.Max(max, MaxResourceVersion(child));
                }

                break;
        }

        return max;
    }
}
