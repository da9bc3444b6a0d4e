using System.Collections.Concurrent;
using System.Diagnostics;

using CidrController.Allocation;
using CidrController.Kubernetes.Events;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Nodes;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Reconcile;

/// <summary>
/// What happens when a node appears, changes or goes away: the one place allocation decisions are made.
/// Given the latest observation of a node it either accounts for the podCIDRs the node already has, or
/// proposes blocks, patches them onto the node and commits them only once the API server has them.
/// </summary>
internal sealed partial class NodeReconciler
{
    /// <summary>Consecutive API failures after which a CIDRAssignmentFailed event is raised (retries go on).</summary>
    public const int FailuresBeforeEvent = 5;

    private readonly NodeCidrLedger _ledger;
    private readonly ObservedNodeStore _observed;
    private readonly INodeApi _api;
    private readonly INodeEventSink _events;
    private readonly ControllerMetrics _metrics;
    private readonly ILogger _logger;
    private readonly PodCidrAdopter _adopter;
    private readonly ConcurrentDictionary<string, byte> _waiting = new(StringComparer.Ordinal);

    public NodeReconciler(NodeCidrLedger ledger, ObservedNodeStore observed, INodeApi api, INodeEventSink events, ControllerMetrics metrics, ILogger<NodeReconciler> logger)
    {
        _ledger = ledger;
        _observed = observed;
        _api = api;
        _events = events;
        _metrics = metrics;
        _logger = logger;
        _adopter = new PodCidrAdopter(ledger, events, metrics, logger);
    }

    /// <summary>Nodes waiting for a block because a family's ranges are full.</summary>
    public int WaitingCount => _waiting.Count;

    public IReadOnlyCollection<string> WaitingNodes => (IReadOnlyCollection<string>)_waiting.Keys;

    /// <summary>Raised when blocks were freed: nodes waiting for a block should be retried now.</summary>
    public event Action? BlocksFreed;

    /// <param name="failures">How many times in a row this node's reconcile has failed (for the event threshold).</param>
    public async Task<ReconcileResult> ReconcileAsync(string name, int failures, CancellationToken cancellationToken)
    {
        var node = _observed.Get(name);
        if (node is null)
        {
            Forget(name);
            return ReconcileResult.Done;
        }

        if (node.PodCidrs.Count > 0)
        {
            _waiting.TryRemove(name, out _);
            Adopt(node);
            return ReconcileResult.Done;
        }

        if (_ledger.ForgetOtherLife(name, node.Uid))
        {
            BlocksFreed?.Invoke();
        }

        if (node.Deleting || _ledger.Holds(name, node.Uid))
        {
            // Being deleted: no new block for it. Already holding: our patch landed and the watch has not
            // caught up yet; allocating again would hand this node a second block.
            return ReconcileResult.Done;
        }

        return await AllocateAsync(node, failures, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Called in watch order, as each change is seen — before the node waits its turn in the work queue. Workers
    /// take nodes in any order, so a node created with another node's CIDR and that other node's deletion,
    /// seen in this order, could be handled the other way round, freeing a block still in use. Occupying
    /// podCIDRs as they are seen keeps the allocator's view in watch order; releases stay with the workers
    /// (a late release is safe, a late occupation is not).
    /// </summary>
    public void Observed(string name)
    {
        if (_observed.Get(name) is { PodCidrs.Count: > 0 } node)
        {
            _waiting.TryRemove(name, out _);
            Adopt(node);
        }
    }

    /// <summary>Accounts for a node's existing podCIDRs and reports anything wrong with them.</summary>
    public void Adopt(ObservedNode node) => _adopter.Adopt(node);

    private void Forget(string name)
    {
        _waiting.TryRemove(name, out _);
        var held = _ledger.HeldBy(name);
        if (_ledger.Forget(name))
        {
            LogReleased(name, string.Join(",", held));
            BlocksFreed?.Invoke();
        }
    }

    private async Task<ReconcileResult> AllocateAsync(ObservedNode node, int failures, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var blocks = _ledger.TentativeFor(node.Name, node.Uid);
        IReadOnlyList<AllocatedBlock> fresh = [];
        if (blocks is null)
        {
            var proposal = _ledger.Propose(node.Name, node.Uid, node.Labels);
            if (!proposal.Success)
            {
                return WaitForRelease(node, proposal.ExhaustedFamily);
            }

            fresh = proposal.Blocks;
            blocks = new IpBlock[fresh.Count];
            for (var i = 0; i < blocks.Length; i++)
            {
                blocks[i] = fresh[i].Block;
            }
        }

        else if (!await SameLifeAsync(node, cancellationToken).ConfigureAwait(false))
        {
            // A retry of a patch whose outcome was unknown. Patches go by name: if the node was deleted and
            // recreated meanwhile, this one would land on the new life — while the blocks may be on the old
            // one, where someone may have copied them. Keep them held and let the watch report the deletion
            // (which releases them in watch order, where anything created meanwhile is already known).
            return ReconcileResult.Retry;
        }

        _waiting.TryRemove(node.Name, out _);
        var outcome = await PatchAsync(node.Name, blocks, cancellationToken).ConfigureAwait(false);
        if (outcome.Status is PatchStatus.Unknown or PatchStatus.Failed)
        {
            return await HoldAfterFailureAsync(node, blocks, outcome, failures, cancellationToken).ConfigureAwait(false);
        }

        if (outcome.Status == PatchStatus.NotFound)
        {
            if (fresh.Count == 0)
            {
                // A retry: an earlier attempt may have landed before the node went. Released when the watch
                // reports the deletion, not on this out-of-order glimpse of it.
                return ReconcileResult.Retry;
            }

            Abandon(node, blocks);
            return ReconcileResult.Done;
        }

        if (outcome is { Status: PatchStatus.Applied, Node: { } patched } && HasExactly(patched, blocks))
        {
            _ledger.Commit(node.Name, patched.Uid, blocks);
            foreach (var block in fresh)
            {
                _metrics.ObserveAllocation(block);
            }

            LogAllocated(node.Name, string.Join(",", blocks), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return ReconcileResult.Done;
        }

        // Rejected, or applied but the node ended up with other podCIDRs: someone else set them first
        // (another allocator, a human, an earlier life of this process whose watch event we have not seen).
        // Theirs stand; ours go back.
        Abandon(node, blocks);
        var current = outcome.Node ?? await TryReadAsync(node.Name, cancellationToken).ConfigureAwait(false);
        if (current is { PodCidrs.Count: > 0 })
        {
            _observed.Set(current);
            Adopt(current);
            return ReconcileResult.Done;
        }

        LogPatchRejected(node.Name, outcome.Message ?? "rejected");
        return ReconcileResult.Retry;
    }

    /// <summary>
    /// The patch, with any answer that cannot be read (a truncated or garbled body: the request was sent and may
    /// have been applied) turned into an unknown outcome, so the proposal stays held instead of escaping the
    /// ledger with the exception.
    /// </summary>
    private async Task<PatchOutcome> PatchAsync(string name, IpBlock[] blocks, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.PatchPodCidrsAsync(name, blocks, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new PatchOutcome(PatchStatus.Unknown, Message: e.Message);
        }
    }

    /// <summary>True when the API server still has the life of the node we proposed for (same uid).</summary>
    private async Task<bool> SameLifeAsync(ObservedNode node, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.ReadAsync(node.Name, cancellationToken).ConfigureAwait(false) is { } current && current.Uid == node.Uid;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false; // cannot tell: try again later rather than patch blindly
        }
    }

    private void Abandon(ObservedNode node, IpBlock[] blocks)
    {
        if (_ledger.Abandon(node.Name, node.Uid, blocks))
        {
            BlocksFreed?.Invoke();
        }
    }

    private ReconcileResult WaitForRelease(ObservedNode node, IpFamily? family)
    {
        if (_waiting.TryAdd(node.Name, 0))
        {
            LogExhausted(node.Name, family);
        }

        _events.Warning(node.Name, node.Uid, "CIDRNotAvailable", $"Node {node.Name} status is now: CIDRNotAvailable (no free {family} block in any cluster CIDR)");

        // A quarantined block becomes free at a known time: come back then rather than at the back-off's whim.
        return _ledger.Quarantine.UntilNextReuse is { } wait
            ? new ReconcileResult(ReconcileAction.WaitForRelease, wait.Add(TimeSpan.FromMilliseconds(10)))
            : ReconcileResult.WaitForRelease;
    }

    /// <summary>
    /// The patch failed or got no answer. Upstream releases the proposal here, which double-assigns when a
    /// timed-out write did land. We keep the blocks reserved for this node and retry the same patch; a read
    /// settles it early when the server can tell us what the node has.
    /// </summary>
    private async Task<ReconcileResult> HoldAfterFailureAsync(ObservedNode node, IpBlock[] blocks, PatchOutcome outcome, int failures, CancellationToken cancellationToken)
    {
        if (outcome.Status == PatchStatus.Unknown && await TryReadAsync(node.Name, cancellationToken).ConfigureAwait(false) is { PodCidrs.Count: > 0 } current)
        {
            _ledger.HoldTentatively(node.Name, node.Uid, blocks);
            _observed.Set(current);
            Adopt(current);
            return ReconcileResult.Done;
        }

        _ledger.HoldTentatively(node.Name, node.Uid, blocks);

        // At the 1st, 2nd, 4th… attempt: a node that keeps failing is not a Warning per retry. A 403 (RBAC) is also
        // warned about, once a minute, with the permission that is missing, by the API call observer.
        if (int.IsPow2(failures + 1))
        {
            LogPatchFailed(node.Name, string.Join(",", blocks), outcome.Message ?? "no answer", failures + 1);
        }

        if (failures + 1 == FailuresBeforeEvent)
        {
            _events.Warning(node.Name, node.Uid, "CIDRAssignmentFailed", $"Node {node.Name} status is now: CIDRAssignmentFailed ({outcome.Message}); retrying");
        }

        return new ReconcileResult(ReconcileAction.Retry, outcome.RetryAfter ?? TimeSpan.Zero);
    }

    private async Task<ObservedNode?> TryReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.ReadAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static bool HasExactly(ObservedNode node, IpBlock[] blocks)
    {
        if (node.PodCidrs.Count != blocks.Length)
        {
            return false;
        }

        for (var i = 0; i < blocks.Length; i++)
        {
            if (node.PodCidrs[i] is not { IsValid: true } stored || stored.Block != blocks[i])
            {
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Allocated {Node} {Cidrs} in {DurationMs:F1} ms")]
    private partial void LogAllocated(string node, string cidrs, double durationMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Node} {Cidrs}")]
    private partial void LogReleased(string node, string cidrs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No free {Family} block for node {Node}: every range is full; it waits for a release")]
    private partial void LogExhausted(string node, IpFamily? family);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Patch of node {Node} with {Cidrs} failed ({Error}), attempt {Attempt}; will retry")]
    private partial void LogPatchFailed(string node, string cidrs, string error, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Patch of node {Node} was rejected ({Error}) and the node still has no podCIDRs; will retry")]
    private partial void LogPatchRejected(string node, string error);
}
