namespace CidrController.Kubernetes.Term;

/// <summary>
/// One leadership term, as its phases in order. Each phase is a type whose only way forward returns the next, so
/// the order below is the only order the compiler accepts:
/// <list type="number">
/// <item><see cref="TermStart.AcceptPoolsAsync"/> — read the ClusterCIDR pools (accepted as pending: they can be
/// occupied in, not proposed from). Before the node list, so each existing podCIDR is occupied in the pool it
/// lies in rather than reported as out of range.</item>
/// <item><see cref="PoolsAccepted.ListNodesAsync"/> — list every node (paginated, retried with back-off) into the
/// store; its resourceVersion is where the watch later starts, so no change between list and watch is missed.</item>
/// <item><see cref="NodesListed.AdoptExisting"/> — occupy every existing podCIDR (in name order, so an overlap
/// always names the same node), then admit the pending pools through the ledger. Before any allocation, so no
/// block is handed out twice; a pool admitted earlier could hand out a block a node holds.</item>
/// <item><see cref="NodesAdopted.RestoreQuarantineAsync"/> — take back the reuse quarantine from its journal.
/// After adoption (a block a node holds again must not be freed when its quarantine ends) and before any
/// allocation (a quarantined block must not be handed out).</item>
/// <item><see cref="TermReady.ServeAsync"/> — ready: the reconciler, its workers, the pool loop and the watch.</item>
/// </list>
/// </summary>
internal static class LeadershipTerm
{
    /// <param name="stopTaking">Shutdown or a lost lease: take no new work.</param>
    /// <param name="abandon">Stop in-flight patches too (cancelled a bounded time after <paramref name="stopTaking"/>).</param>
    public static async Task RunAsync(TermDependencies deps, CancellationToken stopTaking, CancellationToken abandon)
    {
        var poolsAccepted = await TermStart.Begin(deps).AcceptPoolsAsync(stopTaking).ConfigureAwait(false);
        var nodesListed = await poolsAccepted.ListNodesAsync(stopTaking).ConfigureAwait(false);
        var nodesAdopted = nodesListed.AdoptExisting();
        var ready = await nodesAdopted.RestoreQuarantineAsync(stopTaking).ConfigureAwait(false);
        await ready.ServeAsync(stopTaking, abandon).ConfigureAwait(false);
    }
}
