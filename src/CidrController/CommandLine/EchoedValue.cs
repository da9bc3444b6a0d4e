using System.Globalization;
using System.Text.RegularExpressions;

namespace CidrController.CommandLine;

/// <summary>
/// Makes user input safe to echo in a one-line error: a 10,000-character value or one with newlines, terminal
/// escapes or bidi controls must still give one short, honest line (Go's <c>%q</c> spirit).
/// </summary>
internal static partial class EchoedValue
{
    public const int MaxEchoedChars = 64;

    public static string Quote(string value) => "\"" + Escape(value) + "\"";

    /// <summary>Truncated to <see cref="MaxEchoedChars"/> with a trailing "…"; quotes, backslashes and invisible characters escaped.</summary>
    public static string Escape(string value)
    {
        // Never cut a surrogate pair in half: the half would be escaped as garbage.
        var length = value.Length <= MaxEchoedChars ? value.Length : char.IsHighSurrogate(value[MaxEchoedChars - 1]) ? MaxEchoedChars - 1 : MaxEchoedChars;
        var escaped = Escapable().Replace(value[..length], match => match.Value switch
        {
            "\"" or "\\" => "\\" + match.Value,
            "\n" => "\\n",
            "\r" => "\\r",
            "\t" => "\\t",
            _ => "\\u" + ((int)match.Value[0]).ToString("x4", CultureInfo.InvariantCulture),
        });
        return length < value.Length ? escaped + "…" : escaped;
    }

    // Controls, format characters (the bidi overrides such as U+202E can make a log line lie about its content),
    // unassigned code points, line and paragraph separators, and surrogates that are not half of a pair.
    [GeneratedRegex(@"[""\\\p{Cc}\p{Cf}\p{Cn}\p{Zl}\p{Zp}]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]")]
    private static partial Regex Escapable();
}
