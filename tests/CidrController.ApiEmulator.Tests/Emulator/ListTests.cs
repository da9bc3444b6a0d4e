using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Tests.Emulator;

public sealed class ListTests
{
    private static string Names(JsonNode? list) => string.Join(",", list!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString()));

    [Theory]
    [InlineData("pool=a", "n1,n2")]
    [InlineData("pool==a", "n1,n2")]
    [InlineData("pool!=a", "n3,n4")]
    [InlineData("pool", "n1,n2,n3")]
    [InlineData("!pool", "n4")]
    [InlineData("pool in (b, c)", "n3")]
    [InlineData("pool notin (a)", "n3,n4")]
    [InlineData("pool=a,zone=z1", "n1")]
    public async Task LabelSelectorsFilterLikeTheRealServer(string selector, string expected)
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n1", labels: new Dictionary<string, string> { ["pool"] = "a", ["zone"] = "z1" });
        emulator.CreateNode("n2", labels: new Dictionary<string, string> { ["pool"] = "a" });
        emulator.CreateNode("n3", labels: new Dictionary<string, string> { ["pool"] = "b" });
        emulator.CreateNode("n4");
        var (status, body, _) = await ApiClient.SendAsync(client, "GET", "/api/v1/nodes?labelSelector=" + Uri.EscapeDataString(selector));
        Assert.Equal(200, status);
        Assert.Equal(expected, Names(body));
    }

    [Fact]
    public async Task AnUnparsableSelectorIsBadRequest()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        Assert.Equal(400, (await ApiClient.SendAsync(client, "GET", "/api/v1/nodes?labelSelector=" + Uri.EscapeDataString("a in b"))).Status);
        Assert.Equal(400, (await ApiClient.SendAsync(client, "GET", "/api/v1/nodes?fieldSelector=spec.unschedulable%3Dtrue")).Status);
    }

    [Fact]
    public async Task PagesComeFromTheFirstPagesSnapshotEvenAcrossWrites()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        for (var i = 0; i < 5; i++)
        {
            emulator.CreateNode($"n{i}");
        }

        var first = (await ApiClient.SendAsync(client, "GET", "/api/v1/nodes?limit=2")).Body!;
        Assert.Equal("n0,n1", Names(first));
        Assert.Equal(3, first["metadata"]!["remainingItemCount"]!.GetValue<long>());
        var listRv = first["metadata"]!["resourceVersion"]!.ToString();

        emulator.DeleteNode("n3");
        emulator.CreateNode("n9");
        emulator.UpdateNode("n2", n =>
        {
            n["metadata"]!["labels"] = new JsonObject { ["changed"] = "yes" };
            return n;
        });

        var token = Uri.EscapeDataString(first["metadata"]!["continue"]!.ToString());
        var second = (await ApiClient.SendAsync(client, "GET", $"/api/v1/nodes?limit=2&continue={token}")).Body!;
        Assert.Equal("n2,n3", Names(second));
        Assert.Null(second["items"]![0]!["metadata"]!["labels"]);
        Assert.Equal(listRv, second["metadata"]!["resourceVersion"]!.ToString());
        token = Uri.EscapeDataString(second["metadata"]!["continue"]!.ToString());
        var third = (await ApiClient.SendAsync(client, "GET", $"/api/v1/nodes?limit=2&continue={token}")).Body!;
        Assert.Equal("n4", Names(third));
        Assert.Null(third["metadata"]!["continue"]);

        emulator.CompactWatchHistory();
        var expired = await ApiClient.SendAsync(client, "GET", $"/api/v1/nodes?limit=2&continue={Uri.EscapeDataString(first["metadata"]!["continue"]!.ToString())}");
        Assert.Equal(410, expired.Status);
        Assert.Equal("Expired", expired.Body!["reason"]!.ToString());
    }

    [Fact]
    public async Task ResourceVersionZeroIgnoresTheLimitLikeTheWatchCache()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        for (var i = 0; i < 3; i++)
        {
            emulator.CreateNode($"n{i}");
        }

        var body = (await ApiClient.SendAsync(client, "GET", "/api/v1/nodes?limit=1&resourceVersion=0")).Body!;
        Assert.Equal("n0,n1,n2", Names(body));
        Assert.Null(body["metadata"]!["continue"]);
        Assert.Null(body["items"]![0]!["kind"]);
    }
}
