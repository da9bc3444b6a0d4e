namespace CidrController.ChaosTests;

/// <summary>A node the driver created: how, and with what.</summary>
internal sealed record ChaosNode(string Name, PresetKind Preset, IReadOnlyList<string> PodCidrs, bool Finalizer)
{
    /// <summary>Uids of the live nodes whose CIDRs this one was created to overlap (Overlapping, LargerThanBlock).</summary>
    public IReadOnlyList<string> CopiedFrom { get; init; } = [];

    /// <summary>The value of <see cref="ClusterCidrChurn.LabelKey"/> the node was created with (null: not labelled); it chooses the pool.</summary>
    public string? PoolLabel { get; init; }
}
