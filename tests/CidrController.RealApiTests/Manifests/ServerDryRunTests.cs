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
        var yaml = await HelmChart.TemplateAsync("dry-defaults", "kube-system", "--set", "clusterCIDRs={10.244.0.0/16}", "--kube-version", ServerVersion);
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
        await AssertServerAcceptsAsync(yaml);
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
        var kubectl = HelmChart.Kubectl!;
        var info = new ProcessStartInfo(kubectl)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--kubeconfig", controlPlane.AdminKubeconfigPath, "apply", "--dry-run=server", "--validate=strict", "-f", "-"])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(yaml);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        var accepted = await output;
        Assert.True(process.ExitCode == 0, $"the server refused an object:\n{await error}\n{accepted}");
        var objectCount = yaml.Split("\nkind: ").Length - 1 + (yaml.StartsWith("kind: ", StringComparison.Ordinal) ? 1 : 0);
        Assert.Equal(objectCount, accepted.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("(server dry run)", StringComparison.Ordinal)));
    }
}
