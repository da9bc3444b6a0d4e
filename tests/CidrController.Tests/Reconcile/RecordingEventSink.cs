using CidrController.Kubernetes.Events;

namespace CidrController.Tests.Reconcile;

internal sealed class RecordingEventSink : INodeEventSink
{
    public List<(string Node, string Type, string Reason, string Message)> Events { get; } = [];

    public void Warning(string node, string uid, string reason, string message) => Events.Add((node, "Warning", reason, message));

    public void Normal(string node, string uid, string reason, string message) => Events.Add((node, "Normal", reason, message));

    public int Count(string reason) => Events.Count(e => e.Reason == reason);
}
