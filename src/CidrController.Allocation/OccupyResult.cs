namespace CidrController.Allocation;

/// <summary>
/// The outcome of <see cref="BlockRange.Occupy"/> / <see cref="BlockRange.Release"/>.
/// </summary>
/// <param name="InRange">False when the CIDR is of another family or does not overlap the cluster CIDR (an error for the caller).</param>
/// <param name="BlocksCovered">Blocks of the range the CIDR spans (saturates at <see cref="UInt128.MaxValue"/> for 2^128).</param>
/// <param name="BlocksChanged">
/// Blocks that actually changed state. Occupying a node's CIDR with fewer changed than covered means some of
/// its blocks were already held: by another node or by the service range.
/// </param>
public readonly record struct OccupyResult(bool InRange, UInt128 BlocksCovered, UInt128 BlocksChanged)
{
    internal static OccupyResult OutOfRange => new(false, UInt128.Zero, UInt128.Zero);

    internal OccupyResult Plus(OccupyResult other) => new(
        InRange || other.InRange,
        SaturatingAdd(BlocksCovered, other.BlocksCovered),
        SaturatingAdd(BlocksChanged, other.BlocksChanged));

    private static UInt128 SaturatingAdd(UInt128 a, UInt128 b) => UInt128.MaxValue - a < b ? UInt128.MaxValue : a + b;
}
