using System.Numerics;

namespace CidrController.Allocation;

/// <summary>
/// One bit per block in <c>ulong</c> words, scanned a word at a time (upstream scans a <c>big.Int</c> a bit
/// at a time, ≈1 µs per allocation on 65,536 blocks). Used for ranges of up to 2^24 blocks (2 MiB).
/// </summary>
internal sealed class DenseBlockBitmap : BlockSet
{
    private readonly ulong[] _words;

    public DenseBlockBitmap(int blockCount)
        : base((UInt128)(uint)(blockCount - 1))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCount, 1);
        _words = new ulong[(blockCount + 63) / 64];

        // Bits past the last block are permanently set so a scan never returns them; they are never counted.
        var tail = blockCount % 64;
        if (tail != 0)
        {
            _words[^1] = ulong.MaxValue << tail;
        }
    }

    public override bool IsEmpty
    {
        get
        {
            var tail = (int)((LastIndex + 1) % 64);
            var padding = tail == 0 ? 0UL : ulong.MaxValue << tail;
            for (var i = 0; i < _words.Length - 1; i++)
            {
                if (_words[i] != 0)
                {
                    return false;
                }
            }

            return _words[^1] == padding;
        }
    }

    public override long ApproximateBytes => (_words.Length * sizeof(ulong)) + 24;

    public override bool IsUsed(UInt128 index)
    {
        var i = (int)index;
        return (_words[i >> 6] & (1UL << (i & 63))) != 0;
    }

    public override bool TryFindFree(UInt128 from, out UInt128 index)
    {
        index = UInt128.Zero;
        if (from > LastIndex)
        {
            return false;
        }

        var i = (int)from;
        var w = i >> 6;
        var words = _words;
        var word = words[w] | ((1UL << (i & 63)) - 1);
        while (word == ulong.MaxValue)
        {
            if (++w == words.Length)
            {
                return false;
            }

            word = words[w];
        }

        index = (uint)((w << 6) + BitOperations.TrailingZeroCount(~word));
        return true;
    }

    public override UInt128 Mark(UInt128 first, UInt128 last)
    {
        ulong changed = 0;
        int from = (int)first, to = (int)last;
        for (var w = from >> 6; w <= to >> 6; w++)
        {
            var mask = WordMask(w, from, to);
            changed += (ulong)BitOperations.PopCount(mask & ~_words[w]);
            _words[w] |= mask;
        }

        return changed;
    }

    public override UInt128 Clear(UInt128 first, UInt128 last)
    {
        ulong changed = 0;
        int from = (int)first, to = (int)last;
        for (var w = from >> 6; w <= to >> 6; w++)
        {
            var mask = WordMask(w, from, to);
            changed += (ulong)BitOperations.PopCount(mask & _words[w]);
            _words[w] &= ~mask;
        }

        return changed;
    }

    // The bits of word w that fall inside from..to.
    private static ulong WordMask(int w, int from, int to)
    {
        var lo = Math.Max(from - (w << 6), 0);
        var hi = Math.Min(to - (w << 6), 63);
        return (ulong.MaxValue << lo) & (ulong.MaxValue >> (63 - hi));
    }
}
