namespace CidrController.ChaosTests;

/// <summary>What podCIDRs a node is created with, and so what the controller must do about it.</summary>
internal enum PresetKind
{
    /// <summary>No podCIDRs: the controller must give it one block per family.</summary>
    None,

    /// <summary>Free, in-range blocks (created only while no controller runs: the state a restart finds).</summary>
    Free,

    /// <summary>Free blocks written with host bits set (10.0.1.33/27): must be treated as 10.0.1.32/27.</summary>
    HostBits,

    /// <summary>The same blocks as a live node (PodCIDROverlap).</summary>
    Overlapping,

    /// <summary>A CIDR larger than a block, covering a live node's block (PodCIDROverlap, several blocks held).</summary>
    LargerThanBlock,

    /// <summary>Inside the service range: accepted by the API, excluded by the controller, never counted.</summary>
    ServiceRange,

    /// <summary>Outside every cluster CIDR (PodCIDROutOfRange).</summary>
    OutOfRange,

    /// <summary>Accepted by the API server (Go's sloppy parser) but not a CIDR the controller accepts (InvalidPodCIDR).</summary>
    Unparsable,
}
