namespace CidrController.CommandLine;

/// <summary>The outcome of <see cref="CommandLineParser.Parse"/>: settings to run with, help, version, or a one-line error.</summary>
internal sealed record CommandLineResult(CommandLineAction Action, CommandLineSettings? Settings, string? Error)
{
    public static CommandLineResult Run(CommandLineSettings settings) => new(CommandLineAction.Run, settings, null);

    public static CommandLineResult Failed(string error) => new(CommandLineAction.Fail, null, error);

    public static CommandLineResult Help { get; } = new(CommandLineAction.ShowHelp, null, null);

    public static CommandLineResult Version { get; } = new(CommandLineAction.ShowVersion, null, null);
}
