using CidrController.TestHarness;

namespace CidrController.RealApiTests;

/// <summary>
/// Base of the test classes whose every test starts on the shared server with no nodes: what an earlier test left
/// (nodes, finalizers included) is deleted before each test. Without the binaries nothing is reset: the tests skip.
/// </summary>
public abstract class EmptyClusterTests(RealControlPlane controlPlane) : IAsyncLifetime
{
    protected RealCluster Cluster { get; } = new(controlPlane);

    public async Task InitializeAsync()
    {
        if (KubeBinaries.Find() is not null)
        {
            await Cluster.ResetNodesAsync();
        }
    }

    public Task DisposeAsync()
    {
        Cluster.Dispose();
        return Task.CompletedTask;
    }
}
