namespace CidrController.ApiEmulator.Tests.Emulator;

/// <summary>ClusterCIDR custom resources as a server with node-ipam-controller's CRD installed serves them.</summary>
public sealed class ClusterCidrTests
{
    private const string Collection = "/apis/networking.x-k8s.io/v1/clustercidrs";

    [Fact]
    public async Task CrudIsClusterScopedAndFinalizersHoldADeletedPool()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        var created = await ApiClient.SendAsync(client, "POST", Collection,
            """{"apiVersion":"networking.x-k8s.io/v1","kind":"ClusterCIDR","metadata":{"name":"gpu"},"spec":{"perNodeHostBits":8,"ipv4":"10.9.0.0/16"}}""");
        Assert.Equal(201, created.Status);
        Assert.Null(created.Body!["metadata"]!["namespace"]);

        var list = await ApiClient.SendAsync(client, "GET", Collection);
        Assert.Equal("ClusterCIDRList", list.Body!["kind"]!.ToString());
        Assert.Single(list.Body["items"]!.AsArray());

        var smp = await ApiClient.SendAsync(client, "PATCH", $"{Collection}/gpu", """{"metadata":{"finalizers":["x/y"]}}""", "application/strategic-merge-patch+json");
        Assert.Equal(415, smp.Status);
        var merge = await ApiClient.SendAsync(client, "PATCH", $"{Collection}/gpu", """{"metadata":{"finalizers":["networking.x-k8s.io/cluster-cidr-finalizer"]}}""", "application/merge-patch+json");
        Assert.Equal(200, merge.Status);

        var deleted = await ApiClient.SendAsync(client, "DELETE", $"{Collection}/gpu");
        Assert.Equal(200, deleted.Status);
        Assert.NotNull(emulator.GetClusterCidr("gpu")!["metadata"]!["deletionTimestamp"]);

        var released = await ApiClient.SendAsync(client, "PATCH", $"{Collection}/gpu", """{"metadata":{"finalizers":null}}""", "application/merge-patch+json");
        Assert.Equal(200, released.Status);
        Assert.Null(emulator.GetClusterCidr("gpu"));
    }

    [Theory]
    [InlineData("""{"perNodeHostBits":8,"ipv4":"fd00::/48"}""", "spec.ipv4", "IPv4 must be a valid IPv4 CIDR.")]
    [InlineData("""{"perNodeHostBits":8,"ipv6":"10.0.0.0/8"}""", "spec.ipv6", "IPv6 must be a valid IPv6 CIDR.")]
    [InlineData("""{"perNodeHostBits":8}""", "spec", "A CIDR must be specified for ipv4 or ipv6.")]
    [InlineData("""{"ipv4":"10.0.0.0/8"}""", "spec.perNodeHostBits", "")]
    public async Task TheCrdsRulesAreEnforced(string spec, string field, string message)
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();

        var (status, body, _) = await ApiClient.SendAsync(client, "POST", Collection, $$"""{"metadata":{"name":"bad"},"spec":{{spec}}}""");

        Assert.Equal(422, status);
        var cause = Assert.Single(body!["details"]!["causes"]!.AsArray());
        Assert.Equal(field, cause!["field"]!.ToString());
        Assert.Contains(message, cause["message"]?.ToString() ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpecFieldsAreImmutable()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateClusterCidr("gpu", 8, ipv4: "10.9.0.0/16");

        var (status, body, _) = await ApiClient.SendAsync(client, "PATCH", $"{Collection}/gpu", """{"spec":{"ipv4":"10.10.0.0/16"}}""", "application/merge-patch+json");

        Assert.Equal(422, status);
        Assert.Contains("IPv4 cannot be changed.", body!["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal("10.9.0.0/16", emulator.GetClusterCidr("gpu")!["spec"]!["ipv4"]!.ToString());
    }
}
