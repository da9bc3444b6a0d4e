using System.Globalization;
using System.Text;

namespace CidrController.CommandLine;

/// <summary>
/// Makes user input safe to echo in a one-line error: a 10,000-character value or one with newlines,
/// terminal escapes or bidi controls must still give one short, honest line.
/// </summary>
internal static class EchoedValue
{
    public const int MaxEchoedChars = 64;

    /// <summary>The value in double quotes, truncated and escaped (Go's <c>%q</c> spirit).</summary>
    public static string Quote(string value) => "\"" + Escape(value) + "\"";

    /// <summary>Truncated to <see cref="MaxEchoedChars"/> with a trailing "…"; control and invisible characters escaped.</summary>
    public static string Escape(string value)
    {
        var truncated = Truncate(value, out var wasTruncated);
        var builder = new StringBuilder(truncated.Length + 8);
        for (var i = 0; i < truncated.Length; i++)
        {
            var c = truncated[i];
            if (char.IsHighSurrogate(c) && i + 1 < truncated.Length && char.IsLowSurrogate(truncated[i + 1]))
            {
                builder.Append(c).Append(truncated[++i]);
                continue;
            }

            AppendEscaped(builder, c);
        }

        return wasTruncated ? builder.Append('…').ToString() : builder.ToString();
    }

    private static string Truncate(string value, out bool wasTruncated)
    {
        wasTruncated = value.Length > MaxEchoedChars;
        if (!wasTruncated)
        {
            return value;
        }

        // Never cut a surrogate pair in half: the half would be escaped as garbage.
        var length = char.IsHighSurrogate(value[MaxEchoedChars - 1]) ? MaxEchoedChars - 1 : MaxEchoedChars;
        return value[..length];
    }

    private static void AppendEscaped(StringBuilder builder, char c)
    {
        switch (c)
        {
            case '"': builder.Append("\\\""); return;
            case '\\': builder.Append("\\\\"); return;
            case '\n': builder.Append("\\n"); return;
            case '\r': builder.Append("\\r"); return;
            case '\t': builder.Append("\\t"); return;
        }

        if (IsInvisible(c))
        {
            builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            return;
        }

        builder.Append(c);
    }

    // Format characters include the bidi overrides (U+202E) that can make a log line lie about its content.
    private static bool IsInvisible(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
        or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned;
}
