namespace CidrController.CommandLine;

/// <summary>
/// A flag with a typed value: the default comes from the options type, <see cref="FlagType{T}"/> turns the text into
/// a value (refusing what does not parse) and the range check refuses what parses but cannot be used.
/// </summary>
internal sealed class Flag<T>(string name, FlagType<T> type, T value, string usage, Func<T, string?>? rangeCheck, char? shorthand, string? defaultText)
    : Flag(name, shorthand, type.Name, defaultText ?? type.Format(value), usage)
{
    public T Value { get; private set; } = value;

    protected override void Parse(string text)
    {
        var parsed = type.Parse(this, text);
        Value = rangeCheck?.Invoke(parsed) is { } reason ? throw FlagException.InvalidValue(this, text, reason) : parsed;
    }
}
