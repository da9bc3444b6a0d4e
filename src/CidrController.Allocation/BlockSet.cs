namespace CidrController.Allocation;

/// <summary>
/// The used/free state of the blocks 0..<see cref="LastIndex"/> of one range. Not thread-safe: the owning
/// <see cref="BlockRange"/> holds the lock. Counts are modulo 2^128: only a 2^128-block space
/// (<c>::/0</c> at /128) can wrap, and <see cref="BlockRange"/> resolves that one ambiguity.
/// </summary>
internal abstract class BlockSet
{
    protected BlockSet(UInt128 lastIndex)
    {
        LastIndex = lastIndex;
    }

    public UInt128 LastIndex { get; }

    /// <summary>True when no block is used.</summary>
    public abstract bool IsEmpty { get; }

    /// <summary>Approximate heap bytes held by the state (for the memory figures).</summary>
    public abstract long ApproximateBytes { get; }

    public abstract bool IsUsed(UInt128 index);

    /// <summary>The first free index at or after <paramref name="from"/> (no wrap-around).</summary>
    public abstract bool TryFindFree(UInt128 from, out UInt128 index);

    /// <summary>Marks <paramref name="first"/>..<paramref name="last"/> used; returns how many were free.</summary>
    public abstract UInt128 Mark(UInt128 first, UInt128 last);

    /// <summary>Marks <paramref name="first"/>..<paramref name="last"/> free; returns how many were used.</summary>
    public abstract UInt128 Clear(UInt128 first, UInt128 last);

    /// <summary>True when every block is used.</summary>
    public bool IsFull => !TryFindFree(UInt128.Zero, out _);
}
