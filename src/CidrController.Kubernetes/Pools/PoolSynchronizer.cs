using System.Text.Json;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Pools;

/// <summary>
/// Keeps the <see cref="PoolCatalog"/> in step with the ClusterCIDR objects, by listing them (pools are
/// few and change rarely; a periodic list is simpler than a second watch and heals every gap by itself):
/// new valid pools are used at once, invalid ones are reported and ignored, a pool in use carries the
/// finalizer so deleting it waits for its last node, and a deleting pool with no node left is let go.
/// </summary>
public sealed partial class PoolSynchronizer
{
    private readonly ClusterCidrApi _api;
    private readonly PoolCatalog _catalog;
    private readonly Action<string, string, string, string> _warn;
    private readonly ILogger _logger;
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private bool? _crdInstalled;
    private bool _nodesOccupied;

    /// <param name="warn">Reports a problem on a ClusterCIDR: (name, uid, reason, message).</param>
    public PoolSynchronizer(ClusterCidrApi api, PoolCatalog catalog, Action<string, string, string, string> warn, ILogger<PoolSynchronizer> logger)
    {
        _api = api;
        _catalog = catalog;
        _warn = warn;
        _logger = logger;
    }

    /// <summary>
    /// The existing nodes' blocks are occupied in the catalog: from now on "no block held" means the pool is
    /// unused. Before that (the first pass of a term runs before the node list, so blocks land in the right
    /// pool) every pool looks unused, and a deleting pool must not lose its finalizer under its live nodes.
    /// </summary>
    public void MarkNodesOccupied() => _nodesOccupied = true;

    /// <summary>One pass. True when a pool became usable (nodes waiting for a block should retry).</summary>
    public async Task<bool> SyncAsync(CancellationToken cancellationToken)
    {
        var objects = await _api.ListAsync(cancellationToken).ConfigureAwait(false);
        if (objects is null)
        {
            if (_crdInstalled != false)
            {
                LogNoCrd();
            }

            _crdInstalled = false;
            return false;
        }

        _crdInstalled = true;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var added = false;
        foreach (var obj in AcceptanceOrder(objects))
        {
            var (name, uid, resourceVersion) = Identity(obj);
            seen.Add(name);
            if (!ClusterCidrPool.TryParse(obj, out var pool, out var problem))
            {
                Report(name, uid, problem);
                continue;
            }

            var known = _catalog.Find(name)?.Pool;
            var refusal = _catalog.Upsert(pool);
            if (refusal is not null)
            {
                Report(name, uid, refusal);
                continue;
            }

            if (known is null || known.Uid != pool.Uid)
            {
                LogPoolAdded(name, string.Join(",", pool.Ranges), pool.Selector.SelectsEverything ? "every node" : pool.Selector.Canonical);
                added = true;
            }

            await SettleFinalizerAsync(pool, resourceVersion, cancellationToken).ConfigureAwait(false);
        }

        foreach (var entry in _catalog.Entries)
        {
            if (!entry.IsDefault && !seen.Contains(entry.Name) && _catalog.Remove(entry.Name))
            {
                LogPoolRemoved(entry.Name);
            }
        }

        return added;
    }

    /// <summary>
    /// A live pool carries the finalizer (node-ipam-controller's, so either controller honours it); a
    /// deleting pool keeps it while any of its blocks is held (tentative proposals included) and loses it
    /// when the last is gone, which lets the API server delete it.
    /// </summary>
    private async Task SettleFinalizerAsync(ClusterCidrPool pool, string resourceVersion, CancellationToken cancellationToken)
    {
        var has = pool.Finalizers.Contains(ClusterCidrPool.Finalizer);
        if (!pool.Deleting && !has)
        {
            await _api.SetFinalizersAsync(pool.Name, resourceVersion, [.. pool.Finalizers, ClusterCidrPool.Finalizer], cancellationToken).ConfigureAwait(false);
            return;
        }

        if (pool.Deleting && has && _nodesOccupied && !InUse(pool.Name))
        {
            await _api.SetFinalizersAsync(pool.Name, resourceVersion, [.. pool.Finalizers.Where(f => f != ClusterCidrPool.Finalizer)], cancellationToken).ConfigureAwait(false);
            LogPoolReleased(pool.Name);
        }
    }

    /// <summary>
    /// Of two overlapping pools the first seen is used and the other refused, so the order must not be the
    /// list's (names): after a restart a pool created later over one in use would win by its name, the one
    /// its nodes hold blocks of would be ignored, and the newcomer would hand out their addresses. The pool
    /// accepted before (it carries the finalizer) comes first, then the older, then by name.
    /// </summary>
    private static IEnumerable<JsonElement> AcceptanceOrder(IReadOnlyList<JsonElement> objects) =>
        objects
            .Select(obj => (Obj: obj, Metadata: obj.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default))
            .OrderBy(o => o.Metadata.ValueKind == JsonValueKind.Object && o.Metadata.TryGetProperty("finalizers", out var f) && f.ValueKind == JsonValueKind.Array
                && f.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.String && e.GetString() == ClusterCidrPool.Finalizer) ? 0 : 1)
            .ThenBy(o => Read(o.Metadata, "creationTimestamp"), StringComparer.Ordinal) // RFC 3339 in UTC: text order is time order
            .ThenBy(o => Read(o.Metadata, "name"), StringComparer.Ordinal)
            .Select(o => o.Obj);

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

    private static (string Name, string Uid, string ResourceVersion) Identity(JsonElement obj)
    {
        var metadata = obj.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        return (Read(metadata, "name"), Read(metadata, "uid"), Read(metadata, "resourceVersion"));
    }

    private static string Read(JsonElement element, string property) => ClusterCidrPool.String(element, property) ?? "";

    [LoggerMessage(Level = LogLevel.Information, Message = "ClusterCIDR resource is not installed: only the --cluster-cidr ranges are used")]
    private partial void LogNoCrd();

    [LoggerMessage(Level = LogLevel.Information, Message = "ClusterCIDR pool {Pool} in use: {Ranges} for {Selector}")]
    private partial void LogPoolAdded(string pool, string ranges, string selector);

    [LoggerMessage(Level = LogLevel.Information, Message = "ClusterCIDR pool {Pool} is gone")]
    private partial void LogPoolRemoved(string pool);

    [LoggerMessage(Level = LogLevel.Information, Message = "ClusterCIDR pool {Pool} is being deleted and no node uses it any more: finalizer removed")]
    private partial void LogPoolReleased(string pool);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ClusterCIDR {Pool} is ignored: {Problem}")]
    private partial void LogInvalidPool(string pool, string problem);
}
