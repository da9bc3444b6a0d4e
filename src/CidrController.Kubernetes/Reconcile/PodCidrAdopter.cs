using CidrController.Kubernetes.Events;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Nodes;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Reconcile;

/// <summary>
/// Accounts for the podCIDRs a node already has and reports anything wrong with them (a Warning event on the node,
/// a log line, a metric). It never allocates: the term's adoption phase uses it before any proposal is possible,
/// the reconciler uses it for every node the watch shows with podCIDRs.
/// </summary>
internal sealed partial class PodCidrAdopter(NodeCidrLedger ledger, INodeEventSink events, ControllerMetrics metrics, ILogger logger)
{
    private readonly ILogger _logger = logger;

    public void Adopt(ObservedNode node)
    {
        var report = ledger.Adopt(node.Name, node.Uid, node.PodCidrs);
        foreach (var problem in report.Problems)
        {
            metrics.CountCidrProblem(problem.Reason);
            LogCidrProblem(node.Name, problem.Reason, problem.Cidr, problem.Detail);
            events.Warning(node.Name, node.Uid, problem.Reason, $"Node podCIDR {problem.Cidr}: {problem.Detail}. It is kept as is (podCIDRs cannot be changed); fix or recreate the node.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} has a bad podCIDR ({Reason}) {Cidr}: {Detail}")]
    private partial void LogCidrProblem(string node, string reason, string cidr, string detail);
}
