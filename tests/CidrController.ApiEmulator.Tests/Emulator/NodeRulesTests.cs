using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Tests.Emulator;

public sealed class NodeRulesTests
{
    [Theory]
    [InlineData("""{"spec":{"podCIDRs":["10.0.0.0/24","10.0.0.0/24"]}}""", "spec.podCIDRs", "FieldValueInvalid")]
    [InlineData("""{"spec":{"podCIDRs":["fd00::/64","fd00::/64"]}}""", "spec.podCIDRs[1]", "FieldValueDuplicate")]
    [InlineData("""{"spec":{"podCIDRs":["10.0.0.0/24","fd00::/64","10.1.0.0/24"]}}""", "spec.podCIDRs", "FieldValueInvalid")]
    [InlineData("""{"spec":{"podCIDRs":["10.0.0.0"]}}""", "spec.podCIDRs[0]", "FieldValueInvalid")]
    [InlineData("""{"spec":{"podCIDR":"fd00::/129"}}""", "spec.podCIDRs[0]", "FieldValueInvalid")]
    [InlineData("""{"spec":{"podCIDRs":["10.0.0.256/24"]}}""", "spec.podCIDRs[0]", "FieldValueInvalid")]
    public async Task InvalidPodCidrsAreRejectedWithTheRealCause(string mergePatch, string field, string reason)
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n");
        var (status, body, _) = await ApiClient.PatchAsync(client, "n", mergePatch, "application/merge-patch+json");
        Assert.Equal(422, status);
        Assert.Equal("Invalid", body!["reason"]!.ToString());
        var causes = body["details"]!["causes"]!.AsArray();
        Assert.Contains(causes, c => c!["field"]!.ToString() == field && c["reason"]!.ToString() == reason);
    }

    [Fact]
    public async Task DualStackIsAcceptedAndPodCidrIsTheFirst()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n");
        var (status, body, _) = await ApiClient.PatchAsync(client, "n", """{"spec":{"podCIDRs":["fd00::/64","10.0.0.0/24"]}}""");
        Assert.Equal(200, status);
        Assert.Equal("fd00::/64", body!["spec"]!["podCIDR"]!.ToString());
        Assert.Equal("fd00::/64,10.0.0.0/24", ApiClient.PodCidrs(body));
    }

    [Fact]
    public async Task PodCidrsAreImmutableOnceSetThroughEveryWritePath()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n", podCidrs: ["10.0.0.0/24"]);
        var forbidden = "Forbidden: node updates may not change podCIDR except from \"\" to valid";

        var merge = await ApiClient.PatchAsync(client, "n", """{"spec":{"podCIDR":"10.0.1.0/24","podCIDRs":["10.0.1.0/24"]}}""", "application/merge-patch+json");
        Assert.Equal(422, merge.Status);
        Assert.Contains(merge.Body!["details"]!["causes"]!.AsArray(), c => c!["message"]!.ToString() == forbidden && c["field"]!.ToString() == "spec.podCIDRs");

        var jsonPatch = await ApiClient.PatchAsync(client, "n", """[{"op":"remove","path":"/spec/podCIDRs"},{"op":"remove","path":"/spec/podCIDR"}]""", "application/json-patch+json");
        Assert.Equal(422, jsonPatch.Status);

        var current = emulator.GetNode("n")!;
        current["spec"]!["podCIDRs"] = new JsonArray("10.0.0.0/24", "fd00::/64");
        current["spec"]!["podCIDR"] = "10.0.0.0/24";
        var put = await ApiClient.SendAsync(client, "PUT", "/api/v1/nodes/n", current.ToJsonString());
        Assert.Equal(422, put.Status);

        Assert.Throws<ApiStatusException>(() => emulator.UpdateNode("n", n =>
        {
            n["spec"]!["podCIDR"] = "10.9.0.0/24";
            return n;
        }));
        Assert.Equal("10.0.0.0/24", ApiClient.PodCidrs(emulator.GetNode("n")));
    }

    [Fact]
    public async Task SettingOnlyPodCidrImpliesPodCidrsAndHostBitsAreStoredAsWritten()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n");
        var (status, body, _) = await ApiClient.PatchAsync(client, "n", """{"spec":{"podCIDR":"10.1.2.3/16"}}""");
        Assert.Equal(200, status);
        Assert.Equal("10.1.2.3/16", ApiClient.PodCidrs(body));
    }

    [Fact]
    public async Task StrategicMergeMergesPodCidrsButMergePatchReplaces()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n", podCidrs: ["10.0.0.0/24"]);
        const string patch = """{"spec":{"podCIDR":"10.0.1.0/24","podCIDRs":["10.0.1.0/24"]}}""";
        var smp = await ApiClient.PatchAsync(client, "n", patch);
        Assert.Equal(422, smp.Status);
        Assert.Contains("[]string{\"10.0.1.0/24\", \"10.0.0.0/24\"}", smp.Body!["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, smp.Body["details"]!["causes"]!.AsArray().Count);

        var merge = await ApiClient.PatchAsync(client, "n", patch, "application/merge-patch+json");
        Assert.Equal(422, merge.Status);
        var cause = Assert.Single(merge.Body!["details"]!["causes"]!.AsArray());
        Assert.Equal("FieldValueForbidden", cause!["reason"]!.ToString());
    }

    [Fact]
    public async Task StrategicMergeDisagreeingPodCidrLosesNothing()
    {
        // podCIDRs merges to a valid dual-stack pair, but the stored podCIDR disagrees with its first element and wins:
        // the node is unchanged, no write happens (the conversion rule behind golden patch-smp-mismatch).
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n", podCidrs: ["10.0.0.0/24"]);
        var rv = emulator.CurrentResourceVersion;
        var (status, body, _) = await ApiClient.PatchAsync(client, "n", """{"spec":{"podCIDRs":["fd00::/64"]}}""");
        Assert.Equal(200, status);
        Assert.Equal("10.0.0.0/24", ApiClient.PodCidrs(body));
        Assert.Equal(rv, emulator.CurrentResourceVersion);
    }

    [Fact]
    public async Task CreateRejectsBadNamesAndDuplicates()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        var tooLong = new string('a', 254);
        var (status, body, _) = await ApiClient.SendAsync(client, "POST", "/api/v1/nodes", $$$"""{"metadata":{"name":"{{{tooLong}}}"}}""");
        Assert.Equal(422, status);
        Assert.Contains("must be no more than 253 characters", body!["message"]!.ToString(), StringComparison.Ordinal);

        var missing = await ApiClient.SendAsync(client, "POST", "/api/v1/nodes", """{"metadata":{}}""");
        Assert.Equal(422, missing.Status);
        Assert.Equal("metadata.name", missing.Body!["details"]!["causes"]![0]!["field"]!.ToString());

        emulator.CreateNode("dup");
        var duplicate = Assert.Throws<ApiStatusException>(() => emulator.CreateNode("dup"));
        Assert.Equal(409, duplicate.Code);
        Assert.Equal("AlreadyExists", duplicate.Reason);
    }

    [Fact]
    public async Task MalformedRequestsGetTheRealStatusCodes()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n");
        Assert.Equal(400, (await ApiClient.SendAsync(client, "POST", "/api/v1/nodes", "{not json")).Status);
        Assert.Equal(400, (await ApiClient.PatchAsync(client, "n", "{not json")).Status);
        Assert.Equal(415, (await ApiClient.PatchAsync(client, "n", "{}", "application/apply-patch+yaml")).Status);
        Assert.Equal(415, (await ApiClient.SendAsync(client, "POST", "/api/v1/nodes", "name: x", "application/yaml")).Status);
        var unknown = await ApiClient.SendAsync(client, "GET", "/api/v1/pods");
        Assert.Equal(404, unknown.Status);
        Assert.Equal("Status", unknown.Body!["kind"]!.ToString());
        Assert.Equal(405, (await ApiClient.SendAsync(client, "PUT", "/api/v1/nodes", "{}")).Status);
        var wrongName = await ApiClient.SendAsync(client, "PUT", "/api/v1/nodes/n", """{"metadata":{"name":"other"}}""");
        Assert.Equal(400, wrongName.Status);
        Assert.Equal("BadRequest", wrongName.Body!["reason"]!.ToString());
    }
}
