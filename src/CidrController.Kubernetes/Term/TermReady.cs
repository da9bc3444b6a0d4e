using System.Diagnostics;
using System.Threading.Channels;

using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Nodes;
using CidrController.Kubernetes.Pools;
using CidrController.Kubernetes.Reconcile;
using CidrController.Kubernetes.Retry;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Term;

/// <summary>
/// A term whose ledger holds every existing block, every admitted pool and the restored quarantine: the only
/// phase that may hand out blocks. It makes the reconciler, starts the workers, the pool loop and the watch.
/// </summary>
internal sealed partial class TermReady
{
    private readonly TermParts _parts;
    private readonly string _resourceVersion;
    private readonly ILogger _logger;

    internal TermReady(TermParts parts, string resourceVersion)
    {
        _parts = parts;
        _resourceVersion = resourceVersion;
        _logger = parts.Logger;
    }

    internal TermParts Parts => _parts;

    /// <summary>Serves until <paramref name="stopTaking"/>; in-flight patches run on until <paramref name="abandon"/>.</summary>
    public async Task ServeAsync(CancellationToken stopTaking, CancellationToken abandon)
    {
        var deps = _parts.Deps;
        var (ledger, store, queue, watcher) = (_parts.Ledger, _parts.Store, _parts.Queue, _parts.Watcher);
        var reconciler = new NodeReconciler(ledger, store, new KubernetesNodeApi(new LeanNodeClient(deps.Client)), deps.Events, deps.Metrics, deps.LoggerFactory.CreateLogger<NodeReconciler>());
        deps.Metrics.Track(_parts.Catalog, () => queue.Depth, () => reconciler.WaitingCount, () => _parts.Quarantine.Count);
        LogCapacity(store.Count, Stopwatch.GetElapsedTime(_parts.Started));
        deps.Health.MarkReady();

        watcher.NodeObserved += reconciler.Observed;
        watcher.NodeChanged += queue.Add;
        watcher.ListCompleted += ok =>
        {
            if (ok)
            {
                deps.Health.MarkReady();
            }
            else
            {
                deps.Health.MarkNotReady("the node watch failed and the relist after it has not succeeded yet");
            }
        };
        reconciler.BlocksFreed += () => RequeueWaiting(reconciler);
        foreach (var name in store.Names)
        {
            queue.Add(name);
        }

        // The term's loops stop on a stop, and also when one of them ends on its own (the watch, or the journal's
        // writer failing for good): a term that lost a part must not go on serving without it.
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(stopTaking);
        using var journalStop = new CancellationTokenSource();
        var journal = Task.Run(() => WriteJournalAsync(serving, journalStop.Token), CancellationToken.None);
        var workers = new Task[deps.Options.ConcurrentNodeSyncs];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(() => WorkAsync(reconciler, serving.Token, abandon), CancellationToken.None);
        }

        var poolLoop = Task.Run(() => SyncPoolsForeverAsync(reconciler, serving.Token), CancellationToken.None);
        try
        {
            await watcher.WatchAsync(_resourceVersion, serving.Token).ConfigureAwait(false);
        }
        finally
        {
            await serving.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(workers).ConfigureAwait(false);
            await poolLoop.ConfigureAwait(false);

            // Last, once no worker can release anything more: the journal writes what is left, and its failure (if
            // any) is the term's.
            await journalStop.CancelAsync().ConfigureAwait(false);
            await journal.ConfigureAwait(false);
        }
    }

    /// <summary>The reuse quarantine's journal writer; its failure ends the term (and goes up when the term ends).</summary>
    private async Task WriteJournalAsync(CancellationTokenSource serving, CancellationToken stop)
    {
        try
        {
            await _parts.Quarantine.RunJournalAsync(stop).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && stop.IsCancellationRequested))
        {
            await serving.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void RequeueWaiting(NodeReconciler reconciler)
    {
        foreach (var waiting in reconciler.WaitingNodes)
        {
            _parts.Queue.Add(waiting);
        }
    }

    /// <summary>
    /// Re-reads the ClusterCIDR pools whenever their watch reports a change, and at least every
    /// <see cref="Configuration.ControllerOptions.PoolSyncInterval"/>: pools
    /// created while running take nodes at once (waiting nodes retry), deleting pools are let go when unused. API
    /// trouble is logged and retried on the next pass, never fatal.
    /// </summary>
    private async Task SyncPoolsForeverAsync(NodeReconciler reconciler, CancellationToken cancellationToken)
    {
        var deps = _parts.Deps;
        if (!deps.Options.ClusterCidrPools)
        {
            return;
        }

        // Any ClusterCIDR event wakes the loop at once; the interval is the safety net. One pending wake is enough:
        // a pass lists every pool.
        var wakes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var watch = new ClusterCidrWatch(deps.Client, deps.Time, deps.LoggerFactory.CreateLogger<ClusterCidrWatch>());
        var watching = Task.Run(() => watch.RunAsync(() => wakes.Writer.TryWrite(true), cancellationToken), CancellationToken.None);
        try
        {
            await PassPoolsForeverAsync(reconciler, wakes.Reader, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await watching.ConfigureAwait(false);
        }
    }

    private async Task PassPoolsForeverAsync(NodeReconciler reconciler, ChannelReader<bool> wakes, CancellationToken cancellationToken)
    {
        // A pass that failed is tried again after the back-off, not at the next wake: a server that answers garbage or
        // refuses is asked less and less often, and warned about at the 1st, 2nd, 4th… failure, not at every pass.
        var retry = new RetryLoop("sync-clustercidrs", BackoffPolicy.NodeList, _parts.Deps.Time, _parts.Deps.RetryObserver);
        TimeSpan? backoff = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (backoff is { } delay)
                {
                    await retry.WaitAsync(delay, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await WaitForPassAsync(wakes, cancellationToken).ConfigureAwait(false);
                }

                if (await _parts.PoolSync.SyncAsync(_parts.Ledger, cancellationToken).ConfigureAwait(false))
                {
                    RequeueWaiting(reconciler);
                }

                retry.Succeeded();
                backoff = null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (ApiFailure.Is(e))
            {
                var reason = TermStart.PoolSyncFailure(e);
                backoff = retry.Failed(reason);
                if (retry.FailureWorthLogging)
                {
                    TermStart.LogPoolSyncFailed(_logger, reason);
                }
            }
        }
    }

    private async Task WaitForPassAsync(ChannelReader<bool> wakes, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var interval = Task.Delay(_parts.Deps.Options.PoolSyncInterval, _parts.Deps.Time, wait.Token);
        var woken = wakes.WaitToReadAsync(wait.Token).AsTask();
        await Task.WhenAny(interval, woken).ConfigureAwait(false);
        await wait.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        while (wakes.TryRead(out _))
        {
        }
    }

    private async Task WorkAsync(NodeReconciler reconciler, CancellationToken stopTaking, CancellationToken abandon)
    {
        var queue = _parts.Queue;
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
            catch (Exception e) when (ApiFailure.Is(e))
            {
                LogReconcileFailed(name, e.Message);
                queue.AddRateLimited(name);
            }
            finally
            {
                queue.Done(name);
                _parts.Deps.Health.Progressed();
                _parts.Deps.Metrics.ObserveReconcile(Stopwatch.GetElapsedTime(started));
            }
        }
    }

    private void LogCapacity(int nodes, TimeSpan elapsed)
    {
        LogSynced(nodes, elapsed.TotalMilliseconds);
        foreach (var pool in _parts.Catalog.Entries)
        {
            foreach (var range in pool.Allocator.Ranges)
            {
                var s = range.GetStatistics();
                LogRangeCapacity(pool.Name, range.Cluster.ToString(), range.NodeMaskSize, s.TotalBlocks.ToString(), s.Excluded.ToString(), s.InUse.ToString(), s.Free.ToString(), s.AddressesPerBlock.ToString());
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Occupied the podCIDRs of {Nodes} existing nodes in {ElapsedMs:F0} ms; ready")]
    private partial void LogSynced(int nodes, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool {Pool} range {ClusterCidr} /{NodeMask}: {Total} blocks, {Excluded} excluded by the service range, {InUse} in use, {Free} free, {AddressesPerBlock} addresses per block")]
    private partial void LogRangeCapacity(string pool, string clusterCidr, int nodeMask, string total, string excluded, string inUse, string free, string addressesPerBlock);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconcile of node {Node} failed: {Error}; will retry")]
    private partial void LogReconcileFailed(string node, string error);
}
