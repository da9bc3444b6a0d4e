namespace CidrController.CommandLine;

/// <summary>What the process does after reading its command line.</summary>
internal enum CommandLineAction
{
    /// <summary>Run the controller (or, with --validate-only, print the plan) with the parsed settings.</summary>
    Run,
    ShowHelp,
    ShowVersion,

    /// <summary>The command line was refused; the result carries the one-line error.</summary>
    Fail,
}
