using k8s;
using k8s.Models;

namespace CidrController.Kubernetes.Nodes;

/// <summary>
/// One line of a Node watch, decoded lean: the node as the controller keeps it (ADDED, MODIFIED, DELETED), only
/// a resourceVersion (BOOKMARK), or the Status an ERROR event carries (410 Expired and friends).
/// </summary>
internal readonly record struct NodeWatchEvent(WatchEventType Type, ObservedNode? Node, string? ResourceVersion, V1Status? Error);
