using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Tests.Emulator;

public sealed class WatchBehaviourTests
{
    private static string Types(IEnumerable<JsonObject> events) => string.Join(",", events.Select(e => e["type"]!.ToString()));

    [Fact]
    public async Task ResourceVersionZeroStartsWithSyntheticAddedThenLiveEvents()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("b");
        emulator.CreateNode("a");
        await using var watch = await WatchStream.OpenAsync(client, "/api/v1/nodes?watch=1&resourceVersion=0");
        var initial = await watch.WaitForAsync(2);
        Assert.Equal("b,a", string.Join(",", initial.Select(e => e["object"]!["metadata"]!["name"]!.ToString())));
        emulator.DeleteNode("a");
        Assert.Equal("ADDED,ADDED,DELETED", Types(await watch.WaitForAsync(3)));
    }

    [Fact]
    public async Task BookmarksCarryOnlyTheResourceVersionWhenAsked()
    {
        await using var emulator = await KubeApiEmulator.StartAsync(new EmulatorOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100) });
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n");
        var rv = emulator.CurrentResourceVersion;
        await using var withBookmarks = await WatchStream.OpenAsync(client, $"/api/v1/nodes?watch=1&resourceVersion={rv}&allowWatchBookmarks=true");
        await using var without = await WatchStream.OpenAsync(client, $"/api/v1/nodes?watch=1&resourceVersion={rv}&timeoutSeconds=1");
        emulator.CreateNode("m");
        var bookmarks = await withBookmarks.WaitForAsync(2, "BOOKMARK");
        Assert.True(bookmarks.Count >= 2);
        var bookmark = bookmarks[^1]["object"]!.AsObject();
        Assert.Equal("Node", bookmark["kind"]!.ToString());
        Assert.Equal(emulator.CurrentResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), bookmark["metadata"]!["resourceVersion"]!.ToString());
        Assert.Single(bookmark["metadata"]!.AsObject());
        Assert.Equal("ADDED", withBookmarks.Events[0]["type"]!.ToString());

        await without.WaitForEndAsync();
        Assert.Equal("ADDED", Types(without.Events));
        Assert.False(without.Aborted);
    }

    [Fact]
    public async Task ACompactedResourceVersionGetsHttp200AndOneExpiredErrorEvent()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n");
        var old = emulator.CurrentResourceVersion;
        emulator.CreateNode("m");
        emulator.CompactWatchHistory();
        await using var watch = await WatchStream.OpenAsync(client, $"/api/v1/nodes?watch=1&resourceVersion={old}");
        await watch.WaitForEndAsync();
        Assert.Equal(200, watch.StatusCode);
        var error = Assert.Single(watch.Events);
        Assert.Equal("ERROR", error["type"]!.ToString());
        Assert.Equal(410, error["object"]!["code"]!.GetValue<int>());
        Assert.Equal("Expired", error["object"]!["reason"]!.ToString());

        await using var current = await WatchStream.OpenAsync(client, $"/api/v1/nodes?watch=1&resourceVersion={emulator.CurrentResourceVersion}&timeoutSeconds=1");
        await current.WaitForEndAsync();
        Assert.Empty(current.Events);
    }

    [Fact]
    public async Task ALabelSelectedWatchSeesObjectsEnterAndLeave()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n");
        var rv = emulator.CurrentResourceVersion;
        await using var watch = await WatchStream.OpenAsync(client, $"/api/v1/nodes?watch=1&resourceVersion={rv}&labelSelector=pool%3Da");
        void Label(string? value) => emulator.UpdateNode("n", n =>
        {
            n["metadata"]!["labels"] = value is null ? null : new JsonObject { ["pool"] = value };
            return n;
        });
        Label("a");
        Label("a2");
        Label("a");
        emulator.UpdateNode("n", n =>
        {
            n["spec"]!["unschedulable"] = true;
            return n;
        });
        Assert.Equal("ADDED,DELETED,ADDED,MODIFIED", Types(await watch.WaitForAsync(4)));
    }
}
