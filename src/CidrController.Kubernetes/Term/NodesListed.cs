using CidrController.Kubernetes.Reconcile;

namespace CidrController.Kubernetes.Term;

/// <summary>A term whose store holds every node, as of <see cref="ResourceVersion"/>.</summary>
internal sealed class NodesListed
{
    private readonly TermParts _parts;

    internal NodesListed(TermParts parts, string resourceVersion)
    {
        _parts = parts;
        ResourceVersion = resourceVersion;
    }

    internal TermParts Parts => _parts;

    /// <summary>Where the watch starts: the list's resourceVersion.</summary>
    public string ResourceVersion { get; }

    /// <summary>
    /// Occupies every existing podCIDR, then admits the pending pools. In name order, as the API server lists
    /// them: when two nodes overlap, the later name is the one reported, the same one on every restart.
    /// </summary>
    public NodesAdopted AdoptExisting()
    {
        var deps = _parts.Deps;
        var adopter = new PodCidrAdopter(_parts.Ledger, deps.Events, deps.Metrics, _parts.Logger);
        foreach (var name in _parts.Store.Names.Order(StringComparer.Ordinal))
        {
            if (_parts.Store.Get(name) is { PodCidrs.Count: > 0 } node)
            {
                adopter.Adopt(node);
            }
        }

        _parts.PoolSync.AdmitPending(_parts.Ledger);
        return new NodesAdopted(_parts, ResourceVersion);
    }
}
