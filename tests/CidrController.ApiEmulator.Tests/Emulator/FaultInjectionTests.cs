using System.Diagnostics;

using CidrController.ApiEmulator.Faults;

namespace CidrController.ApiEmulator.Tests.Emulator;

public sealed class FaultInjectionTests
{
    [Fact]
    public async Task StatusFaultsFireTheGivenNumberOfTimesWithRealBodies()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n");
        using var fault = emulator.Faults.FailRequests("PATCH", "/api/v1/nodes/", 500, count: 2);
        Assert.Equal(500, (await ApiClient.PatchAsync(client, "n", "{}")).Status);
        var second = await ApiClient.PatchAsync(client, "n", "{}");
        Assert.Equal(500, second.Status);
        Assert.Equal("InternalError", second.Body!["reason"]!.ToString());
        Assert.Equal(200, (await ApiClient.PatchAsync(client, "n", "{}")).Status);
        Assert.Equal(200, (await ApiClient.SendAsync(client, "GET", "/api/v1/nodes/n")).Status);
        Assert.Equal(2, fault.TimesFired);
        Assert.Equal([500, 500, 200], emulator.Requests.Where(r => r.Method == "PATCH").Select(r => r.StatusCode));
    }

    [Fact]
    public async Task TooManyRequestsCarriesRetryAfterAndForbiddenAStatus()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        using (emulator.Faults.FailRequests(null, "/api/v1/nodes", 429, retryAfterSeconds: 3))
        {
            var (status, body, response) = await ApiClient.SendAsync(client, "GET", "/api/v1/nodes");
            Assert.Equal(429, status);
            Assert.Equal("3", response.Headers.GetValues("Retry-After").Single());
            Assert.Equal("TooManyRequests", body!["reason"]!.ToString());
            Assert.Equal(3, body["details"]!["retryAfterSeconds"]!.GetValue<int>());
        }

        using (emulator.Faults.FailRequests("GET", "/api/v1/nodes", 403))
        {
            var (status, body, _) = await ApiClient.SendAsync(client, "GET", "/api/v1/nodes");
            Assert.Equal(403, status);
            Assert.Equal("Forbidden", body!["reason"]!.ToString());
            Assert.Equal("Status", body["kind"]!.ToString());
        }

        Assert.Equal(200, (await ApiClient.SendAsync(client, "GET", "/api/v1/nodes")).Status);
    }

    [Fact]
    public async Task ProbabilisticRulesAreReproducibleWithASeed()
    {
        static async Task<List<int>> RunAsync()
        {
            await using var emulator = await KubeApiEmulator.StartAsync(new EmulatorOptions { FaultSeed = 42 });
            using var client = emulator.CreateHttpClient();
            emulator.Faults.Add(new FaultRule { PathPrefix = "/version", Probability = 0.5, Action = FaultAction.RespondWith(503) });
            var codes = new List<int>();
            for (var i = 0; i < 20; i++)
            {
                codes.Add((await ApiClient.SendAsync(client, "GET", "/version")).Status);
            }

            return codes;
        }

        var first = await RunAsync();
        Assert.Equal(first, await RunAsync());
        Assert.Contains(503, first);
        Assert.Contains(200, first);
    }

    [Fact]
    public async Task DelaySlowsTheResponseDown()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        using var _ = emulator.Faults.DelayRequests("GET", "/api/v1/nodes", TimeSpan.FromMilliseconds(300), count: 1);
        var watch = Stopwatch.StartNew();
        Assert.Equal(200, (await ApiClient.SendAsync(client, "GET", "/api/v1/nodes")).Status);
        Assert.True(watch.ElapsedMilliseconds >= 280, $"took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task AWriteCanBeAppliedWithoutAnAnswer()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        emulator.CreateNode("a");
        emulator.CreateNode("b");
        using (var client = emulator.CreateHttpClient())
        {
            client.Timeout = TimeSpan.FromMilliseconds(500);
            emulator.Faults.HangAfterWrite("PATCH", "/api/v1/nodes/a");
            await Assert.ThrowsAnyAsync<TaskCanceledException>(() => ApiClient.PatchAsync(client, "a", """{"spec":{"podCIDR":"10.0.0.0/24"}}"""));
        }

        Assert.Equal("10.0.0.0/24", ApiClient.PodCidrs(emulator.GetNode("a")));

        using (var client = emulator.CreateHttpClient())
        {
            emulator.Faults.CloseAfterWrite("PATCH", "/api/v1/nodes/b");
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => ApiClient.PatchAsync(client, "b", """{"spec":{"podCIDR":"10.0.1.0/24"}}"""));
        }

        Assert.Equal("10.0.1.0/24", ApiClient.PodCidrs(emulator.GetNode("b")));
        Assert.Equal(2, emulator.Requests.Count(r => r.Method == "PATCH" && r.StatusCode == 0));
    }

    [Fact]
    public async Task OpenWatchesCanBeDroppedAndTheNextWatchForcedToExpire()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateNode("n");
        var rv = emulator.CurrentResourceVersion;
        await using var watch = await WatchStream.OpenAsync(client, $"/api/v1/nodes?watch=1&resourceVersion={rv}");
        await Task.Delay(100);
        emulator.Faults.DropWatches();
        await watch.WaitForEndAsync();
        Assert.True(watch.Aborted, "a dropped watch must break the connection, not end it cleanly");

        emulator.Faults.ExpireNextWatch();
        await using var expired = await WatchStream.OpenAsync(client, $"/api/v1/nodes?watch=1&resourceVersion={rv}");
        await expired.WaitForEndAsync();
        Assert.Equal(200, expired.StatusCode);
        Assert.Equal("ERROR", Assert.Single(expired.Events)["type"]!.ToString());
        Assert.Equal(410, expired.Events[0]["object"]!["code"]!.GetValue<int>());

        await using var normal = await WatchStream.OpenAsync(client, $"/api/v1/nodes?watch=1&resourceVersion={rv}&timeoutSeconds=1");
        await normal.WaitForEndAsync();
        Assert.Empty(normal.Events);
    }

    [Fact]
    public async Task RequestsAreRecordedWithUserAgentAndBody()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("cidr-controller/test");
        emulator.CreateNode("n");
        await ApiClient.PatchAsync(client, "n", """{"spec":{"podCIDR":"10.0.0.0/24"}}""");
        var record = Assert.Single(emulator.Requests);
        Assert.Equal("PATCH", record.Method);
        Assert.Equal("/api/v1/nodes/n", record.PathAndQuery);
        Assert.Equal("cidr-controller/test", record.UserAgent);
        Assert.Equal(200, record.StatusCode);
        Assert.Contains("10.0.0.0/24", record.Body, StringComparison.Ordinal);
    }
}
