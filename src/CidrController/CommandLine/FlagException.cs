namespace CidrController.CommandLine;

/// <summary>
/// A refused command line. Thrown by the reader and validator and caught only by <see cref="CommandLineParser"/>,
/// which turns it into one line on stderr and exit code 2. The message never contains a newline.
/// </summary>
internal sealed class FlagException : Exception
{
    private FlagException(string message)
        : base(message)
    {
    }

    public static FlagException InvalidValue(Flag flag, string value, string reason) =>
        new($"invalid value {EchoedValue.Quote(value)} for flag {flag.Name}: {reason}");

    public static FlagException UnknownFlag(string name, Flag? suggestion) =>
        new($"unknown flag: {EchoedValue.Escape(name)}" + (suggestion is null ? "" : $" (did you mean {suggestion.Name}?)"));

    public static FlagException NeedsArgument(Flag flag) => new($"flag needs an argument: {flag.Name}");

    public static FlagException UnexpectedArgument(string value) =>
        new($"unexpected argument {EchoedValue.Quote(value)}: cidr-controller takes only flags (see --help)");

    public static FlagException MissingRequired(Flag flag, string reason) => new($"missing required flag {flag.Name}: {reason}");
}
