namespace CidrController.Kubernetes.Nodes;

/// <summary>One page of a Node list: the nodes as the controller keeps them, the continue token and the list's resourceVersion.</summary>
internal sealed record NodeListPage(IReadOnlyList<ObservedNode> Items, string? Continue, string? ResourceVersion);
