using System.Collections.Concurrent;

namespace CidrController.Kubernetes.Nodes;

/// <summary>The latest observation of every node the watch has seen, by name.</summary>
internal sealed class ObservedNodeStore
{
    private readonly ConcurrentDictionary<string, ObservedNode> _nodes = new(StringComparer.Ordinal);

    public int Count => _nodes.Count;

    public ObservedNode? Get(string name) => _nodes.GetValueOrDefault(name);

    /// <summary>Stores the observation; true when it is new or differs in a way allocation cares about.</summary>
    public bool Set(ObservedNode node)
    {
        var changed = true;
        _nodes.AddOrUpdate(node.Name, node, (_, old) =>
        {
            changed = old.DiffersForAllocation(node);
            return node;
        });
        return changed;
    }

    public bool Remove(string name) => _nodes.TryRemove(name, out _);

    public IReadOnlyCollection<string> Names => (IReadOnlyCollection<string>)_nodes.Keys;
}
