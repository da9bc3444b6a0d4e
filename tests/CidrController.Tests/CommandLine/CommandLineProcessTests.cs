using CidrController.CommandLine;

namespace CidrController.Tests.CommandLine;

/// <summary>The built binary, as an operator runs it: exit codes and the exact streams, a representative handful of cases.</summary>
public sealed class CommandLineProcessTests
{
    [Theory]
    [InlineData("--cluster-cidr=10.0.0.0/33", "invalid value \"10.0.0.0/33\" for flag --cluster-cidr")]
    [InlineData("--clustr-cidr=10.0.0.0/8", "unknown flag: --clustr-cidr (did you mean --cluster-cidr?)")]
    [InlineData("--cluster-cidr", "flag needs an argument: --cluster-cidr")]
    [InlineData("--cidr-allocator-type=CloudAllocator", "for flag --cidr-allocator-type")]
    [InlineData("--allocate-node-cidrs false", "unexpected argument \"false\"")]
    [InlineData("flags --output=yaml", "cidr-controller flags: invalid value \"yaml\" for flag --output")]
    public async Task Bad_flag_exits_2_with_one_stderr_line(string args, string expectedFragment)
    {
        var outcome = await CidrControllerBinary.RunAsync(args.Split(' '));

        Assert.Equal(2, outcome.ExitCode);
        Assert.Empty(outcome.Stdout);
        var line = Assert.Single(outcome.StderrLines);
        Assert.Matches("^cidr-controller( flags)?: ", line);
        Assert.Contains(expectedFragment, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Huge_non_ascii_value_exits_2_with_one_short_line()
    {
        var outcome = await CidrControllerBinary.RunAsync("--cluster-cidr=" + string.Concat(Enumerable.Repeat("日本\u202E\n", 2500)));

        Assert.Equal(2, outcome.ExitCode);
        var line = Assert.Single(outcome.StderrLines);
        Assert.Contains("--cluster-cidr", line, StringComparison.Ordinal);
        Assert.True(line.Length < 300, line);
        Assert.DoesNotContain("   at ", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_exits_0_and_lists_every_flag()
    {
        var outcome = await CidrControllerBinary.RunAsync("--help");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Empty(outcome.Stderr);
        foreach (var flag in CommandLineFrontEnd.CreateRootFlagSet(out _).Flags)
        {
            Assert.Contains(flag.Name, outcome.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Flags_json_lists_every_flag_with_its_default()
    {
        var outcome = await CidrControllerBinary.RunAsync("flags", "--output", "json");

        Assert.Equal(0, outcome.ExitCode);
        using var table = System.Text.Json.JsonDocument.Parse(outcome.Stdout);
        var listed = table.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("default").GetString());
        Assert.Equal(CommandLineFrontEnd.CreateRootFlagSet(out _).Flags.ToDictionary(f => f.Name, f => (string?)f.DefaultText), listed);
        Assert.Equal("15s", listed["--leader-elect-lease-duration"]);
    }

    [Fact]
    public async Task Version_exits_0()
    {
        var outcome = await CidrControllerBinary.RunAsync("--version");

        Assert.Equal(0, outcome.ExitCode);
        Assert.StartsWith("cidr-controller 0.", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_only_prints_the_plan_and_exits_0()
    {
        var outcome = await CidrControllerBinary.RunAsync(
            "--validate-only", "--cluster-cidr=10.1.0.0/16", "--service-cluster-ip-range=10.1.0.0/20");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Empty(outcome.Stderr);
        Assert.Matches(@"(?m)^10\.1\.0\.0/16\s+IPv4\s+/24\s+256\s+16\s+240\s+256$", outcome.Stdout);
    }
}
