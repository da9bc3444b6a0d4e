using System.Diagnostics;

using CidrController.RealApiTests.Rbac;
using CidrController.TestHarness;

namespace CidrController.RealApiTests.Manifests;

/// <summary>
/// Every object the chart renders and every object in deploy/ is sent to the real API server with server-side
/// dry-run (<c>kubectl apply --dry-run=server</c>): the server runs defaulting, schema validation and admission on it
/// and stores nothing. A template that renders valid YAML but an object the server refuses (a wrong field name, a
/// bad enum value, a CRD rule the server cannot compile) fails here, before a user's install does.
/// </summary>
[Collection(RealControlPlaneCollection.Name)]
public sealed class ServerDryRunTests(RealControlPlane controlPlane)
{
    [ServerDryRunFact]
    public async Task Every_object_the_chart_renders_with_its_defaults_passes_server_side_dry_run()
    {
        var yaml = await HelmChart.TemplateAsync("dry-defaults", "kube-system", "--set", "clusterCIDRs={10.244.0.0/16}", "--skip-tests", "--kube-version", ServerVersion);
        await AssertServerAcceptsAsync(yaml);
    }

    [ServerDryRunFact]
    public async Task Every_optional_object_the_server_knows_passes_server_side_dry_run()
    {
        // ServiceMonitor and PrometheusRule need the Prometheus Operator's CRDs, which a bare API server does not
        // have; the admission policy needs Kubernetes 1.30. Everything else the chart can render is switched on.
        var yaml = await HelmChart.TemplateAsync(
            "dry-optional", "kube-system",
            "--set", "clusterCIDRs={10.244.0.0/16,fd00:10:244::/56}",
            "--set", "serviceClusterIPRanges={10.96.0.0/16}",
            "--set", "clusterCIDRPools.installCRD=true",
            "--set", "dashboard.enabled=true",
            "--set", "replicaCount=2",
            "--kube-version", ServerVersion);
        Assert.Contains("kind: CustomResourceDefinition", yaml, StringComparison.Ordinal);
        Assert.Contains("kind: ConfigMap", yaml, StringComparison.Ordinal);
        Assert.Contains("helm.sh/hook: test", yaml, StringComparison.Ordinal);

        // The helm test Pod runs after the release is installed: the server's ServiceAccount admission refuses a
        // Pod whose ServiceAccount does not exist yet, and a dry-run stores nothing. So the ServiceAccount is
        // created for real first, as the install would, and removed afterwards.
        var serviceAccount = string.Join("\n---\n", yaml.Split("\n---").Where(d => d.Contains("\nkind: ServiceAccount", StringComparison.Ordinal)));
        await KubectlAsync(serviceAccount, "apply", "-f", "-");
        try
        {
            await AssertServerAcceptsAsync(yaml);
        }
        finally
        {
            await KubectlAsync(serviceAccount, "delete", "-f", "-");
        }
    }

    [ServerDryRunFact]
    public async Task The_plain_manifests_in_deploy_pass_server_side_dry_run()
    {
        var deploy = Path.Combine(KubeBinaries.RepositoryRoot()!, "deploy", "cidr-controller.yaml");
        await AssertServerAcceptsAsync(await File.ReadAllTextAsync(deploy));
    }

    /// <summary>The version of the API server under test, in the form helm's --kube-version takes.</summary>
    private static string ServerVersion => "1.26.4";

    private async Task AssertServerAcceptsAsync(string yaml)
    {
        var accepted = await KubectlAsync(yaml, "apply", "--dry-run=server", "--validate=strict", "-f", "-");
        var objectCount = yaml.Split('\n').Count(line => line.StartsWith("kind: ", StringComparison.Ordinal));
        Assert.Equal(objectCount, accepted.Split('\n').Count(line => line.Contains("(server dry run)", StringComparison.Ordinal)));
    }

    /// <summary>kubectl as the cluster admin with <paramref name="yaml"/> on its standard input; fails the test on a non-zero exit.</summary>
    private async Task<string> KubectlAsync(string yaml, params string[] arguments)
    {
        var info = new ProcessStartInfo(HelmChart.Kubectl!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--kubeconfig", controlPlane.AdminKubeconfigPath, .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(yaml);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"kubectl {string.Join(' ', arguments)}: the server refused an object:\n{await error}\n{await output}");
        return await output;
    }
}
