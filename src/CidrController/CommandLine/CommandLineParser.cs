namespace CidrController.CommandLine;

/// <summary>argv → <see cref="CommandLineResult"/>: read the flags, honour --help/--version, validate.</summary>
internal static class CommandLineParser
{
    public static CommandLineResult Parse(IReadOnlyList<string> args, Func<string, string?> getEnvironmentVariable)
    {
        try
        {
            var values = FlagReader.Read(args);
            if (IsTrue(values, ControllerFlags.Help))
            {
                return CommandLineResult.Help;
            }

            if (IsTrue(values, ControllerFlags.Version))
            {
                return CommandLineResult.Version;
            }

            return CommandLineResult.Run(FlagValidator.Validate(values, getEnvironmentVariable));
        }
        catch (FlagException refused)
        {
            return CommandLineResult.Failed(refused.Message);
        }
    }

    private static bool IsTrue(FlagValues values, Flag flag) =>
        values.Get(flag) is { } text && ScalarFlagParser.ParseBool(flag, text);
}
