using CidrController.Allocation;
using CidrController.Kubernetes.Pools;

using Prometheus;

namespace CidrController.Kubernetes.Metrics;

/// <summary>
/// The controller's Prometheus metrics, in a registry of its own (so two controllers in one test process
/// do not share counters), with prometheus-net's process_* and dotnet_* collectors added to it. Per-range
/// figures are read from the allocator at scrape time rather than mirrored on every change: the allocator's
/// counters are the single source of truth. Every node_ipam_controller_* family kube-controller-manager
/// exports is exported under its exact name, type and labels (label clusterCIDR), so dashboards and alerts
/// written for KCM work unchanged — including <c>node_ipam_controller_cirdset_max_cidrs</c>, which upstream
/// misspells (1.27 and later); the correctly spelled <c>..._cidrset_max_cidrs</c> carries the same value.
/// Figures upstream has no equivalent for are named cidr_controller_*.
/// </summary>
internal sealed class ControllerMetrics
{
    private readonly Counter _allocations;
    private readonly Counter _releases;
    private readonly Gauge _maxBlocks;
    private readonly Gauge _maxBlocksAsUpstreamSpellsIt;
    private readonly Gauge _inUse;
    private readonly Gauge _excluded;
    private readonly Gauge _usage;
    private readonly Histogram _tries;
    private readonly Gauge _queueDepth;
    private readonly Histogram _reconcileSeconds;
    private readonly Counter _apiErrors;
    private readonly Counter _leaderElectionErrors;
    private readonly Counter _cidrProblems;
    private readonly Gauge _waiting;
    private readonly Gauge _leader;
    private readonly Gauge _poolFree;
    private readonly Gauge _poolUsage;
    private readonly Gauge _quarantined;
    private readonly Counter _quarantineDropped;
    private Func<PoolCatalog?> _pools = () => null;
    private Func<int> _queue = () => 0;
    private Func<int> _quarantinedBlocks = () => 0;
    private Func<int> _waitingNodes = () => 0;

    // Each leadership term (and each re-created pool) builds new allocators whose counters start at zero, so the
    // exported counters are a per-range sum over every allocator that range has had: otherwise a counter stalls
    // after a re-election until the new term's count passes the old one. Guarded by _lock.
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RangeCounters> _counters = new(StringComparer.Ordinal);
    private PoolCatalog? _trackedPools;

    public ControllerMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        string[] range = ["clusterCIDR"];
        _allocations = factory.CreateCounter("node_ipam_controller_cidrset_cidrs_allocations_total", "Blocks handed to nodes, per cluster CIDR.", range);
        _releases = factory.CreateCounter("node_ipam_controller_cidrset_cidrs_releases_total", "Blocks released, per cluster CIDR.", range);
        _maxBlocks = factory.CreateGauge("node_ipam_controller_cidrset_max_cidrs", "Blocks the cluster CIDR is divided into.", range);
        _maxBlocksAsUpstreamSpellsIt = factory.CreateGauge("node_ipam_controller_cirdset_max_cidrs", "Blocks the cluster CIDR is divided into (kube-controller-manager's name, misspelled as upstream spells it).", range);
        _inUse = factory.CreateGauge("node_ipam_controller_cidrset_allocated_cidrs", "Blocks held by nodes, per cluster CIDR.", range);
        _usage = factory.CreateGauge("node_ipam_controller_cidrset_usage_cidrs", "Fraction (0..1) of the cluster CIDR's blocks in use or excluded.", range);
        _excluded = factory.CreateGauge("cidr_controller_cidrset_excluded_cidrs", "Blocks never handed out because they overlap the service range.", range);
        _tries = factory.CreateHistogram("node_ipam_controller_cidrset_allocation_tries_per_request", "Blocks examined per allocation (1 = the first candidate was free).",
            new HistogramConfiguration { LabelNames = range, Buckets = Histogram.ExponentialBuckets(1, 5, 5) });
        _queueDepth = factory.CreateGauge("cidr_controller_reconcile_queue_depth", "Nodes waiting in the reconcile queue.");
        _reconcileSeconds = factory.CreateHistogram("cidr_controller_reconcile_duration_seconds", "Time to reconcile one node, including API calls.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        _apiErrors = factory.CreateCounter("cidr_controller_api_errors_total", "Failed API requests, by Kubernetes verb, resource and HTTP status code (0: no answer, malformed: an answer that does not decode).", ["verb", "resource", "code"]);
        _leaderElectionErrors = factory.CreateCounter("cidr_controller_leader_election_errors_total", "Failed attempts to read, create or renew the leader election Lease.");
        _cidrProblems = factory.CreateCounter("cidr_controller_node_cidr_problems_total", "Existing node podCIDRs found invalid, out of range or overlapping, by event reason.", ["reason"]);
        _waiting = factory.CreateGauge("cidr_controller_nodes_waiting_for_cidr", "Nodes without a podCIDR because every range of a family is full.");
        _leader = factory.CreateGauge("cidr_controller_leader", "1 while this replica holds the lease and allocates.");
        _poolFree = factory.CreateGauge("cidr_controller_pool_free_cidrs", "Free blocks per pool (\"default\" for the --cluster-cidr ranges, else the ClusterCIDR's name) and range.", ["pool", "clusterCIDR"]);
        _poolUsage = factory.CreateGauge("cidr_controller_pool_usage_cidrs", "Fraction (0..1) of a pool range's blocks in use or excluded.", ["pool", "clusterCIDR"]);
        _quarantined = factory.CreateGauge("cidr_controller_quarantined_cidrs", "Blocks released by gone nodes and not reusable yet (--cidr-reuse-delay); counted in use.");
        _quarantineDropped = factory.CreateCounter("cidr_controller_quarantine_entries_dropped_total", "Reuse quarantine entries dropped from its ConfigMap because it reached its size cap (the ones that expire first); after a restart their blocks are reusable at once.");
        DotNetStats.Register(Registry);
        Registry.AddBeforeCollectCallback(Refresh);
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Points the scrape-time figures at the current leadership term's state (null between terms).</summary>
    public void Track(PoolCatalog? pools, Func<int> queueDepth, Func<int> waitingNodes, Func<int>? quarantined = null)
    {
        lock (_lock)
        {
            // The ending term's last counts, read before its allocators are dropped: they stay in the totals.
            if (_trackedPools is { } ending && !ReferenceEquals(ending, pools))
            {
                ReadCountersLocked(ending);
            }

            _trackedPools = pools;
        }

        _pools = () => pools;
        _quarantinedBlocks = quarantined ?? (() => 0);
        _queue = queueDepth;
        _waitingNodes = waitingNodes;
    }

    public void ObserveAllocation(AllocatedBlock block) =>
        _tries.WithLabels(block.Range.Cluster.ToString()).Observe((double)(block.Skipped + 1));

    public void ObserveReconcile(TimeSpan elapsed) => _reconcileSeconds.Observe(elapsed.TotalSeconds);

    /// <param name="code">The HTTP status code, "0" for no answer, "malformed" for an answer that does not decode.</param>
    public void CountApiError(string verb, string resource, string code) => _apiErrors.WithLabels(verb, resource, code).Inc();

    public void CountLeaderElectionError() => _leaderElectionErrors.Inc();

    public void CountQuarantineEntriesDropped(int entries) => _quarantineDropped.Inc(entries);

    public void CountCidrProblem(string reason) => _cidrProblems.WithLabels(reason).Inc();

    public void SetLeader(bool leading) => _leader.Set(leading ? 1 : 0);

    public async Task WriteAsync(Stream output, CancellationToken cancellationToken) =>
        await Registry.CollectAndExportAsTextAsync(output, cancellationToken).ConfigureAwait(false);

    private void Refresh()
    {
        _queueDepth.Set(_queue());
        _waiting.Set(_waitingNodes());
        _quarantined.Set(_quarantinedBlocks());
        if (_pools() is not { } pools)
        {
            return;
        }

        lock (_lock)
        {
            // The catalog Track last set, not the one read above: a scrape racing a change of term must not read
            // the ending term's ranges after their totals were carried over (that would count them twice).
            if (_trackedPools is { } tracked)
            {
                ReadCountersLocked(tracked);
            }
        }

        foreach (var pool in pools.Entries)
        {
            foreach (var range in pool.Allocator.Ranges)
            {
                var label = range.Cluster.ToString();
                var stats = range.GetStatistics();
                _maxBlocks.WithLabels(label).Set((double)stats.TotalBlocks);
                _maxBlocksAsUpstreamSpellsIt.WithLabels(label).Set((double)stats.TotalBlocks);
                _inUse.WithLabels(label).Set((double)stats.InUse);
                _excluded.WithLabels(label).Set((double)stats.Excluded);
                _usage.WithLabels(label).Set(stats.Usage);
                _poolFree.WithLabels(pool.Name, label).Set((double)stats.Free);
                _poolUsage.WithLabels(pool.Name, label).Set(stats.Usage);
            }
        }
    }

    private void ReadCountersLocked(PoolCatalog pools)
    {
        foreach (var pool in pools.Entries)
        {
            foreach (var range in pool.Allocator.Ranges)
            {
                var label = range.Cluster.ToString();
                if (!_counters.TryGetValue(label, out var counters))
                {
                    counters = new RangeCounters();
                    _counters[label] = counters;
                }

                var (allocations, releases) = counters.Read(range);
                _allocations.WithLabels(label).IncTo(allocations);
                _releases.WithLabels(label).IncTo(releases);
            }
        }
    }
}
