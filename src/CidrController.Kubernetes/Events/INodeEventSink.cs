namespace CidrController.Kubernetes.Events;

/// <summary>Where reconciliation reports what an operator should see on the Node (kubectl describe node).</summary>
internal interface INodeEventSink
{
    void Warning(string node, string uid, string reason, string message);

    void Normal(string node, string uid, string reason, string message);
}
