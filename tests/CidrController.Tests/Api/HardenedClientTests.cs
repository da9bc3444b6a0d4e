using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Configuration;

namespace CidrController.Tests.Api;

/// <summary>A bearer token goes only to a verified https:// API server, unless the operator explicitly allows otherwise.</summary>
public sealed class HardenedClientTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cidr-controller-client-").FullName;

    [Theory]
    [InlineData("http://10.0.0.1:6443")]
    [InlineData("http://api.example.com")]
    [InlineData("HTTP://[fd00::1]:6443")]
    public void A_plain_http_server_beyond_loopback_is_refused(string master)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => KubernetesClientFactory.LoadConfiguration(new ApiClientOptions { Master = master }));
        Assert.Contains("is not https://; pass --allow-insecure-api-server", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://[::1]:8080")]
    [InlineData("http://localhost:8001")]
    public void A_plain_http_server_on_loopback_is_accepted(string master) =>
        Assert.Equal(master, KubernetesClientFactory.LoadConfiguration(new ApiClientOptions { Master = master }).Host);

    [Fact]
    public void A_plain_http_server_is_accepted_when_explicitly_allowed() =>
        Assert.Equal("http://10.0.0.1:6443", KubernetesClientFactory.LoadConfiguration(new ApiClientOptions { Master = "http://10.0.0.1:6443", AllowInsecureApiServer = true }).Host);

    [Fact]
    public void A_kubeconfig_that_skips_TLS_verification_is_refused_unless_allowed()
    {
        var path = Path.Combine(_directory, "skip.kubeconfig");
        File.WriteAllText(path, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: https://10.0.0.1:6443
                insecure-skip-tls-verify: true
            users:
            - name: u
              user:
                token: secret-token-value
            contexts:
            - name: c
              context:
                cluster: c
                user: u
            current-context: c

            """);
        var refused = Assert.Throws<InvalidOperationException>(() => KubernetesClientFactory.LoadConfiguration(new ApiClientOptions { Kubeconfig = path }));
        Assert.Contains("insecure-skip-tls-verify", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token-value", refused.Message, StringComparison.Ordinal);
        Assert.True(KubernetesClientFactory.LoadConfiguration(new ApiClientOptions { Kubeconfig = path, AllowInsecureApiServer = true }).SkipTlsVerify);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
