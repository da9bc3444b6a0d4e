using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Tests.Emulator;

public sealed class WatchTests
{
    private static async Task<KubeApiEmulator> StartAsync(TimeSpan? bookmarkInterval = null) =>
        await KubeApiEmulator.StartAsync(new EmulatorOptions { BookmarkInterval = bookmarkInterval ?? TimeSpan.FromSeconds(60) });

    private static string Types(IEnumerable<JsonObject> events) => string.Join(",", events.Select(e => e["type"]!.ToString()));

    [Fact]
    public async Task LiveEventsFromAResourceVersionArriveInOrder()
    {
        await using var emulator = await StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("before");
        var rv = emulator.CurrentResourceVersion;
        await using var watch = await WatchStream.OpenAsync(client, $"/api/v1/nodes?watch=true&resourceVersion={rv}");
        emulator.CreateNode("n1");
        emulator.UpdateNode("n1", n =>
        {
            n["spec"]!["podCIDR"] = "10.0.0.0/24";
            return n;
        });
        emulator.DeleteNode("n1");
        var events = await watch.WaitForAsync(3);
        Assert.Equal("ADDED,MODIFIED,DELETED", Types(events));
        var rvs = events.Select(e => long.Parse(e["object"]!["metadata"]!["resourceVersion"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(rvs.Order().ToList(), rvs);
        Assert.Equal(emulator.CurrentResourceVersion, rvs[^1]);
        Assert.Equal("10.0.0.0/24", events[2]["object"]!["spec"]!["podCIDR"]!.ToString());
    }
}
