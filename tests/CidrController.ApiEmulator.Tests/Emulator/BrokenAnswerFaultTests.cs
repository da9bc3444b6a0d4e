using System.Text.Json;
using System.Text.Json.Nodes;

using CidrController.ApiEmulator.Faults;

namespace CidrController.ApiEmulator.Tests.Emulator;

/// <summary>Faults that break the answer rather than the request: cut JSON, unknown fields, malformed bodies, empty and silent watches.</summary>
public sealed class BrokenAnswerFaultTests
{
    [Fact]
    public async Task A_truncated_answer_is_a_complete_response_with_half_the_json_and_the_write_is_applied()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n");
        emulator.Faults.TruncateResponses("PATCH", "/api/v1/nodes/", count: 1);

        using var content = new StringContent("""{"spec":{"podCIDR":"10.0.0.0/24"}}""");
        content.Headers.ContentType = new("application/strategic-merge-patch+json");
        using var response = await client.PatchAsync("/api/v1/nodes/n", content);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.StartsWith("{", text, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonNode.Parse(text));
        Assert.Equal("10.0.0.0/24", ApiClient.PodCidrs(emulator.GetNode("n")));
    }

    [Fact]
    public async Task Unknown_fields_are_added_at_the_top_and_to_every_item()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n");
        using var _ = emulator.Faults.AddUnknownFields("GET", "/api/v1/nodes");

        var (status, body, _) = await ApiClient.SendAsync(client, "GET", "/api/v1/nodes");

        Assert.Equal(200, status);
        Assert.NotNull(body!["futureTopLevelField"]);
        Assert.Equal(42, body["items"]![0]!["metadata"]!["futureMetadataField"]!.GetValue<int>());
        Assert.NotNull(body["items"]![0]!["spec"]!["futureSpecField"]);
        Assert.Null(emulator.GetNode("n")!["spec"]!["futureSpecField"]);
    }

    [Fact]
    public async Task An_empty_watch_ends_at_once_and_a_truncated_watch_ends_mid_line()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n");
        var rv = emulator.CurrentResourceVersion;

        emulator.Faults.EmptyWatches(count: 1);
        using (var empty = await client.GetAsync($"/api/v1/nodes?watch=1&resourceVersion={rv}"))
        {
            Assert.Equal(200, (int)empty.StatusCode);
            Assert.Equal("", await empty.Content.ReadAsStringAsync());
        }

        emulator.Faults.TruncateResponses("GET", "/api/v1/nodes", count: 1);
        using (var truncated = await client.GetAsync($"/api/v1/nodes?watch=1&resourceVersion={rv}"))
        {
            var text = await truncated.Content.ReadAsStringAsync();
            Assert.Equal(200, (int)truncated.StatusCode);
            Assert.DoesNotContain('\n', text);
            Assert.ThrowsAny<JsonException>(() => JsonNode.Parse(text));
        }
    }

    [Fact]
    public async Task A_silent_watch_sends_headers_and_then_nothing_not_even_a_bookmark()
    {
        await using var emulator = await KubeApiEmulator.StartAsync(new EmulatorOptions { BookmarkInterval = TimeSpan.FromMilliseconds(50) });
        using var client = emulator.CreateHttpClient();
        emulator.Faults.SilenceWatches(count: 1);
        var rv = emulator.CurrentResourceVersion;

        using var response = await client.GetAsync($"/api/v1/nodes?watch=1&allowWatchBookmarks=true&resourceVersion={rv}", HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        emulator.CreateNode("created-while-silent");
        var buffer = new byte[64];
        using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var read = stream.ReadAsync(buffer, wait.Token).AsTask();

        Assert.Equal(200, (int)response.StatusCode);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }

    [Fact]
    public async Task A_malformed_answer_is_complete_and_not_what_was_asked_for_and_the_write_is_applied()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n");

        using (emulator.Faults.MalformResponses("GET", "/api/v1/nodes", MalformedBody.WrongType, count: 1))
        {
            var (status, body, _) = await ApiClient.SendAsync(client, "GET", "/api/v1/nodes");
            Assert.Equal(200, status);
            Assert.Equal(JsonValueKind.String, body!["items"]!.GetValueKind());
        }

        using (emulator.Faults.MalformResponses("PATCH", "/api/v1/nodes/", MalformedBody.Garbage, count: 1))
        {
            using var content = new StringContent("""{"spec":{"podCIDR":"10.0.0.0/24"}}""");
            content.Headers.ContentType = new("application/strategic-merge-patch+json");
            using var response = await client.PatchAsync("/api/v1/nodes/n", content);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(200, (int)response.StatusCode);
            Assert.ThrowsAny<JsonException>(() => JsonNode.Parse(text));
            Assert.Equal("10.0.0.0/24", ApiClient.PodCidrs(emulator.GetNode("n")));
        }
    }

    [Fact]
    public async Task A_malformed_watch_starts_with_a_line_that_is_no_event_then_streams_as_usual()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        var rv = emulator.CurrentResourceVersion;
        emulator.CreateNode("n");
        emulator.Faults.MalformResponses("GET", "/api/v1/nodes", MalformedBody.WrongType, count: 1);

        using var response = await client.GetAsync($"/api/v1/nodes?watch=1&resourceVersion={rv}", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        var second = JsonNode.Parse((await reader.ReadLineAsync())!)!;

        Assert.Equal(JsonValueKind.Number, first["object"]!.GetValueKind());
        Assert.Equal("ADDED", second["type"]!.GetValue<string>());
        Assert.Equal("n", second["object"]!["metadata"]!["name"]!.GetValue<string>());
    }
}
