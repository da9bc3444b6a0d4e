using CidrController.ApiEmulator;
using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Nodes;

using Microsoft.Extensions.Logging.Abstractions;

namespace CidrController.Tests.Integration;

/// <summary>The order a relist reports changes in: what the ledger's "occupy before anyone releases" rests on.</summary>
public sealed class NodeWatcherRelistTests
{
    [Fact]
    public async Task A_relist_reports_changes_only_once_the_whole_list_is_in_the_store_observations_first()
    {
        // Was: each listed node was reported as it was stored, so a worker could handle "a" (recreated under
        // its old name: its previous life's blocks freed) before "b", listed later with the same CIDR, had
        // been stored, let alone occupied — and hand that block out again.
        await using var api = await KubeApiEmulator.StartAsync(new EmulatorOptions { BearerToken = "token" });
        for (var i = 0; i < 5; i++)
        {
            api.CreateNode($"node-{i}", [$"10.1.{i}.0/24"]);
        }

        var options = InProcessController.Options(api, "10.1.0.0/16").Api;
        var store = new ObservedNodeStore();
        var watcher = new NodeWatcher(new LeanNodeClient(KubernetesClientFactory.Create(options)), store, TimeSpan.FromSeconds(30), TimeProvider.System, NullLogger<NodeWatcher>.Instance);
        var calls = new List<string>();
        var storeSizeAtFirstChange = -1;
        watcher.NodeObserved += name => calls.Add("observed " + name);
        watcher.NodeChanged += name =>
        {
            storeSizeAtFirstChange = storeSizeAtFirstChange < 0 ? store.Count : storeSizeAtFirstChange;
            calls.Add("changed " + name);
        };

        await watcher.ListAsync(CancellationToken.None);

        Assert.Equal(5, storeSizeAtFirstChange);
        Assert.Equal(10, calls.Count);
        Assert.All(calls.Take(5), c => Assert.StartsWith("observed ", c, StringComparison.Ordinal));
        Assert.All(calls.Skip(5), c => Assert.StartsWith("changed ", c, StringComparison.Ordinal));
    }
}
