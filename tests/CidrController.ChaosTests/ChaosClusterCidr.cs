namespace CidrController.ChaosTests;

/// <summary>A ClusterCIDR pool the driver created: its kind, ranges, selector and whether the driver deleted it.</summary>
internal sealed record ChaosClusterCidr(string Name, string Uid, ChaosClusterCidrKind Kind, int PerNodeHostBits, NetBlock? V4, NetBlock? V6, string? SelectsLabel, int? Slot)
{
    /// <summary>The controller must accept it (nothing it could overlap is left to the driver's choice).</summary>
    public bool Valid => Kind is ChaosClusterCidrKind.Selecting or ChaosClusterCidrKind.SelectAll;

    /// <summary>For <see cref="ChaosClusterCidrKind.OverlapsPool"/>: the pool it overlaps.</summary>
    public string? Original { get; init; }

    /// <summary>Deleted by the driver (terminating while nodes use it, then gone).</summary>
    public bool Deleted { get; set; }

    /// <summary>The pool's ranges carved as the controller carves them (address bits − perNodeHostBits); no service range inside.</summary>
    public IReadOnlyList<PoolRange> Ranges =>
        [.. new[] { V4, V6 }.OfType<NetBlock>().Where(b => b.Bits - PerNodeHostBits >= b.Prefix).Select(b => new PoolRange(b, b.Bits - PerNodeHostBits, []))];

    /// <summary>Whether its selector picks a node created with this value of the pool label (null: unlabelled).</summary>
    public bool Selects(string? nodeLabel) => Kind switch
    {
        ChaosClusterCidrKind.SelectAll => true,
        ChaosClusterCidrKind.Selecting => nodeLabel is not null && nodeLabel == SelectsLabel,
        _ => false,
    };

    public string Describe => $"{Name} ({Kind}, perNodeHostBits {PerNodeHostBits}, {string.Join(",", new[] { V4, V6 }.OfType<NetBlock>())}{(SelectsLabel is null ? "" : ", selects " + SelectsLabel)})";
}
