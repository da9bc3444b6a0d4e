using System.Globalization;

namespace CidrController.CommandLine;

/// <summary>
/// Go's <c>time.ParseDuration</c> syntax, which kube-controller-manager's duration flags use:
/// <c>15s</c>, <c>1m30s</c>, <c>500ms</c>, <c>1.5h</c>, <c>0</c>; units ns, us (µs), ms, s, m, h.
/// A bare number other than 0 is refused, as in Go ("missing unit").
/// </summary>
internal static class GoDuration
{
    // Go's limit: a time.Duration is an int64 of nanoseconds.
    private const decimal MaxNanoseconds = long.MaxValue;

    private static readonly Dictionary<string, decimal> NanosecondsPerUnit = new(StringComparer.Ordinal)
    {
        ["ns"] = 1m,
        ["us"] = 1_000m,
        ["µs"] = 1_000m, // U+00B5 micro sign
        ["μs"] = 1_000m, // U+03BC Greek mu
        ["ms"] = 1_000_000m,
        ["s"] = 1_000_000_000m,
        ["m"] = 60_000_000_000m,
        ["h"] = 3_600_000_000_000m,
    };

    /// <summary>Go's <c>Duration.String</c>: <c>0s</c>, <c>500ms</c>, <c>15s</c>, <c>1m30s</c>, <c>1h0m0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            return "-" + Format(duration.Negate());
        }

        var nanoseconds = duration.Ticks * 100m;
        if (nanoseconds == 0)
        {
            return "0s";
        }

        if (nanoseconds < 1_000_000_000m)
        {
            return nanoseconds < 1_000m ? Number(nanoseconds) + "ns"
                : nanoseconds < 1_000_000m ? Number(nanoseconds / 1_000m) + "µs"
                : Number(nanoseconds / 1_000_000m) + "ms";
        }

        var seconds = Number(nanoseconds / 1_000_000_000m % 60m) + "s";
        var minutes = (long)(nanoseconds / 60_000_000_000m);
        return minutes == 0 ? seconds
            : minutes < 60 ? minutes.ToString(CultureInfo.InvariantCulture) + "m" + seconds
            : (minutes / 60).ToString(CultureInfo.InvariantCulture) + "h" + (minutes % 60).ToString(CultureInfo.InvariantCulture) + "m" + seconds;
    }

    private static string Number(decimal value) => value.ToString("0.#########", CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        var rest = text.AsSpan();
        var negative = rest.Length > 0 && rest[0] == '-';
        if (rest.Length > 0 && (rest[0] == '-' || rest[0] == '+'))
        {
            rest = rest[1..];
        }

        if (rest is "0")
        {
            error = "";
            return true;
        }

        if (rest.IsEmpty)
        {
            error = "not a duration (e.g. 15s, 1m30s, 500ms)";
            return false;
        }

        decimal total = 0;
        while (!rest.IsEmpty)
        {
            if (!TryReadTerm(ref rest, out var nanoseconds, out error))
            {
                return false;
            }

            total += nanoseconds;
            if (total > MaxNanoseconds)
            {
                error = "duration out of range";
                return false;
            }
        }

        // TimeSpan counts 100 ns ticks; sub-tick precision is irrelevant for lease timing.
        var ticks = (long)(total / 100m);
        duration = TimeSpan.FromTicks(negative ? -ticks : ticks);
        error = "";
        return true;
    }

    /// <summary>Reads one "number unit" term such as "1.5h" off the front of <paramref name="rest"/>.</summary>
    private static bool TryReadTerm(ref ReadOnlySpan<char> rest, out decimal nanoseconds, out string error)
    {
        nanoseconds = 0;
        var numberLength = 0;
        while (numberLength < rest.Length && (char.IsAsciiDigit(rest[numberLength]) || rest[numberLength] == '.'))
        {
            numberLength++;
        }

        var number = rest[..numberLength];
        if (number.IsEmpty || number is "." || number.IndexOf('.') != number.LastIndexOf('.')
            || number.Length > 28
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            error = "not a duration (e.g. 15s, 1m30s, 500ms)";
            return false;
        }

        var unitLength = numberLength;
        while (unitLength < rest.Length && !char.IsAsciiDigit(rest[unitLength]) && rest[unitLength] != '.')
        {
            unitLength++;
        }

        var unit = rest[numberLength..unitLength].ToString();
        if (unit.Length == 0)
        {
            error = "missing unit in duration (use ns, us, ms, s, m or h)";
            return false;
        }

        if (!NanosecondsPerUnit.TryGetValue(unit, out var scale))
        {
            error = $"unknown unit {EchoedValue.Quote(unit)} in duration (use ns, us, ms, s, m or h)";
            return false;
        }

        if (amount > MaxNanoseconds / scale)
        {
            error = "duration out of range";
            return false;
        }

        nanoseconds = amount * scale;
        rest = rest[unitLength..];
        error = "";
        return true;
    }
}
