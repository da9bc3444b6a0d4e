using System.Text.Json.Nodes;

using CidrController.Allocation;
using CidrController.ApiEmulator;
using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Events;
using CidrController.Kubernetes.Health;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Quarantine;
using CidrController.Kubernetes.Term;

using Microsoft.Extensions.Logging.Abstractions;

namespace CidrController.Tests.Integration;

/// <summary>
/// The leadership term one phase at a time, against the API emulator: what each phase guarantees to the next.
/// (That no other order is possible is the compiler's job: each phase's one method returns the next phase.)
/// </summary>
public sealed class TermPhaseTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> GpuLabels = new() { ["pool"] = "gpu" };
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();
    private KubeApiEmulator _api = null!;

    public async Task InitializeAsync() => _api = await KubeApiEmulator.StartAsync(new EmulatorOptions { BearerToken = "term-token" });

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static JsonObject GpuSelector() => JsonNode.Parse(
        """{"nodeSelectorTerms":[{"matchExpressions":[{"key":"pool","operator":"In","values":["gpu"]}]}]}""")!.AsObject();

    [Fact]
    public async Task Each_phase_leaves_what_the_next_one_relies_on()
    {
        _api.CreateClusterCidr("gpu", perNodeHostBits: 8, ipv4: "10.9.0.0/16", nodeSelector: GpuSelector());
        _api.CreateNode("gpu-old", ["10.9.0.0/24"], labels: GpuLabels);
        _api.CreateNode("plain-old", ["10.1.0.0/24"]);
        var options = InProcessController.Options(_api, "10.1.0.0/16") with { ClusterCidrPools = true, CidrReuseDelay = TimeSpan.FromHours(1) };
        var client = KubernetesClientFactory.Create(options.Api);
        var (ns, name) = options.QuarantineConfigMap;
        var gone = new JournalEntry("gone", [IpBlock.Parse("10.1.1.0/24")], DateTimeOffset.UtcNow.AddMinutes(30));
        _api.CreateConfigMap(ns, name, new Dictionary<string, string> { [JournalDocument.DataKey] = JournalDocument.Serialize([gone]) });

        var events = new NodeEventRecorder(client, "test", TimeProvider.System, TimeSpan.FromMinutes(1), NullLogger<NodeEventRecorder>.Instance);
        await using var _ = events;
        var deps = new TermDependencies(options, client, events, new ControllerMetrics(), new ControllerHealth(), NullLoggerFactory.Instance, TimeProvider.System);

        var start = TermStart.Begin(deps);
        var parts = start.Parts;
        Assert.Equal(0, parts.Ledger.NodeCount);

        // 1. Pools accepted, pending: blocks can be occupied in them, none proposed from them.
        var poolsAccepted = await start.AcceptPoolsAsync(CancellationToken.None);
        Assert.Equal(["gpu"], parts.Catalog.Pending.Select(p => p.Name));
        Assert.Equal("gpu", parts.Catalog.PoolOf(IpBlock.Parse("10.9.0.0/24"))!.Name);
        Assert.Equal(0, parts.Store.Count);

        // 2. Every node in the store, nothing occupied yet.
        var nodesListed = await poolsAccepted.ListNodesAsync(CancellationToken.None);
        Assert.Equal(2, parts.Store.Count);
        Assert.False(string.IsNullOrEmpty(nodesListed.ResourceVersion));
        Assert.Equal(0, parts.Ledger.NodeCount);

        // 3. Every existing block occupied in the pool it lies in, then the pool admitted.
        var nodesAdopted = nodesListed.AdoptExisting();
        Assert.Equal(2, parts.Ledger.NodeCount);
        Assert.Empty(parts.Catalog.Pending);
        Assert.Equal((UInt128)1, parts.Catalog.Find("gpu")!.Allocator.Ranges[0].GetStatistics().InUse);
        Assert.Equal((UInt128)1, parts.Catalog.Default.Allocator.Ranges[0].GetStatistics().InUse);
        Assert.Equal(0, parts.Quarantine.Count);

        // 4. The quarantine read back from its journal, its blocks occupied.
        var ready = await nodesAdopted.RestoreQuarantineAsync(CancellationToken.None);
        Assert.Equal(1, parts.Quarantine.Count);
        Assert.Equal((UInt128)2, parts.Catalog.Default.Allocator.Ranges[0].GetStatistics().InUse);

        // 5. What ServeAsync will hand out first: neither a held nor a quarantined block.
        var (plain, _) = parts.Catalog.Propose(NoLabels, "plain-new");
        var (gpu, gpuPool) = parts.Catalog.Propose(GpuLabels, "gpu-new");
        Assert.Equal("10.1.2.0/24", plain.Blocks[0].Block.ToString());
        Assert.Equal(("gpu", "10.9.1.0/24"), (gpuPool.Name, gpu.Blocks[0].Block.ToString()));
        Assert.NotNull(ready);
    }

    [Fact]
    public async Task A_deleting_pool_keeps_its_finalizer_through_the_first_pass_and_loses_it_once_nodes_are_known_not_to_use_it()
    {
        _api.CreateClusterCidr("gpu", perNodeHostBits: 8, ipv4: "10.9.0.0/16", nodeSelector: GpuSelector());
        _api.CreateClusterCidr("idle", perNodeHostBits: 8, ipv4: "10.8.0.0/16", nodeSelector: GpuSelector());
        _api.CreateNode("gpu-1", ["10.9.0.0/24"], labels: GpuLabels);
        var options = InProcessController.Options(_api, "10.1.0.0/16") with { ClusterCidrPools = true };
        var client = KubernetesClientFactory.Create(options.Api);
        var events = new NodeEventRecorder(client, "test", TimeProvider.System, TimeSpan.FromMinutes(1), NullLogger<NodeEventRecorder>.Instance);
        await using var _ = events;
        var deps = new TermDependencies(options, client, events, new ControllerMetrics(), new ControllerHealth(), NullLoggerFactory.Instance, TimeProvider.System);

        // A first term puts the finalizer on both pools; then both are deleted.
        var first = TermStart.Begin(deps);
        await first.AcceptPoolsAsync(CancellationToken.None);
        Assert.All(new[] { "gpu", "idle" }, name => Assert.NotNull(_api.GetClusterCidr(name)?["metadata"]?["finalizers"]));
        _api.DeleteClusterCidr("gpu");
        _api.DeleteClusterCidr("idle");

        // A new term's first pass sees every pool unused (no node occupied yet) and must let none go.
        var start = TermStart.Begin(deps);
        var listed = await (await start.AcceptPoolsAsync(CancellationToken.None)).ListNodesAsync(CancellationToken.None);
        Assert.NotNull(_api.GetClusterCidr("gpu"));
        Assert.NotNull(_api.GetClusterCidr("idle"));

        // Once the nodes are adopted, a pass lets go of the unused one only.
        listed.AdoptExisting();
        await start.Parts.PoolSync.SyncAsync(start.Parts.Ledger, CancellationToken.None);
        Assert.NotNull(_api.GetClusterCidr("gpu"));
        Assert.Null(_api.GetClusterCidr("idle"));
    }
}
