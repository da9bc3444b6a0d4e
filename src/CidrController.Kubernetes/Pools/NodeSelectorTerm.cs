namespace CidrController.Kubernetes.Pools;

/// <summary>A node selector term: its requirements are ANDed; an empty term matches no node (core/v1 semantics).</summary>
internal sealed record NodeSelectorTerm(IReadOnlyList<NodeSelectorRequirement> MatchExpressions, IReadOnlyList<NodeSelectorRequirement> MatchFields)
{
    public int RequirementCount => MatchExpressions.Count + MatchFields.Count;

    public bool Matches(IReadOnlyDictionary<string, string> labels, IReadOnlyDictionary<string, string> fields)
    {
        if (RequirementCount == 0)
        {
            return false;
        }

        foreach (var requirement in MatchExpressions)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        foreach (var requirement in MatchFields)
        {
            if (!requirement.Matches(fields))
            {
                return false;
            }
        }

        return true;
    }
}
