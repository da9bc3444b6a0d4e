using System.Reflection;

using CidrController.Kubernetes.Configuration;
using CidrController.Status;

namespace CidrController.CommandLine;

/// <summary>
/// Everything that happens before the controller starts: one-line errors (exit 2), help and version (exit 0),
/// <c>--validate-only</c> (plan on stdout, exit 0) and the <c>flags</c> listing. Separate from Program so tests
/// drive it in-process. Every command reads its flags through <see cref="FlagSet"/> and <see cref="ControllerFlags"/>.
/// </summary>
internal static class CommandLineFrontEnd
{
    public const int ExitOk = 0;
    public const int ExitUsage = 2;
    private const string Program = "cidr-controller";

    private const string Usage = """
        cidr-controller: Kubernetes node IPAM controller; gives every node a pod CIDR (kube-controller-manager's RangeAllocator).

        Usage:
          cidr-controller [flags]
          cidr-controller status [--output text|json] [flags]   per-range usage and node problems, read from the cluster
          cidr-controller flags [--output text|json]            this flag table (name, type, default, usage)

        Flags (--flag=value or --flag value; booleans --flag or --flag=false, never --flag false; durations like 15s, 1m30s, 500ms):
        """;

    /// <summary>True with <paramref name="settings"/> when the controller should run; otherwise false with the exit code.</summary>
    public static bool TryPrepare(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, Func<string, string?> getEnvironmentVariable,
        out CommandLineSettings settings, out int exitCode)
    {
        settings = new CommandLineSettings { Controller = new ControllerOptions() };
        if (args is ["flags", ..])
        {
            exitCode = ListFlags([.. args.Skip(1)], stdout, stderr);
            return false;
        }

        var set = CreateRootFlagSet(out var flags);
        if (Read(set, flags, args, Usage, stdout, stderr, getEnvironmentVariable, out exitCode) is not { } read)
        {
            return false;
        }

        settings = read;
        if (settings.ValidateOnly)
        {
            CapacityPlan.Write(settings.Controller, stdout);
        }

        return !settings.ValidateOnly;
    }

    /// <summary>
    /// Reads <paramref name="args"/> into <paramref name="set"/>, answers --help and --version, and validates the
    /// controller flags. Null with the exit code when the process should stop here.
    /// </summary>
    public static CommandLineSettings? Read(FlagSet set, ControllerFlags flags, IReadOnlyList<string> args, string usage, TextWriter stdout, TextWriter stderr,
        Func<string, string?> getEnvironmentVariable, out int exitCode)
    {
        exitCode = ExitOk;
        try
        {
            set.Parse(args);
            if (flags.Help.Value)
            {
                stdout.WriteLine(usage);
                set.WriteUsage(stdout);
                return null;
            }

            if (flags.Version.Value)
            {
                stdout.WriteLine(VersionLine());
                return null;
            }

            return flags.ToSettings(getEnvironmentVariable);
        }
        catch (FlagException refused)
        {
            stderr.WriteLine($"{set.Command}: {refused.Message}");
        }
        catch (Exception bug) when (bug is not OutOfMemoryException)
        {
            // A bug here must still give an operator fixing a manifest one line, with what a bug report needs.
            stderr.WriteLine($"{set.Command}: internal error while reading the flags (please report): {bug.GetType().Name}: {EchoedValue.Escape(bug.Message)}");
        }

        exitCode = ExitUsage;
        return null;
    }

    /// <summary>The <c>--output text|json</c> flag of <c>status</c> and <c>flags</c>.</summary>
    public static Flag<string> AddOutputFlag(FlagSet set) =>
        set.Add("--output", FlagSyntax.String, "text", "Output format: text or json.", value => value is "text" or "json" ? null : "must be text or json", shorthand: 'o');

    /// <summary>What <c>--version</c> prints: <c>cidr-controller &lt;informational version&gt;</c>.</summary>
    public static string VersionLine() =>
        $"{Program} {typeof(CommandLineFrontEnd).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown"}";

    internal static FlagSet CreateRootFlagSet(out ControllerFlags flags)
    {
        var set = new FlagSet(Program);
        flags = new ControllerFlags(set);
        return set;
    }

    /// <summary><c>cidr-controller flags</c>: the controller's flag table, for operators and for the chart's defaults check.</summary>
    private static int ListFlags(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var set = new FlagSet(Program + " flags");
        var output = AddOutputFlag(set);
        var help = set.Add("--help", FlagSyntax.Bool, false, "Print this help and exit.", shorthand: 'h');
        try
        {
            set.Parse(args);
        }
        catch (FlagException refused)
        {
            stderr.WriteLine($"{set.Command}: {refused.Message}");
            return ExitUsage;
        }

        var table = help.Value ? set : CreateRootFlagSet(out _);
        if (output.Value == "json" && !help.Value)
        {
            table.WriteJson(stdout);
        }
        else
        {
            table.WriteUsage(stdout);
        }

        return ExitOk;
    }
}
