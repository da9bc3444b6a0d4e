namespace CidrController.Kubernetes.Events;

/// <summary>Where reconciliation reports what an operator should see on the Node (kubectl describe node).</summary>
public interface INodeEventSink
{
    void Warning(string node, string uid, string reason, string message);

    void Normal(string node, string uid, string reason, string message);

    /// <summary>
    /// A gone node's blocks entered the reuse quarantine (--cidr-reuse-delay): a Normal CIDRReleased event that
    /// carries the blocks and the time they become reusable, from which a restarted controller rebuilds it.
    /// </summary>
    void Released(string node, IReadOnlyList<CidrController.Allocation.IpBlock> blocks, DateTimeOffset reusableAfter);
}
