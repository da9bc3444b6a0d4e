using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CidrController.ApiEmulator.Tests.Emulator;

public sealed class HttpsTests
{
    [Fact]
    public async Task HttpsRequiresTheBearerTokenAndIsTrustedThroughTheGeneratedCa()
    {
        await using var emulator = await KubeApiEmulator.StartAsync(new EmulatorOptions { Https = true, BearerToken = "s3cret" });
        Assert.Equal("https", emulator.BaseAddress.Scheme);
        using var client = emulator.CreateHttpClient();
        Assert.Equal(200, (await ApiClient.SendAsync(client, "GET", "/api/v1/nodes")).Status);

        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "wrong");
        var (status, body, _) = await ApiClient.SendAsync(client, "GET", "/api/v1/nodes");
        Assert.Equal(401, status);
        Assert.Equal("Unauthorized", body!["reason"]!.ToString());

        using var untrusting = new HttpClient { BaseAddress = emulator.BaseAddress };
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(new Uri("/api/v1/nodes", UriKind.Relative)));
    }

    [Fact]
    public async Task KubernetesClientWorksFromTheWrittenKubeconfig()
    {
        await using var emulator = await KubeApiEmulator.StartAsync(new EmulatorOptions { Https = true });
        var path = emulator.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"emulator-{Guid.NewGuid():N}.kubeconfig"));
        try
        {
            var text = await File.ReadAllTextAsync(path);
            Assert.Contains("certificate-authority-data:", text, StringComparison.Ordinal);
            Assert.Contains($"token: {emulator.BearerToken}", text, StringComparison.Ordinal);

            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
            using var kube = new Kubernetes(config);
            emulator.CreateNode("n1");
            emulator.CreateNode("n2");
            var page = await kube.CoreV1.ListNodeAsync(limit: 1);
            Assert.Single(page.Items);
            var rest = await kube.CoreV1.ListNodeAsync(limit: 1, continueParameter: page.Metadata.ContinueProperty);
            Assert.Equal("n2", rest.Items.Single().Metadata.Name);

            var patched = await kube.CoreV1.PatchNodeAsync(
                new V1Patch("""{"spec":{"podCIDR":"10.0.0.0/24","podCIDRs":["10.0.0.0/24"]}}""", V1Patch.PatchType.StrategicMergePatch), "n1");
            Assert.Equal("10.0.0.0/24", patched.Spec.PodCIDR);

            var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => kube.CoreV1.PatchNodeAsync(
                new V1Patch("""{"spec":{"podCIDR":"10.0.1.0/24","podCIDRs":["10.0.1.0/24"]}}""", V1Patch.PatchType.StrategicMergePatch), "n1"));
            Assert.Equal(422, (int)conflict.Response.StatusCode);

            // The 410 arrives as an ERROR event: KubernetesClient routes it to onError and ends the loop quietly, without throwing.
            emulator.CompactWatchHistory();
            Exception? error = null;
            var seen = 0;
            await foreach (var (_, _) in kube.CoreV1.WatchListNodeAsync(resourceVersion: page.Metadata.ResourceVersion, timeoutSeconds: 2, onError: e => error = e))
            {
                seen++;
            }

            Assert.Equal(0, seen);
            var expired = Assert.IsType<KubernetesException>(error);
            Assert.Equal(410, expired.Status.Code);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
