using System.Diagnostics;
using System.Net;

using CidrController.Allocation;
using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Configuration;
using CidrController.Kubernetes.Events;
using CidrController.Kubernetes.Health;
using CidrController.Kubernetes.Leadership;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Nodes;
using CidrController.Kubernetes.Pools;
using CidrController.Kubernetes.Reconcile;
using CidrController.Kubernetes.Retry;

using k8s;
using k8s.Autorest;

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes;

/// <summary>
/// The hosted service: waits for the lease (when leader election is on), then runs one leadership term —
/// list, occupy every existing podCIDR, then watch and reconcile with a pool of workers. Each term starts
/// from a fresh allocator rebuilt from the API, so a replica that lost and regained the lease never
/// trusts stale memory.
/// </summary>
public sealed partial class NodeIpamController : BackgroundService
{
    /// <summary>How long in-flight patches may finish after a stop before they are abandoned (without leader election).</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly ControllerOptions _options;
    private readonly ControllerKubernetesClient _client;
    private readonly ControllerMetrics _metrics;
    private readonly ControllerHealth _health;
    private readonly ILoggerFactory _loggerFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public NodeIpamController(ControllerOptions options, ControllerKubernetesClient client, ControllerMetrics metrics, ControllerHealth health, ILoggerFactory loggerFactory, TimeProvider time)
    {
        _options = options;
        _client = client;
        _metrics = metrics;
        _health = health;
        _loggerFactory = loggerFactory;
        _time = time;
        _logger = loggerFactory.CreateLogger<NodeIpamController>();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.AllocateNodeCidrs)
        {
            LogAllocationDisabled();
            _health.MarkReady();
            return;
        }

        if (!_options.LeaderElection.Enabled)
        {
            await LeadAsync(stoppingToken).ConfigureAwait(false);
            return;
        }

        _health.MarkReady(); // a standby is ready: it has nothing to sync until it leads
        var election = new LeaseElection(_client, _options.LeaderElection, _time, _loggerFactory.CreateLogger<LeaseElection>());
        await election.RunAsync(LeadAsync, stoppingToken).ConfigureAwait(false);
    }

    /// <summary>One leadership term, until <paramref name="cancellationToken"/> (shutdown or lost lease).</summary>
    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        _metrics.SetLeader(true);
        _health.MarkNotReady("initial node list not yet occupied");
        using var drain = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using var stopping = cancellationToken.Register(() => drain.CancelAfter(SafeDrain(_options.LeaderElection)));
        var eventRecorder = new NodeEventRecorder(_client, _options.LeaderElection.Identity, _time, TimeSpan.FromMinutes(1), _loggerFactory.CreateLogger<NodeEventRecorder>());
        await using (eventRecorder.ConfigureAwait(false))
        {
            try
            {
                await RunTermAsync(eventRecorder, cancellationToken, drain.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            finally
            {
                _metrics.SetLeader(false);
                _metrics.Track(null, () => 0, () => 0);
                if (_options.LeaderElection.Enabled)
                {
                    _health.MarkReady(); // back to standby
                }
            }
        }
    }

    /// <summary>
    /// How long a term that ends may still finish in-flight patches. With leader election this must end before
    /// a standby can take the lease, or the old and the new leader both allocate (each from its own allocator:
    /// one block, two nodes). The term ends when the elector gives up renewing — at worst one retry period plus
    /// the renew deadline after the last renewal — and a standby can take over no sooner than the lease
    /// duration after it. What is left of the lease is the bound; KubernetesClient's elector also stops
    /// renewing at shutdown, where the same arithmetic holds.
    /// </summary>
    private static TimeSpan SafeDrain(LeaderElectionOptions election)
    {
        if (!election.Enabled)
        {
            return DrainTimeout;
        }

        var left = election.LeaseDuration - election.RenewDeadline - election.RetryPeriod;
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left < DrainTimeout ? left : DrainTimeout;
    }

    private async Task RunTermAsync(NodeEventRecorder events, CancellationToken stopTaking, CancellationToken abandon)
    {
        var allocator = new CidrAllocator(_options.ClusterRanges, _options.ServiceRanges);
        var pools = new PoolCatalog(allocator, _options.ServiceRanges);
        var ledger = new NodeCidrLedger(pools, _time, _options.CidrReuseDelay);
        var poolSync = new PoolSynchronizer(new ClusterCidrApi(_client), pools, events.PoolWarning, _loggerFactory.CreateLogger<PoolSynchronizer>());
        var store = new ObservedNodeStore();
        var queue = new NodeWorkQueue(_time, BackoffPolicy.NodeReconcile);
        var reconciler = new NodeReconciler(ledger, store, new KubernetesNodeApi(new LeanNodeClient(_client)), events, _metrics, _loggerFactory.CreateLogger<NodeReconciler>());
        var watcher = new NodeWatcher(new LeanNodeClient(_client), store, _options.Api.WatchIdleTimeout, _time, _loggerFactory.CreateLogger<NodeWatcher>());
        _metrics.Track(pools, () => queue.Depth, () => reconciler.WaitingCount, () => ledger.QuarantinedCount);

        var started = Stopwatch.GetTimestamp();
        // Pools first: a node's existing blocks are occupied in the pool they lie in.
        await SyncPoolsAsync(poolSync, stopTaking).ConfigureAwait(false);
        var resourceVersion = await InitialListAsync(watcher, stopTaking).ConfigureAwait(false);

        // Every existing podCIDR is occupied before the first allocation, so no block is handed out twice.
        // In name order, as the API server lists them: when two nodes overlap, the later name is the one
        // reported, the same one on every restart.
        foreach (var name in store.Names.Order(StringComparer.Ordinal))
        {
            if (store.Get(name) is { PodCidrs.Count: > 0 } node)
            {
                reconciler.Adopt(node);
            }
        }

        poolSync.MarkNodesOccupied();
        OpenPools(ledger);

        await RebuildQuarantineAsync(ledger, stopTaking).ConfigureAwait(false);
        LogCapacity(pools, store.Count, Stopwatch.GetElapsedTime(started));
        _health.MarkReady();

        watcher.NodeObserved += reconciler.Observed;
        watcher.NodeChanged += queue.Add;
        watcher.ListCompleted += ok =>
        {
            if (ok)
            {
                _health.MarkReady();
            }
            else
            {
                _health.MarkNotReady("cannot list nodes from the API server");
            }
        };
        reconciler.BlocksFreed += () =>
        {
            foreach (var waiting in reconciler.WaitingNodes)
            {
                queue.Add(waiting);
            }
        };
        foreach (var name in store.Names)
        {
            queue.Add(name);
        }

        var workers = new Task[_options.ConcurrentNodeSyncs];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(() => WorkAsync(queue, reconciler, stopTaking, abandon), CancellationToken.None);
        }

        var poolLoop = Task.Run(() => SyncPoolsForeverAsync(poolSync, ledger, reconciler, queue, stopTaking), CancellationToken.None);
        try
        {
            await watcher.WatchAsync(resourceVersion, stopTaking).ConfigureAwait(false);
        }
        finally
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
            await poolLoop.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Re-reads the ClusterCIDR pools every <see cref="ControllerOptions.PoolSyncInterval"/>: pools created
    /// while running take nodes at once (waiting nodes retry), deleting pools are let go when unused.
    /// </summary>
    private async Task SyncPoolsForeverAsync(PoolSynchronizer poolSync, NodeCidrLedger ledger, NodeReconciler reconciler, NodeWorkQueue queue, CancellationToken cancellationToken)
    {
        if (!_options.ClusterCidrPools)
        {
            return;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.PoolSyncInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var added = await SyncPoolsAsync(poolSync, cancellationToken).ConfigureAwait(false);
            OpenPools(ledger);
            if (added)
            {
                foreach (var waiting in reconciler.WaitingNodes)
                {
                    queue.Add(waiting);
                }
            }
        }
    }

    /// <summary>
    /// After a restart the quarantine of --cidr-reuse-delay is rebuilt from what the API still holds: the
    /// CIDRReleased events this controller wrote when nodes went away (events live about an hour, so delays
    /// longer than that survive a restart only in part). Blocks a node holds again are left alone.
    /// </summary>
    private async Task RebuildQuarantineAsync(NodeCidrLedger ledger, CancellationToken cancellationToken)
    {
        if (_options.CidrReuseDelay <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            var events = await _client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "reason=" + NodeEventRecorder.ReleasedReason, cancellationToken: cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var rebuilt = 0;
            foreach (var e in events.Items)
            {
                if (e.Reason != NodeEventRecorder.ReleasedReason || e.Metadata?.Annotations is not { } annotations
                    || !annotations.TryGetValue(NodeEventRecorder.ReleasedCidrsAnnotation, out var cidrs)
                    || !annotations.TryGetValue(NodeEventRecorder.ReusableAfterAnnotation, out var afterText)
                    || !DateTimeOffset.TryParse(afterText, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var after)
                    || after <= now)
                {
                    continue;
                }

                var blocks = new List<IpBlock>();
                foreach (var text in cidrs.Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (IpBlock.TryParse(text, out var block, out _))
                    {
                        blocks.Add(block);
                    }
                }

                ledger.Quarantine(blocks, after);
                rebuilt += blocks.Count;
            }

            LogQuarantineRebuilt(rebuilt);
        }
        catch (Exception e) when (Api.ApiFailure.Is(e) && !cancellationToken.IsCancellationRequested)
        {
            // Without the events (RBAC: events list) the quarantine starts empty: say so, do not stop.
            LogQuarantineLost(e is HttpOperationException http ? Api.ApiErrorMessage.From(http) : e.Message);
        }
    }

    /// <summary>
    /// A pool accepted while running may cover addresses nodes already hold (they were outside every range
    /// before): occupy those in it first, then let it hand out blocks.
    /// </summary>
    private void OpenPools(NodeCidrLedger ledger)
    {
        var taken = ledger.OccupyNewlyCovered();
        if (taken > 0)
        {
            LogNewlyCovered(taken);
        }

        ledger.Pools.OpenAll();
    }

    /// <summary>One pool pass; API trouble is logged and retried on the next pass, never fatal.</summary>
    private async Task<bool> SyncPoolsAsync(PoolSynchronizer poolSync, CancellationToken cancellationToken)
    {
        if (!_options.ClusterCidrPools)
        {
            return false;
        }

        try
        {
            return await poolSync.SyncAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Api.ApiFailure.Is(e) && !cancellationToken.IsCancellationRequested)
        {
            var reason = e is HttpOperationException http
                ? http.Response.StatusCode == HttpStatusCode.Forbidden
                    ? "forbidden: the service account needs get/list/patch on clustercidrs.networking.x-k8s.io (RBAC)"
                    : Api.ApiErrorMessage.From(http)
                : e.Message;
            LogPoolSyncFailed(reason);
            return false;
        }
    }

    private async Task<string> InitialListAsync(NodeWatcher watcher, CancellationToken cancellationToken)
    {
        var retry = new RetryLoop("list-nodes", BackoffPolicy.NodeList, _time);
        while (true)
        {
            try
            {
                var resourceVersion = await watcher.ListAsync(cancellationToken).ConfigureAwait(false);
                retry.Succeeded();
                return resourceVersion;
            }
            catch (Exception e) when (Api.ApiFailure.Is(e) && !cancellationToken.IsCancellationRequested)
            {
                var reason = e is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden }
                    ? "forbidden: the service account needs get/list/watch on nodes (RBAC)"
                    : e.Message;
                _health.MarkNotReady($"cannot list nodes: {reason}");
                var delay = retry.Failed(reason);
                LogListFailed(reason, retry.Failures, delay.TotalSeconds);
                await retry.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WorkAsync(NodeWorkQueue queue, NodeReconciler reconciler, CancellationToken stopTaking, CancellationToken abandon)
    {
        while (!stopTaking.IsCancellationRequested)
        {
            string name;
            try
            {
                name = await queue.TakeAsync(stopTaking).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                var result = await reconciler.ReconcileAsync(name, queue.Failures(name), abandon).ConfigureAwait(false);
                switch (result.Action)
                {
                    case ReconcileAction.Done:
                        queue.Forget(name);
                        break;
                    case ReconcileAction.WaitForRelease when result.RetryAfter > TimeSpan.Zero:
                        // A quarantined block frees at a known time.
                        queue.AddAfter(name, result.RetryAfter);
                        break;
                    default:
                        queue.AddRateLimited(name, result.RetryAfter);
                        break;
                }
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested || stopTaking.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (Api.ApiFailure.Is(e))
            {
                LogReconcileFailed(name, e.Message);
                queue.AddRateLimited(name);
            }
            finally
            {
                queue.Done(name);
                _metrics.ObserveReconcile(Stopwatch.GetElapsedTime(started));
            }
        }
    }

    private void LogCapacity(PoolCatalog pools, int nodes, TimeSpan elapsed)
    {
        LogSynced(nodes, elapsed.TotalMilliseconds);
        foreach (var pool in pools.Entries)
        {
            foreach (var range in pool.Allocator.Ranges)
            {
                var s = range.GetStatistics();
                LogRangeCapacity(pool.Name, range.Cluster.ToString(), range.NodeMaskSize, s.TotalBlocks.ToString(), s.Excluded.ToString(), s.InUse.ToString(), s.Free.ToString(), s.AddressesPerBlock.ToString());
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node CIDR allocation is disabled (--allocate-node-cidrs=false): serving health and metrics only")]
    private partial void LogAllocationDisabled();

    [LoggerMessage(Level = LogLevel.Information, Message = "Occupied the podCIDRs of {Nodes} existing nodes in {ElapsedMs:F0} ms; ready")]
    private partial void LogSynced(int nodes, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool {Pool} range {ClusterCidr} /{NodeMask}: {Total} blocks, {Excluded} excluded by the service range, {InUse} in use, {Free} free, {AddressesPerBlock} addresses per block")]
    private partial void LogRangeCapacity(string pool, string clusterCidr, int nodeMask, string total, string excluded, string inUse, string free, string addressesPerBlock);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot list nodes ({Error}), attempt {Attempt}; retrying in {DelaySeconds:F1} s")]
    private partial void LogListFailed(string error, int attempt, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reuse quarantine rebuilt from CIDRReleased events: {Blocks} block(s) not reusable yet")]
    private partial void LogQuarantineRebuilt(int blocks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read CIDRReleased events ({Error}): blocks released before this start are reusable at once")]
    private partial void LogQuarantineLost(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Blocks} block(s) that nodes already held now lie in a new ClusterCIDR pool: occupied there")]
    private partial void LogNewlyCovered(int blocks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read ClusterCIDR pools ({Error}); the known pools stay in use, retrying")]
    private partial void LogPoolSyncFailed(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconcile of node {Node} failed: {Error}; will retry")]
    private partial void LogReconcileFailed(string node, string error);
}
