using CidrController.Kubernetes.Reconcile;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Pools;

/// <summary>
/// Keeps the <see cref="PoolCatalog"/> in step with the ClusterCIDR objects, by listing them (pools are
/// few and change rarely; a periodic list is simpler than a second watch and heals every gap by itself):
/// new valid pools are used once admitted through the ledger, invalid ones are reported and ignored, a pool in
/// use carries the finalizer so deleting it waits for its last node, and a deleting pool with no node left is let go.
/// </summary>
internal sealed partial class PoolSynchronizer
{
    private readonly ClusterCidrApi _api;
    private readonly PoolCatalog _catalog;
    private readonly Action<string, string, string, string> _warn;
    private readonly ILogger _logger;
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private bool? _crdInstalled;

    /// <param name="warn">Reports a problem on a ClusterCIDR: (name, uid, reason, message).</param>
    public PoolSynchronizer(ClusterCidrApi api, PoolCatalog catalog, Action<string, string, string, string> warn, ILogger<PoolSynchronizer> logger)
    {
        _api = api;
        _catalog = catalog;
        _warn = warn;
        _logger = logger;
    }

    /// <summary>
    /// The first pass of a term, before any node is known: accepts the pools (pending, so the nodes' blocks can be
    /// occupied in the pool they lie in) and puts the finalizer on live ones. It never takes a finalizer off: with
    /// no node occupied yet every pool looks unused, and a deleting pool must not lose it under its live nodes.
    /// </summary>
    public async Task AcceptAsync(CancellationToken cancellationToken) =>
        await PassAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// A pass once <paramref name="ledger"/> holds every node's blocks: new pools are admitted through it (what nodes
    /// already hold in them is occupied first), and a deleting pool none of whose blocks is held loses the finalizer.
    /// True when a pool became usable (nodes waiting for a block should retry).
    /// </summary>
    public async Task<bool> SyncAsync(NodeCidrLedger ledger, CancellationToken cancellationToken)
    {
        Pass pass;
        try
        {
            pass = await PassAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Also when the pass failed half-way: a pool it accepted must not stay pending for ever.
            AdmitPending(ledger);
        }

        foreach (var deleting in pass.DeletingWithFinalizer)
        {
            if (!InUse(deleting.Name))
            {
                await _api.SetFinalizersAsync(deleting.Name, deleting.ResourceVersion, [.. deleting.Finalizers.Where(f => f != ClusterCidrPool.Finalizer)], cancellationToken).ConfigureAwait(false);
                LogPoolReleased(deleting.Name);
            }
        }

        return pass.Accepted.Count > 0;
    }

    /// <summary>
    /// Admits every pending pool through <paramref name="ledger"/> (see <see cref="NodeCidrLedger.Admit"/>). Only
    /// once the ledger holds every existing node's blocks: a pool admitted earlier could hand out one of them.
    /// </summary>
    public void AdmitPending(NodeCidrLedger ledger)
    {
        foreach (var pending in _catalog.Pending)
        {
            var taken = ledger.Admit(pending);
            if (taken > 0)
            {
                LogNewlyCovered(taken, pending.Name);
            }

            // Said once the pool hands out blocks, not when it is accepted: a node created between the two gets a
            // block from another pool, and whoever reads "in use" (an operator, a test) must be able to rely on it.
            var pool = pending.Entry.Pool!;
            LogPoolAdded(pending.Name, string.Join(",", pool.Ranges), pool.Selector.SelectsEverything ? "every node" : pool.Selector.Canonical);
        }
    }

    private async Task<Pass> PassAsync(CancellationToken cancellationToken)
    {
        var objects = await _api.ListAsync(cancellationToken).ConfigureAwait(false);
        if (objects is null)
        {
            if (_crdInstalled != false)
            {
                LogNoCrd();
            }

            _crdInstalled = false;
            return new Pass([], []);
        }

        _crdInstalled = true;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var accepted = new List<PendingPool>();
        var deleting = new List<ClusterCidrObject>();
        foreach (var obj in AcceptanceOrder(objects))
        {
            seen.Add(obj.Name);
            if (obj.Pool is not { } pool)
            {
                Report(obj.Name, obj.Uid, obj.Problem);
                continue;
            }

            var upsert = _catalog.Upsert(pool);
            if (upsert.Refusal is { } refusal)
            {
                Report(obj.Name, obj.Uid, refusal);
                continue;
            }

            if (upsert.Pending is { } pending)
            {
                accepted.Add(pending);
            }

            if (!obj.Deleting && !obj.HasFinalizer)
            {
                // Node-ipam-controller's finalizer, so either controller honours it.
                await _api.SetFinalizersAsync(obj.Name, obj.ResourceVersion, [.. obj.Finalizers, ClusterCidrPool.Finalizer], cancellationToken).ConfigureAwait(false);
            }
            else if (obj.Deleting && obj.HasFinalizer)
            {
                deleting.Add(obj);
            }
        }

        foreach (var entry in _catalog.Entries)
        {
            if (!entry.IsDefault && !seen.Contains(entry.Name) && _catalog.Remove(entry.Name))
            {
                LogPoolRemoved(entry.Name);
            }
        }

        return new Pass(accepted, deleting);
    }

    /// <summary>
    /// Of two overlapping pools the first seen is used and the other refused, so the order must not be the
    /// list's (names): after a restart a pool created later over one in use would win by its name, the one
    /// its nodes hold blocks of would be ignored, and the newcomer would hand out their addresses. The pool
    /// accepted before (it carries the finalizer) comes first, then the older, then by name.
    /// </summary>
    private static IEnumerable<ClusterCidrObject> AcceptanceOrder(IReadOnlyList<ClusterCidrObject> objects) =>
        objects
            .OrderBy(o => o.HasFinalizer ? 0 : 1)
            .ThenBy(o => o.CreationTimestamp, StringComparer.Ordinal) // RFC 3339 in UTC: text order is time order
            .ThenBy(o => o.Name, StringComparer.Ordinal);

    /// <summary>True while any block of the pool is held (tentative proposals and quarantined blocks included).</summary>
    private bool InUse(string name)
    {
        var entry = _catalog.Find(name);
        return entry is not null && entry.Allocator.Ranges.Any(r => r.GetStatistics().InUse > 0);
    }

    private void Report(string name, string uid, string problem)
    {
        if (!_reported.Add($"{uid}/{problem}"))
        {
            return; // once per object and problem, not once per pass
        }

        LogInvalidPool(name, problem);
        _warn(name, uid, "InvalidClusterCIDR", $"ClusterCIDR {name} is ignored: {problem}");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ClusterCIDR resource is not installed: only the --cluster-cidr ranges are used")]
    private partial void LogNoCrd();

    [LoggerMessage(Level = LogLevel.Information, Message = "ClusterCIDR pool {Pool} in use: {Ranges} for {Selector}")]
    private partial void LogPoolAdded(string pool, string ranges, string selector);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Blocks} block(s) that nodes already held now lie in the new ClusterCIDR pool {Pool}: occupied there")]
    private partial void LogNewlyCovered(int blocks, string pool);

    [LoggerMessage(Level = LogLevel.Information, Message = "ClusterCIDR pool {Pool} is gone")]
    private partial void LogPoolRemoved(string pool);

    [LoggerMessage(Level = LogLevel.Information, Message = "ClusterCIDR pool {Pool} is being deleted and no node uses it any more: finalizer removed")]
    private partial void LogPoolReleased(string pool);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ClusterCIDR {Pool} is ignored: {Problem}")]
    private partial void LogInvalidPool(string pool, string problem);

    private sealed record Pass(IReadOnlyList<PendingPool> Accepted, IReadOnlyList<ClusterCidrObject> DeletingWithFinalizer);
}
