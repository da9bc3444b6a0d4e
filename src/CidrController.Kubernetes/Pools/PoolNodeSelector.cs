using System.Text;

namespace CidrController.Kubernetes.Pools;

/// <summary>
/// A ClusterCIDR's nodeSelector: terms are ORed. A pool without one selects every node. How well a node
/// matches — the requirement count of the most specific matching term — is node-ipam-controller's first
/// precedence rule: the more specific pool wins.
/// </summary>
internal sealed record PoolNodeSelector(IReadOnlyList<NodeSelectorTerm> Terms)
{
    /// <summary>Selects every node (no nodeSelector on the pool).</summary>
    public static PoolNodeSelector Everything { get; } = new([]);

    public bool SelectsEverything => Terms.Count == 0;

    /// <summary>A canonical text of the selector: node-ipam-controller's fourth tie-break compares these.</summary>
    public string Canonical
    {
        get
        {
            var text = new StringBuilder();
            foreach (var term in Terms)
            {
                text.Append('{');
                Append(text, "expressions", term.MatchExpressions);
                Append(text, "fields", term.MatchFields);
                text.Append('}');
            }

            return text.ToString();
        }
    }

    /// <summary>Null when the node is not selected; otherwise the number of requirements that matched (0 for a select-all pool).</summary>
    public int? MatchCount(IReadOnlyDictionary<string, string> labels, string nodeName)
    {
        if (SelectsEverything)
        {
            return 0;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal) { ["metadata.name"] = nodeName };
        int? best = null;
        foreach (var term in Terms)
        {
            if (term.Matches(labels, fields) && (best is null || term.RequirementCount > best))
            {
                best = term.RequirementCount;
            }
        }

        return best;
    }

    private static void Append(StringBuilder text, string name, IReadOnlyList<NodeSelectorRequirement> requirements)
    {
        text.Append(name).Append('[');
        foreach (var r in requirements)
        {
            text.Append(r.Key).Append(' ').Append(r.Operator).Append(" (").Append(string.Join(",", r.Values)).Append(");");
        }

        text.Append(']');
    }
}
