using System.Text.Json;

using CidrController.TestHarness;

using k8s;
using k8s.Models;

namespace CidrController.RealApiTests.Pools;

/// <summary>ClusterCIDR pools on a real server, with the CRD the repository ships.</summary>
[Collection(RealControlPlaneCollection.Name)]
public sealed class RealServerClusterCidrTests(RealControlPlane controlPlane) : EmptyClusterTests(controlPlane)
{
    private const string Group = "networking.x-k8s.io";

    [RealControlPlaneFact]
    public async Task A_node_the_pool_selects_gets_the_pools_block_size_and_others_the_cluster_cidr()
    {
        await ApplyShippedCrdAsync();
        var pool = new
        {
            apiVersion = $"{Group}/v1",
            kind = "ClusterCIDR",
            metadata = new { name = "gpu-nodes" },
            spec = new
            {
                perNodeHostBits = 6,
                ipv4 = "10.206.0.0/16",
                nodeSelector = new { nodeSelectorTerms = new[] { new { matchExpressions = new[] { new { key = "pool", @operator = "In", values = new[] { "gpu" } } } } } },
            },
        };
        await Cluster.Admin.CreateClusterCustomObjectAsync(pool, Group, "v1", "clustercidrs");
        try
        {
            await Cluster.CreateNodeAsync("gpu-1", labels: new Dictionary<string, string> { ["pool"] = "gpu" });
            await Cluster.CreateNodeAsync("plain-1");
            await using var controller = Cluster.StartController("--cluster-cidr=10.207.0.0/16");

            Assert.Equal(["10.206.0.0/26"], await Cluster.AllocatedAsync("gpu-1", controller));
            Assert.Equal(["10.207.0.0/24"], await Cluster.AllocatedAsync("plain-1", controller));

            // In use, the pool carries the finalizer that keeps it until its last node is gone.
            var stored = JsonSerializer.Serialize(await Cluster.Admin.GetClusterCustomObjectAsync(Group, "v1", "clustercidrs", "gpu-nodes"));
            Assert.Contains("networking.x-k8s.io/cluster-cidr-finalizer", stored, StringComparison.Ordinal);
            await Cluster.ResetNodesAsync();
            await Cluster.Admin.DeleteClusterCustomObjectAsync(Group, "v1", "clustercidrs", "gpu-nodes");
            await RealCluster.EventuallyAsync(
                async () => (await ListPoolsAsync()).Count == 0, "the pool was not released once its last node was gone", controller);
        }
        finally
        {
            await DropPoolsAsync();
        }
    }

    /// <summary>
    /// Creates the CRD from deploy/crds as shipped. Servers older than 1.31 have no CEL isCIDR()/cidr() functions
    /// and refuse the two rules that use them; only there are those two rules dropped before applying.
    /// </summary>
    private async Task ApplyShippedCrdAsync()
    {
        var path = Path.Combine(KubeBinaries.RepositoryRoot()!, "deploy", "crds", "clustercidrs.networking.x-k8s.io.yaml");
        var crd = KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(path)).OfType<V1CustomResourceDefinition>().Single();
        var version = await Cluster.Admin.GetCodeAsync();
        if (int.Parse(version.Minor.TrimEnd('+'), System.Globalization.CultureInfo.InvariantCulture) < 31)
        {
            StripCidrRules(crd.Spec.Versions.Single().Schema.OpenAPIV3Schema);
        }

        if ((await Cluster.Admin.ListCustomResourceDefinitionAsync()).Items.All(c => c.Metadata.Name != crd.Metadata.Name))
        {
            await Cluster.Admin.CreateCustomResourceDefinitionAsync(crd);
        }

        await RealCluster.EventuallyAsync(
            async () => (await Cluster.Admin.ReadCustomResourceDefinitionAsync(crd.Metadata.Name)).Status?.Conditions?
                .Any(c => c.Type == "Established" && c.Status == "True") == true,
            "the ClusterCIDR CRD never became established");
    }

    private static void StripCidrRules(V1JSONSchemaProps? schema)
    {
        if (schema is null)
        {
            return;
        }

        if (schema.XKubernetesValidations is { } rules)
        {
            schema.XKubernetesValidations = [.. rules.Where(r => !r.Rule.Contains("isCIDR(", StringComparison.Ordinal))];
        }

        foreach (var property in schema.Properties?.Values ?? [])
        {
            StripCidrRules(property);
        }

        StripCidrRules(schema.Items as V1JSONSchemaProps);
    }

    private async Task<List<JsonElement>> ListPoolsAsync()
    {
        var list = (JsonElement)await Cluster.Admin.ListClusterCustomObjectAsync(Group, "v1", "clustercidrs");
        return [.. list.GetProperty("items").EnumerateArray()];
    }

    private async Task DropPoolsAsync()
    {
        foreach (var pool in await ListPoolsAsync())
        {
            var name = pool.GetProperty("metadata").GetProperty("name").GetString()!;
            await Cluster.Admin.PatchClusterCustomObjectAsync(
                new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), Group, "v1", "clustercidrs", name);
            await Cluster.Admin.DeleteClusterCustomObjectAsync(Group, "v1", "clustercidrs", name);
        }
    }
}
