using System.Globalization;

namespace CidrController.CommandLine;

/// <summary>Booleans, integers and numbers as Go's strconv reads them for pflag; each failure names the flag and value.</summary>
internal static class ScalarFlagParser
{
    /// <summary>strconv.ParseBool: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.</summary>
    public static bool ParseBool(Flag flag, string value) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw FlagException.InvalidValue(flag, value, "not a boolean (true or false)"),
    };

    public static int ParseInt(Flag flag, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            throw FlagException.InvalidValue(flag, value, "not an integer");
        }

        if (number < min || number > max)
        {
            throw FlagException.InvalidValue(flag, value, RangeText(min, max));
        }

        return number;
    }

    public static double ParsePositiveNumber(Flag flag, string value)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            throw FlagException.InvalidValue(flag, value, "not a number");
        }

        return number > 0 ? number : throw FlagException.InvalidValue(flag, value, "must be greater than 0");
    }

    public static TimeSpan ParsePositiveDuration(Flag flag, string value)
    {
        if (!GoDuration.TryParse(value, out var duration, out var error))
        {
            throw FlagException.InvalidValue(flag, value, error);
        }

        return duration > TimeSpan.Zero ? duration : throw FlagException.InvalidValue(flag, value, "must be greater than 0");
    }

    public static TimeSpan ParseNonNegativeDuration(Flag flag, string value)
    {
        if (!GoDuration.TryParse(value, out var duration, out var error))
        {
            throw FlagException.InvalidValue(flag, value, error);
        }

        return duration >= TimeSpan.Zero ? duration : throw FlagException.InvalidValue(flag, value, "must not be negative");
    }

    private static string RangeText(int min, int max) => max == int.MaxValue ? $"must be at least {min}" : $"must be between {min} and {max}";
}
