using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Tests.Emulator;

public sealed class ConsistencyTests
{
    [Fact]
    public async Task EveryWriteBumpsTheGlobalResourceVersionButNoOpWritesDoNot()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        var start = emulator.CurrentResourceVersion;
        var created = emulator.CreateNode("n");
        Assert.Equal((start + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), created["metadata"]!["resourceVersion"]!.ToString());
        var first = await ApiClient.PatchAsync(client, "n", """{"spec":{"podCIDR":"10.0.0.0/24"}}""");
        var again = await ApiClient.PatchAsync(client, "n", """{"spec":{"podCIDR":"10.0.0.0/24"}}""");
        Assert.Equal(first.Body!["metadata"]!["resourceVersion"]!.ToString(), again.Body!["metadata"]!["resourceVersion"]!.ToString());
        Assert.Equal(start + 2, emulator.CurrentResourceVersion);
        await ApiClient.SendAsync(client, "POST", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases",
            """{"metadata":{"name":"l"},"spec":{"holderIdentity":"a"}}""");
        Assert.Equal(start + 3, emulator.CurrentResourceVersion);
    }

    [Fact]
    public async Task StaleResourceVersionsConflictOnPutAndPatchPreconditions()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        var stale = emulator.CreateNode("n");
        await ApiClient.PatchAsync(client, "n", """{"metadata":{"labels":{"a":"b"}}}""");

        stale["metadata"]!["labels"] = new JsonObject { ["x"] = "y" };
        var put = await ApiClient.SendAsync(client, "PUT", "/api/v1/nodes/n", stale.ToJsonString());
        Assert.Equal(409, put.Status);
        Assert.Equal("Conflict", put.Body!["reason"]!.ToString());

        var rv = stale["metadata"]!["resourceVersion"]!.ToString();
        var precondition = await ApiClient.PatchAsync(client, "n", $$$"""{"metadata":{"resourceVersion":"{{{rv}}}"},"spec":{"unschedulable":true}}""", "application/merge-patch+json");
        Assert.Equal(409, precondition.Status);

        var current = emulator.GetNode("n")!;
        current["metadata"]!["labels"] = new JsonObject { ["x"] = "y" };
        var ok = await ApiClient.SendAsync(client, "PUT", "/api/v1/nodes/n", current.ToJsonString());
        Assert.Equal(200, ok.Status);

        var unconditional = emulator.GetNode("n")!;
        unconditional["metadata"]!.AsObject().Remove("resourceVersion");
        unconditional["metadata"]!["labels"] = new JsonObject { ["z"] = "1" };
        Assert.Equal(200, (await ApiClient.SendAsync(client, "PUT", "/api/v1/nodes/n", unconditional.ToJsonString())).Status);

        var missing = await ApiClient.SendAsync(client, "PUT", "/api/v1/nodes/gone", """{"metadata":{"name":"gone"}}""");
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task FinalizersKeepANodeUntilTheLastIsRemoved()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n", podCidrs: ["10.0.0.0/24"], finalizers: ["example.com/a", "example.com/b"]);
        var rv = emulator.CurrentResourceVersion;
        await using var watch = await WatchStream.OpenAsync(client, $"/api/v1/nodes?watch=1&resourceVersion={rv}");

        var deleted = await ApiClient.SendAsync(client, "DELETE", "/api/v1/nodes/n");
        Assert.Equal(200, deleted.Status);
        Assert.Equal("Node", deleted.Body!["kind"]!.ToString());
        Assert.NotNull(deleted.Body["metadata"]!["deletionTimestamp"]);
        Assert.NotNull(emulator.GetNode("n"));

        var add = await ApiClient.PatchAsync(client, "n", """{"metadata":{"finalizers":["example.com/new"]}}""");
        Assert.Equal(422, add.Status);

        var partial = await ApiClient.SendAsync(client, "PATCH", "/api/v1/nodes/n", """{"metadata":{"finalizers":["example.com/b"]}}""", "application/merge-patch+json");
        Assert.Equal(200, partial.Status);
        Assert.NotNull(emulator.GetNode("n"));

        emulator.RemoveFinalizers("n");
        Assert.Null(emulator.GetNode("n"));
        var events = await watch.WaitForAsync(3);
        Assert.Equal("MODIFIED,MODIFIED,DELETED", string.Join(",", events.Select(e => e["type"]!.ToString())));
        Assert.Equal(404, (await ApiClient.SendAsync(client, "GET", "/api/v1/nodes/n")).Status);
    }

    [Fact]
    public async Task DeleteWithoutFinalizersReturnsASuccessStatus()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        var node = emulator.CreateNode("n");
        var (status, body, _) = await ApiClient.SendAsync(client, "DELETE", "/api/v1/nodes/n");
        Assert.Equal(200, status);
        Assert.Equal("Success", body!["status"]!.ToString());
        Assert.Equal(node["metadata"]!["uid"]!.ToString(), body["details"]!["uid"]!.ToString());
        Assert.Empty(emulator.ListNodes());
        Assert.Equal(404, (await ApiClient.SendAsync(client, "DELETE", "/api/v1/nodes/n")).Status);
    }
}
