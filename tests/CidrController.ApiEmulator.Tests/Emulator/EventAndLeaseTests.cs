namespace CidrController.ApiEmulator.Tests.Emulator;

public sealed class EventAndLeaseTests
{
    private const string V1Events = "/apis/events.k8s.io/v1/namespaces/default/events";

    [Theory]
    [InlineData("reportingController")]
    [InlineData("reportingInstance")]
    [InlineData("action")]
    public async Task EventsV1RequireTheReportingFields(string missing)
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        var body = System.Text.Json.Nodes.JsonNode.Parse("""
            {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"generateName":"node-1-"},
             "eventTime":"2026-11-26T00:00:00.000000Z","reportingController":"cidr-controller","reportingInstance":"i-1",
             "action":"Allocate","reason":"CIDRNotAvailable","type":"Warning","note":"x","regarding":{"kind":"Node","name":"node-1"}}
            """)!.AsObject();
        body.Remove(missing);
        var (status, response, _) = await ApiClient.SendAsync(client, "POST", V1Events, body.ToJsonString());
        Assert.Equal(422, status);
        Assert.Contains(response!["details"]!["causes"]!.AsArray(), c => c!["field"]!.ToString() == missing && c["reason"]!.ToString() == "FieldValueRequired");
        Assert.Empty(emulator.Events);
    }

    [Fact]
    public async Task EventsV1RejectADotEndedGenerateNameAndAcceptAValidOne()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        const string template = """
            {"metadata":{"generateName":"PREFIX"},"eventTime":"2026-11-26T00:00:00.000000Z","reportingController":"cidr-controller",
             "reportingInstance":"i-1","action":"Allocate","reason":"R","type":"Normal","regarding":{"kind":"Node","name":"node-1"}}
            """;
        var bad = await ApiClient.SendAsync(client, "POST", V1Events, template.Replace("PREFIX", "node-1.", StringComparison.Ordinal));
        Assert.Equal(422, bad.Status);
        Assert.Contains(bad.Body!["details"]!["causes"]!.AsArray(), c => c!["field"]!.ToString() == "metadata.generateName");

        var good = await ApiClient.SendAsync(client, "POST", V1Events, template.Replace("PREFIX", "node-1-", StringComparison.Ordinal));
        Assert.Equal(201, good.Status);
        var name = good.Body!["metadata"]!["name"]!.ToString();
        Assert.Matches("^node-1-[a-z0-9]{5}$", name);

        var patched = await ApiClient.SendAsync(client, "PATCH", $"{V1Events}/{name}", """{"note":"again"}""", "application/merge-patch+json");
        Assert.Equal(200, patched.Status);
        Assert.Equal("again", Assert.Single(emulator.Events)["note"]!.ToString());

        var list = await ApiClient.SendAsync(client, "GET", V1Events);
        Assert.Equal("EventList", list.Body!["kind"]!.ToString());
        Assert.Single(list.Body["items"]!.AsArray());
    }

    [Fact]
    public async Task CoreEventsAreStoredAndListed()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        var (status, body, _) = await ApiClient.SendAsync(client, "POST", "/api/v1/namespaces/default/events",
            """{"metadata":{"name":"node-1.abc"},"involvedObject":{"kind":"Node","name":"node-1"},"reason":"CIDRNotAvailable","type":"Warning","count":1}""");
        Assert.Equal(201, status);
        Assert.Equal("", body!["reportingComponent"]!.ToString());
        var patched = await ApiClient.SendAsync(client, "PATCH", "/api/v1/namespaces/default/events/node-1.abc", """{"count":2}""", "application/strategic-merge-patch+json");
        Assert.Equal(2, patched.Body!["count"]!.GetValue<int>());
        Assert.Equal(2, Assert.Single(emulator.Events)["count"]!.GetValue<int>());
        var wrongNamespace = await ApiClient.SendAsync(client, "POST", "/api/v1/namespaces/kube-system/events",
            """{"metadata":{"name":"x"},"involvedObject":{"kind":"Node","name":"node-1"},"reason":"R"}""");
        Assert.Equal(422, wrongNamespace.Status);
    }

    [Fact]
    public async Task LeasesConflictOnStaleUpdatesAndRejectBadDurations()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        const string path = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases";
        Assert.Equal(404, (await ApiClient.SendAsync(client, "GET", path + "/l")).Status);
        var created = await ApiClient.SendAsync(client, "POST", path, """{"metadata":{"name":"l"},"spec":{"holderIdentity":"a","leaseDurationSeconds":15}}""");
        Assert.Equal(201, created.Status);
        Assert.Equal(409, (await ApiClient.SendAsync(client, "POST", path, """{"metadata":{"name":"l"}}""")).Status);

        var lease = created.Body!.AsObject();
        lease["spec"]!["holderIdentity"] = "b";
        Assert.Equal(200, (await ApiClient.SendAsync(client, "PUT", path + "/l", lease.ToJsonString())).Status);
        var stale = await ApiClient.SendAsync(client, "PUT", path + "/l", lease.ToJsonString());
        Assert.Equal(409, stale.Status);
        Assert.Equal("Conflict", stale.Body!["reason"]!.ToString());
        Assert.Equal("b", emulator.GetLease("kube-system", "l")!["spec"]!["holderIdentity"]!.ToString());

        var bad = await ApiClient.SendAsync(client, "POST", path, """{"metadata":{"name":"m"},"spec":{"leaseDurationSeconds":0}}""");
        Assert.Equal(422, bad.Status);
        Assert.Equal("spec.leaseDurationSeconds", bad.Body!["details"]!["causes"]![0]!["field"]!.ToString());

        var list = await ApiClient.SendAsync(client, "GET", path);
        Assert.Equal("LeaseList", list.Body!["kind"]!.ToString());
    }
}
