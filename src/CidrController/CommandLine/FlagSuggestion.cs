namespace CidrController.CommandLine;

/// <summary>"Did you mean" for an unknown flag: the closest known flag within a small edit distance (cobra uses 2).</summary>
internal static class FlagSuggestion
{
    private const int MaxDistance = 2;

    public static Flag? ClosestTo(string unknownName, IReadOnlyList<Flag> flags)
    {
        if (unknownName.Length > 80)
        {
            return null;
        }

        var bare = unknownName.TrimStart('-');
        var best = flags.MinBy(flag => Distance(bare, flag.Name.TrimStart('-')));
        if (best is not null && Distance(bare, best.Name.TrimStart('-')) <= MaxDistance)
        {
            return best;
        }

        // "--cluster" for "--cluster-cidr": a truncated flag is as good a hint as a typo.
        return bare.Length < 4 ? null : flags.FirstOrDefault(flag => flag.Name.TrimStart('-').StartsWith(bare, StringComparison.Ordinal));
    }

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
