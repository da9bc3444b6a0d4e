namespace CidrController.CommandLine;

/// <summary>
/// A flag with a typed value: the default comes from the options type, the parser turns the text into a value
/// (refusing what does not parse) and the range check refuses what parses but cannot be used.
/// </summary>
internal sealed class Flag<T> : Flag
{
    private readonly Func<Flag, string, T> _parse;
    private readonly Func<T, string?> _rangeCheck;

    public Flag(string name, char? shorthand, string? typeName, T defaultValue, string defaultText, string usage,
        Func<Flag, string, T> parse, Func<T, string?>? rangeCheck = null)
        : base(name, shorthand, typeName, defaultText, usage)
    {
        Value = defaultValue;
        _parse = parse;
        _rangeCheck = rangeCheck ?? (_ => null);
    }

    public T Value { get; private set; }

    protected override void Parse(string text)
    {
        var value = _parse(this, text);
        Value = _rangeCheck(value) is { } reason ? throw FlagException.InvalidValue(this, text, reason) : value;
    }
}
