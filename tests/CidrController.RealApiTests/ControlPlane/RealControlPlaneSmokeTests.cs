using System.Net;

using CidrController.TestHarness;

using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CidrController.RealApiTests.ControlPlane;

[Collection(RealControlPlaneCollection.Name)]
public sealed class RealControlPlaneSmokeTests(RealControlPlane controlPlane)
{
    [RealControlPlaneFact]
    public async Task The_server_is_ready_over_TLS_and_the_admin_token_can_read_the_built_in_namespaces()
    {
        using var http = controlPlane.CreateHttpClient();
        Assert.Equal("ok", await http.GetStringAsync(new Uri("readyz", UriKind.Relative)));

        using var client = controlPlane.CreateClient();
        var namespaces = await client.ListNamespaceAsync();
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "kube-system");
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
    }

    [RealControlPlaneFact]
    public async Task A_request_without_a_token_is_refused()
    {
        using var http = controlPlane.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = null;
        using var response = await http.GetAsync(new Uri("api/v1/nodes", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode); // anonymous is authenticated, then denied by RBAC
    }

    [RealControlPlaneFact]
    public async Task The_written_kubeconfig_works_for_the_client_the_controller_uses()
    {
        var path = Path.Combine(controlPlane.WorkDirectory, "smoke.kubeconfig");
        controlPlane.WriteKubeconfig(path);
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(path));
        var node = await client.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "smoke-kubeconfig" } });
        Assert.NotNull(node.Metadata.Uid);
        await client.DeleteNodeAsync("smoke-kubeconfig");
    }

    [RealControlPlaneFact]
    public async Task A_service_account_token_from_TokenRequest_authenticates_and_RBAC_decides_what_it_may_do()
    {
        using var admin = controlPlane.CreateClient();
        await admin.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "smoke-sa" } });
        await admin.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "reader" } }, "smoke-sa");

        var token = await controlPlane.CreateServiceAccountTokenAsync("smoke-sa", "reader");
        using var asReader = controlPlane.CreateClient(token);
        var denied = await Assert.ThrowsAsync<HttpOperationException>(() => asReader.ListNodeAsync());
        Assert.Equal(HttpStatusCode.Forbidden, denied.Response.StatusCode);
        Assert.Contains("system:serviceaccount:smoke-sa:reader", denied.Response.Content, StringComparison.Ordinal);

        await admin.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = "smoke-node-reader" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["nodes"], Verbs = ["list"] }],
        });
        await admin.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "smoke-node-reader" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "smoke-node-reader" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "reader", NamespaceProperty = "smoke-sa" }],
        });
        await Eventually(async () => (await asReader.ListNodeAsync()) is not null);
    }

    // RBAC changes reach the authorizer's cache shortly after the write.
    private static async Task Eventually(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpOperationException) when (!timeout.IsCancellationRequested)
            {
            }

            await Task.Delay(100, timeout.Token);
        }
    }
}
