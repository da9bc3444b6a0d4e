using CidrController.Kubernetes.Configuration;

namespace CidrController.Tests.CommandLine;

public sealed class GoDurationTests
{
    public static TheoryData<string, TimeSpan> Valid => new()
    {
        { "15s", TimeSpan.FromSeconds(15) },
        { "1m30s", TimeSpan.FromSeconds(90) },
        { "500ms", TimeSpan.FromMilliseconds(500) },
        { "1.5h", TimeSpan.FromMinutes(90) },
        { "1h2m3s4ms", new TimeSpan(0, 1, 2, 3, 4) },
        { "0", TimeSpan.Zero },
        { "+2s", TimeSpan.FromSeconds(2) },
        { "-2s", TimeSpan.FromSeconds(-2) },
        { "100us", TimeSpan.FromTicks(1000) },
        { "100µs", TimeSpan.FromTicks(1000) },
        { "100μs", TimeSpan.FromTicks(1000) },
        { "300ns", TimeSpan.FromTicks(3) },
        { ".5s", TimeSpan.FromMilliseconds(500) },
        { "2562047h", TimeSpan.FromHours(2562047) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parses_go_syntax(string text, TimeSpan expected)
    {
        Assert.True(GoDuration.TryParse(text, out var duration, out var error), error);
        Assert.Equal(expected, duration);
    }

    [Theory]
    [InlineData("", "not a duration")]
    [InlineData("15", "missing unit")]
    [InlineData("s", "not a duration")]
    [InlineData("1.2.3s", "not a duration")]
    [InlineData("1d", "unknown unit")]
    [InlineData("1 s", "unknown unit")]
    [InlineData("1S", "unknown unit \"S\" in duration")]
    [InlineData("1\u001b[", "unknown unit in duration")] // a unit that is not a short word is not echoed
    [InlineData("2562048h", "out of range")]
    [InlineData("99999999999999999999999999999999h", "not a duration")]
    [InlineData("-", "not a duration")]
    public void Refuses_what_go_refuses(string text, string expectedFragment)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var error));
        Assert.Contains(expectedFragment, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ms")]
    [InlineData(2_000, "2s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(1_500, "1.5s")]
    public void Formats_as_go_does_and_parses_back(int milliseconds, string expected)
    {
        var duration = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(expected, GoDuration.Format(duration));
        Assert.True(GoDuration.TryParse(expected, out var parsed, out _));
        Assert.Equal(duration, parsed);
    }
}
