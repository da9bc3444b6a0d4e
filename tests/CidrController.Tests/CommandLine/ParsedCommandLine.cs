using CidrController.CommandLine;

namespace CidrController.Tests.CommandLine;

/// <summary>Runs the command-line front end in-process, as Program does, capturing stdout, stderr and the exit code.</summary>
internal sealed record ParsedCommandLine(bool Runs, int ExitCode, string Stdout, string Stderr, CommandLineSettings Settings)
{
    public static ParsedCommandLine Of(params string[] args) => Of(_ => null, args);

    public static ParsedCommandLine Of(Func<string, string?> getEnvironmentVariable, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var runs = CommandLineFrontEnd.TryPrepare(args, stdout, stderr, getEnvironmentVariable, out var settings, out var exitCode);
        return new ParsedCommandLine(runs, exitCode, stdout.ToString(), stderr.ToString(), settings);
    }

    /// <summary>Settings of a command line that must be accepted; fails the test with the error otherwise.</summary>
    public static CommandLineSettings Accepted(params string[] args)
    {
        var parsed = Of(args);
        Assert.True(parsed.Runs, $"refused: {parsed.Stderr}");
        return parsed.Settings;
    }

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
