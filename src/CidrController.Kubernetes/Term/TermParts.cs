using System.Diagnostics;

using CidrController.Allocation;
using CidrController.Kubernetes.Nodes;
using CidrController.Kubernetes.Pools;
using CidrController.Kubernetes.Quarantine;
using CidrController.Kubernetes.Reconcile;
using CidrController.Kubernetes.Retry;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Term;

/// <summary>
/// The state one term builds and hands from phase to phase. Every term starts from nothing (a fresh allocator,
/// ledger and store rebuilt from the API), so a replica that lost and regained the lease never trusts stale memory.
/// Nothing here proposes blocks: that needs a <see cref="NodeReconciler"/>, which only <see cref="TermReady"/> makes.
/// </summary>
internal sealed class TermParts
{
    public TermParts(TermDependencies deps)
    {
        var options = deps.Options;
        Deps = deps;
        Logger = deps.LoggerFactory.CreateLogger<NodeIpamController>();
        Catalog = new PoolCatalog(new CidrAllocator(options.ClusterRanges, options.ServiceRanges), options.ServiceRanges);
        Quarantine = new ReuseQuarantine(options.CidrReuseDelay, deps.Time, QuarantineJournal(deps), deps.Events);
        Ledger = new NodeCidrLedger(Catalog, Quarantine);
        PoolSync = new PoolSynchronizer(new ClusterCidrApi(deps.Client), Catalog, deps.Events.PoolWarning, deps.LoggerFactory.CreateLogger<PoolSynchronizer>());
        Store = new ObservedNodeStore();
        Watcher = new NodeWatcher(new LeanNodeClient(deps.Client), Store, options.Api.WatchIdleTimeout, deps.Time, deps.LoggerFactory.CreateLogger<NodeWatcher>(), deps.RetryObserver);
        Watcher.Progressed += deps.Health.Progressed;
        Queue = new NodeWorkQueue(deps.Time, BackoffPolicy.NodeReconcile);
        Started = Stopwatch.GetTimestamp();
    }

    public TermDependencies Deps { get; }

    /// <summary>The quarantine's ConfigMap journal; none without a delay (then no ConfigMap is ever touched).</summary>
    private static ConfigMapQuarantineJournal? QuarantineJournal(TermDependencies deps)
    {
        if (deps.Options.CidrReuseDelay <= TimeSpan.Zero)
        {
            return null;
        }

        var (ns, name) = deps.Options.QuarantineConfigMap;
        return new ConfigMapQuarantineJournal(deps.Client, ns, name, deps.Options.CidrReuseDelay, deps.Time, deps.Health, deps.Metrics,
            deps.LoggerFactory.CreateLogger<ConfigMapQuarantineJournal>(), deps.RetryObserver);
    }

    public ILogger Logger { get; }

    public PoolCatalog Catalog { get; }

    public ReuseQuarantine Quarantine { get; }

    public NodeCidrLedger Ledger { get; }

    public PoolSynchronizer PoolSync { get; }

    public ObservedNodeStore Store { get; }

    public NodeWatcher Watcher { get; }

    public NodeWorkQueue Queue { get; }

    /// <summary>When the term began (for the "synced in" log line).</summary>
    public long Started { get; }
}
