using CidrController.TestHarness;

namespace CidrController.RealApiTests.Leadership;

/// <summary>What the real API server answers when the Lease's namespace does not exist (404 on the create).</summary>
[Collection(RealControlPlaneCollection.Name)]
public sealed class LeaseNamespaceMissingTests(RealControlPlane controlPlane) : IDisposable
{
    private readonly RealCluster _cluster = new(controlPlane);

    public void Dispose() => _cluster.Dispose();

    [RealControlPlaneFact]
    public async Task A_lease_namespace_that_does_not_exist_ends_the_process_with_exit_code_1_and_one_error_line()
    {
        await using var controller = _cluster.StartController(
            "--cluster-cidr=10.210.0.0/16", "--leader-elect=true", "--leader-elect-resource-namespace=no-such-namespace");

        var exitCode = await controller.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var errors = controller.Output.Split('\n').Where(l => l.Contains(" ERR ", StringComparison.Ordinal)).ToArray();
        var error = Assert.Single(errors);
        Assert.Contains("no-such-namespace", error, StringComparison.Ordinal);

        // Through the real binary's Serilog output: the lease is named, not a literal {Namespace} placeholder.
        Assert.Contains("is a candidate for lease no-such-namespace/cidr-controller", controller.Output, StringComparison.Ordinal);
    }
}
