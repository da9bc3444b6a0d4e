namespace CidrController.Tests.CommandLine;

internal sealed record ProcessOutcome(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
