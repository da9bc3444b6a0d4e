namespace CidrController.CommandLine;

/// <summary>
/// A refused command line, thrown while flags are read and validated and caught only by
/// <see cref="CommandLineFrontEnd"/>: one line on stderr (never a newline in it), exit code 2.
/// </summary>
internal sealed class FlagException(string message) : Exception(message)
{
    public static FlagException InvalidValue(Flag flag, string value, string reason) =>
        new($"invalid value {EchoedValue.Quote(value)} for flag {flag.Name}: {reason}");

    public static FlagException UnknownFlag(string name, Flag? suggestion) =>
        new($"unknown flag: {EchoedValue.Escape(name)}" + (suggestion is null ? "" : $" (did you mean {suggestion.Name}?)"));

    public static FlagException NeedsArgument(Flag flag) => new($"flag needs an argument: {flag.Name}");

    /// <summary>A positional word; after a bare boolean it is almost always that boolean's intended value.</summary>
    public static FlagException UnexpectedArgument(string command, string value, Flag? afterBoolean) =>
        new($"unexpected argument {EchoedValue.Quote(value)}: {command} takes only flags (see --help)"
            + (afterBoolean is null ? "" : $"; a boolean flag takes its value after '=', as in {afterBoolean.Name}={EchoedValue.Escape(value)}"));

    public static FlagException MissingRequired(Flag flag, string reason) => new($"missing required flag {flag.Name}: {reason}");
}
