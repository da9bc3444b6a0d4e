using System.Net;

using CidrController.TestHarness;

namespace CidrController.RealApiTests.Serving;

/// <summary>Bearer tokens, the controller's own and its callers', never reach the log, even at the most verbose level.</summary>
[Collection(RealControlPlaneCollection.Name)]
public sealed class TokenLoggingTests(RealControlPlane controlPlane) : IDisposable
{
    private readonly RealCluster _cluster = new(controlPlane);

    [RealControlPlaneFact]
    public async Task No_token_appears_in_the_log_at_v10()
    {
        var port = LoopbackPort.Free();
        const string badToken = "bad-token-that-must-not-be-logged-0123456789";
        await using var controller = _cluster.StartController(
            "--cluster-cidr=10.250.0.0/16", "--bind-address=127.0.0.1", $"--secure-port={port}", "--v=10");
        Assert.True(await controller.WaitReadyAsync(TimeSpan.FromSeconds(60)), controller.Output);
        await _cluster.ResetNodesAsync();
        await _cluster.CreateNodeAsync("token-logging-1");
        await _cluster.AllocatedAsync("token-logging-1", controller);
        var secure = new Uri($"https://127.0.0.1:{port}/");
        // The admin token (the controller's own credential) as a caller too: authenticated, allowed, 200.
        Assert.Equal(HttpStatusCode.OK, (await SecureServingTests.GetAsync(secure, "metrics", controlPlane.AdminToken)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SecureServingTests.GetAsync(secure, "metrics", badToken)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SecureServingTests.GetAsync(secure, "healthz", badToken)).Status);
        await controller.StopAsync(TimeSpan.FromSeconds(20));

        var output = controller.Output;
        Assert.Contains($"127.0.0.1:{port}/metrics", output, StringComparison.Ordinal); // each request is traced at this level
        Assert.Contains("token-logging-1", output, StringComparison.Ordinal);
        Assert.DoesNotContain(controlPlane.AdminToken, output, StringComparison.Ordinal);
        Assert.DoesNotContain(badToken, output, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer ", output, StringComparison.OrdinalIgnoreCase);
        await _cluster.ResetNodesAsync();
    }

    public void Dispose() => _cluster.Dispose();
}
