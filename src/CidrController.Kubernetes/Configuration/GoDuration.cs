using System.Globalization;

namespace CidrController.Kubernetes.Configuration;

/// <summary>
/// Go's <c>time.ParseDuration</c> syntax, which kube-controller-manager's duration flags use: <c>15s</c>,
/// <c>1m30s</c>, <c>500ms</c>, <c>1.5h</c>, <c>0</c>; units ns, us (µs), ms, s, m, h. A bare number other than 0
/// is refused, as in Go ("missing unit"); so is anything beyond Go's int64 of nanoseconds. An error quotes at most a
/// short unit made of letters, so it is safe to put on one line.
/// </summary>
internal static class GoDuration
{
    private const decimal MaxNanoseconds = long.MaxValue;
    private const string NotADuration = "not a duration (e.g. 15s, 1m30s, 500ms)";

    private static readonly Dictionary<string, decimal> NanosecondsPerUnit = new(StringComparer.Ordinal)
    {
        ["ns"] = 1m,
        ["us"] = 1e3m,
        ["µs"] = 1e3m, // U+00B5 micro sign
        ["μs"] = 1e3m, // U+03BC Greek mu
        ["ms"] = 1e6m,
        ["s"] = 1e9m,
        ["m"] = 60e9m,
        ["h"] = 3600e9m,
    };

    public static bool TryParse(string text, out TimeSpan duration, out string error)
    {
        var body = text is ['-' or '+', .. var unsigned] ? unsigned : text;
        var (nanoseconds, at) = (0m, 0);
        error = body.Length == 0 ? NotADuration : "";
        while (error.Length == 0 && at < body.Length && body != "0")
        {
            var number = Span(body, ref at, c => char.IsAsciiDigit(c) || c == '.');
            error = AddTerm(number, Span(body, ref at, c => !char.IsAsciiDigit(c) && c != '.'), ref nanoseconds);
        }

        // TimeSpan counts 100 ns ticks; sub-tick precision is irrelevant for lease timing.
        duration = TimeSpan.FromTicks((long)(nanoseconds / 100m) * (text.StartsWith('-') ? -1 : 1));
        return error.Length == 0;
    }

    /// <summary>Go's <c>Duration.String</c>: <c>0s</c>, <c>500ms</c>, <c>15s</c>, <c>1m30s</c>, <c>1h0m0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var nanoseconds = Math.Abs(duration.Ticks * 100m);
        var sign = duration < TimeSpan.Zero ? "-" : "";
        if (nanoseconds < 1e9m)
        {
            return sign + (nanoseconds == 0 ? "0s" : nanoseconds < 1e3m ? Number(nanoseconds) + "ns" : nanoseconds < 1e6m ? Number(nanoseconds / 1e3m) + "µs" : Number(nanoseconds / 1e6m) + "ms");
        }

        var (minutes, seconds) = ((long)(nanoseconds / 60e9m), Number(nanoseconds / 1e9m % 60m) + "s");
        return sign + (minutes == 0 ? seconds : minutes < 60 ? $"{Number(minutes)}m{seconds}" : $"{Number(minutes / 60)}h{Number(minutes % 60)}m{seconds}");
    }

    private static string Number(decimal value) => value.ToString("0.#########", CultureInfo.InvariantCulture);

    /// <summary>Adds one term such as <c>1.5h</c> to <paramref name="total"/>; the error, or empty.</summary>
    private static string AddTerm(string number, string unit, ref decimal total)
    {
        if (number.Length is 0 or > 28 || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return NotADuration;
        }

        if (!NanosecondsPerUnit.TryGetValue(unit, out var scale))
        {
            var quoted = unit.Length <= 8 && unit.All(char.IsLetter) ? $"\"{unit}\" " : "";
            return unit.Length == 0 ? "missing unit in duration (use ns, us, ms, s, m or h)" : $"unknown unit {quoted}in duration (use ns, us, ms, s, m or h)";
        }

        total += Math.Min(amount, (MaxNanoseconds / scale) + 1) * scale;
        return total > MaxNanoseconds ? "duration out of range" : "";
    }

    private static string Span(string text, ref int at, Func<char, bool> belongs)
    {
        var start = at;
        while (at < text.Length && belongs(text[at]))
        {
            at++;
        }

        return text[start..at];
    }
}
