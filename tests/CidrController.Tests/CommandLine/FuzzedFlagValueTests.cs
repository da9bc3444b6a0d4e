namespace CidrController.Tests.CommandLine;

/// <summary>Issue 6, bad input: hostile values still give one sane line naming the flag, exit 2, no stack trace.</summary>
public sealed class FuzzedFlagValueTests
{
    private static readonly string LongValue = new('9', 10_000);

    public static TheoryData<string, string> FuzzedValues => new()
    {
        { "empty", "" },
        { "slash", "/" },
        { "prefix 33", "10.0.0.0/33" },
        { "prefix 129", "::/129" },
        { "garbage", "%$#@!&*()" },
        { "10,000 characters", LongValue },
        { "10,000 characters with a slash", "10.0.0.0/" + LongValue },
        { "non-ASCII", "１０.０.０.０/８" },
        { "emoji and bidi override", "10.0.0.0/8\u202Egnp.🙂" },
        { "newline and escape", "10.0.0.0/8\n\u001b[31mred" },
        { "NUL", "\0" },
        { "lone surrogate", "\uD800/8" },
        { "only commas", ",,," },
        { "whitespace", "   " },
        { "leading zeros", "010.0.0.0/8" },
        { "zone id", "fe80::1%eth0/64" },
        { "negative prefix", "10.0.0.0/-1" },
        { "huge prefix", "10.0.0.0/99999999999999999999" },
    };

    /// <summary>Each fuzzed value goes to every value-taking flag it could plausibly break.</summary>
    public static TheoryData<string, string, string> FuzzedValuePerFlag()
    {
        var flags = new[]
        {
            "--cluster-cidr", "--service-cluster-ip-range", "--node-cidr-mask-size", "--node-cidr-mask-size-ipv4",
            "--kube-api-qps", "--kube-api-burst", "--leader-elect", "--leader-elect-lease-duration", "--concurrent-node-syncs",
            "--metrics-bind-address", "--log-format", "--v", "--cidr-allocator-type",
        };
        var data = new TheoryData<string, string, string>();
        foreach (var flag in flags)
        {
            foreach (var row in FuzzedValues)
            {
                data.Add((string)row[0], flag, (string)row[1]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FuzzedValuePerFlag))]
    public void Fuzzed_value_gives_one_line_naming_the_flag(string name, string flag, string value)
    {
        // The service range treats empty as unset; with the cluster CIDR given first, everything else must be refused.
        var args = flag == "--cluster-cidr" ? new[] { flag + "=" + value } : ["--cluster-cidr=10.0.0.0/8", flag + "=" + value];
        var parsed = ParsedCommandLine.Of(args);
        if (parsed.Runs)
        {
            Assert.True(value.Trim().Length == 0 && flag == "--service-cluster-ip-range", $"{name}: {flag}={value} was accepted");
            return;
        }

        AssertOneSaneLine(parsed, flag);
    }

    [Theory]
    [MemberData(nameof(FuzzedValues))]
    public void Fuzzed_flag_name_gives_one_line(string name, string value)
    {
        var parsed = ParsedCommandLine.Of("--" + value);

        Assert.False(parsed.Runs, name);
        Assert.Equal(2, parsed.ExitCode);
        var line = Assert.Single(parsed.StderrLines);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
        Assert.True(line.Length < 300, $"{name}: {line.Length} characters");
    }

    [Fact]
    public void Long_value_is_truncated_with_an_ellipsis()
    {
        var line = Assert.Single(ParsedCommandLine.Of("--cluster-cidr=" + LongValue).StderrLines);

        Assert.Contains("\"" + new string('9', 64) + "…\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Control_characters_are_escaped_not_printed()
    {
        var line = Assert.Single(ParsedCommandLine.Of("--cluster-cidr=a\nb\u001b\u202E").StderrLines);

        Assert.Contains("\"a\\nb\\u001b\\u202e\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Space_separated_empty_value_is_refused_not_ignored()
    {
        AssertOneSaneLine(ParsedCommandLine.Of("--cluster-cidr", ""), "--cluster-cidr");
    }

    private static void AssertOneSaneLine(ParsedCommandLine parsed, string flag)
    {
        Assert.Equal(2, parsed.ExitCode);
        Assert.Empty(parsed.Stdout);
        var line = Assert.Single(parsed.StderrLines);
        Assert.EndsWith("\n", parsed.Stderr, StringComparison.Ordinal);
        Assert.Contains(flag, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', line);
        Assert.True(line.Length < 400, $"{line.Length} characters: {line}");
    }
}
