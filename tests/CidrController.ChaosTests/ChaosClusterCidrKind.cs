namespace CidrController.ChaosTests;

/// <summary>What kind of ClusterCIDR pool the driver created, and so what the controller must do with it.</summary>
internal enum ChaosClusterCidrKind
{
    /// <summary>Valid, selecting the nodes labelled with one value of <see cref="ClusterCidrChurn.LabelKey"/>.</summary>
    Selecting,

    /// <summary>Valid, without a node selector: it takes every node while it has room.</summary>
    SelectAll,

    /// <summary>perNodeHostBits below 4: accepted by the API server, refused by the controller (InvalidClusterCIDR).</summary>
    HostBitsTooFew,

    /// <summary>A range smaller than one node block: refused by the controller (InvalidClusterCIDR).</summary>
    SmallerThanBlock,

    /// <summary>Overlapping the --cluster-cidr ranges: refused (InvalidClusterCIDR).</summary>
    OverlapsDefault,

    /// <summary>
    /// Overlapping a pool the controller already uses: refused while that pool exists. It selects no node, so
    /// even once the original is gone (and it may be accepted) no node may hold its blocks.
    /// </summary>
    OverlapsPool,
}
