namespace CidrController.Kubernetes.Pools;

/// <summary>One requirement of a node selector term (core/v1 NodeSelectorRequirement).</summary>
internal sealed record NodeSelectorRequirement(string Key, string Operator, IReadOnlyList<string> Values)
{
    /// <summary>Null when valid; otherwise why not, as the API server would word it.</summary>
    public string? Problem => Operator switch
    {
        "In" or "NotIn" when Values.Count == 0 => $"{Key}: values must be non-empty for operator {Operator}",
        "Exists" or "DoesNotExist" when Values.Count > 0 => $"{Key}: values must be empty for operator {Operator}",
        "Gt" or "Lt" when Values.Count != 1 || !long.TryParse(Values[0], out _) => $"{Key}: operator {Operator} needs exactly one integer value",
        "In" or "NotIn" or "Exists" or "DoesNotExist" or "Gt" or "Lt" => string.IsNullOrEmpty(Key) ? "a requirement needs a key" : null,
        _ => $"{Key}: unknown operator {Operator}",
    };

    public bool Matches(IReadOnlyDictionary<string, string> values)
    {
        var present = values.TryGetValue(Key, out var value);
        return Operator switch
        {
            "In" => present && Values.Contains(value!),
            "NotIn" => !present || !Values.Contains(value!),
            "Exists" => present,
            "DoesNotExist" => !present,
            "Gt" => present && long.TryParse(value, out var gt) && gt > long.Parse(Values[0], System.Globalization.CultureInfo.InvariantCulture),
            "Lt" => present && long.TryParse(value, out var lt) && lt < long.Parse(Values[0], System.Globalization.CultureInfo.InvariantCulture),
            _ => false,
        };
    }
}
