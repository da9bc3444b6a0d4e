using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>
/// Everything that happens before the controller starts: one-line errors (exit 2), help and version (exit 0),
/// and <c>--validate-only</c> (plan on stdout, exit 0). Separate from Program so tests drive it in-process.
/// </summary>
internal static class CommandLineFrontEnd
{
    public const int ExitOk = 0;
    public const int ExitUsage = 2;

    /// <summary>True with <paramref name="settings"/> when the controller should run; otherwise false with the exit code.</summary>
    public static bool TryPrepare(
        IReadOnlyList<string> args,
        TextWriter stdout,
        TextWriter stderr,
        Func<string, string?> getEnvironmentVariable,
        out CommandLineSettings settings,
        out int exitCode)
    {
        settings = new CommandLineSettings { Controller = new ControllerOptions() };
        exitCode = ExitOk;
        var result = ParseWithoutEscapingExceptions(args, getEnvironmentVariable);
        switch (result.Action)
        {
            case CommandLineAction.Fail:
                stderr.WriteLine("cidr-controller: " + result.Error);
                exitCode = ExitUsage;
                return false;
            case CommandLineAction.ShowHelp:
                HelpText.WriteTo(stdout);
                return false;
            case CommandLineAction.ShowVersion:
                stdout.WriteLine(VersionText.Line());
                return false;
        }

        settings = result.Settings!;
        if (!settings.ValidateOnly)
        {
            return true;
        }

        exitCode = WritePlan(settings, stdout, stderr);
        return false;
    }

    private static int WritePlan(CommandLineSettings settings, TextWriter stdout, TextWriter stderr)
    {
        CapacityPlan plan;
        try
        {
            plan = CapacityPlan.From(settings.Controller);
        }
        catch (ArgumentException refused)
        {
            // The allocator's own precondition check; the validator should have caught it first.
            stderr.WriteLine("cidr-controller: the allocator refused the configuration: " + EchoedValue.Escape(refused.Message));
            return ExitUsage;
        }

        plan.WriteTo(stdout);
        return ExitOk;
    }

    /// <summary>
    /// Flag errors are <see cref="FlagException"/>s, handled in the parser. Anything else here is a bug in this
    /// code, and an operator fixing a manifest must still get one line, not a stack trace: it is reported
    /// with its type and message (which is what a bug report needs), not swallowed.
    /// </summary>
    private static CommandLineResult ParseWithoutEscapingExceptions(IReadOnlyList<string> args, Func<string, string?> getEnvironmentVariable)
    {
        try
        {
            return CommandLineParser.Parse(args, getEnvironmentVariable);
        }
        catch (Exception bug) when (bug is not OutOfMemoryException)
        {
            return CommandLineResult.Failed(
                $"internal error while reading the flags (please report): {bug.GetType().Name}: {EchoedValue.Escape(bug.Message)}");
        }
    }
}
