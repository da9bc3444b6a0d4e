using CidrController.Allocation;

namespace CidrController.CommandLine;

/// <summary>A comma-separated CIDR flag value (<c>--cluster-cidr</c>, <c>--service-cluster-ip-range</c>): trimmed, host bits masked, order kept.</summary>
internal static class CidrList
{
    public static IReadOnlyList<IpBlock> Parse(Flag flag, string value)
    {
        if (value.Length == 0)
        {
            throw FlagException.InvalidValue(flag, value, "must not be empty");
        }

        var entries = value.Split(',', StringSplitOptions.TrimEntries);
        var blocks = new List<IpBlock>(entries.Length);
        foreach (var entry in entries)
        {
            blocks.Add(ParseEntry(flag, value, entry));
        }

        return blocks;
    }

    /// <summary>At most one IPv4 and one IPv6 block: upstream's dual-stack shape.</summary>
    public static void RequireOnePerFamily(Flag flag, string value, IReadOnlyList<IpBlock> blocks)
    {
        if (blocks.Count > 2)
        {
            throw FlagException.InvalidValue(flag, value, $"{blocks.Count} CIDRs given; at most 2 (one IPv4 and one IPv6)");
        }

        if (blocks.Count == 2 && blocks[0].Family == blocks[1].Family)
        {
            throw FlagException.InvalidValue(flag, value, $"both CIDRs are {blocks[0].Family}; two CIDRs must be one IPv4 and one IPv6");
        }
    }

    private static IpBlock ParseEntry(Flag flag, string wholeValue, string entry)
    {
        if (entry.Length == 0)
        {
            throw FlagException.InvalidValue(flag, wholeValue, "empty entry in the comma-separated list");
        }

        // IpBlock's own error echoes the whole input; ours is truncated and escaped, so only the reason is built here.
        return IpBlock.TryParse(entry, out var block, out _)
            ? block
            : throw FlagException.InvalidValue(flag, entry, CidrSyntax.Explain(entry));
    }
}
