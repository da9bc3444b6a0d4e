using CidrController.CommandLine;

namespace CidrController.Tests.CommandLine;

public sealed class EchoedValueTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "\"10.0.0.0/8\"")]
    [InlineData("", "\"\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("日本/8", "\"日本/8\"")]
    [InlineData("🙂", "\"🙂\"")]
    [InlineData("\u2028", "\"\\u2028\"")]
    public void Quotes_and_escapes(string value, string expected)
    {
        Assert.Equal(expected, EchoedValue.Quote(value));
    }

    [Fact]
    public void Lone_surrogate_is_escaped()
    {
        // Built in code: an attribute argument cannot carry a lone surrogate (it is stored as UTF-8).
        var value = new string(['\uDC00', 'x']);

        Assert.Equal("\"\\udc00x\"", EchoedValue.Quote(value));
    }

    [Fact]
    public void Truncation_never_splits_a_surrogate_pair()
    {
        var value = new string('x', EchoedValue.MaxEchoedChars - 1) + "🙂🙂";

        Assert.Equal(new string('x', EchoedValue.MaxEchoedChars - 1) + "…", EchoedValue.Escape(value));
    }
}
