using System.CommandLine;
using System.CommandLine.Parsing;

namespace CidrController.CommandLine;

/// <summary>
/// Turns argv into <see cref="FlagValues"/> with pflag syntax: <c>--flag=value</c>, <c>--flag value</c>, boolean
/// <c>--flag</c> / <c>--flag=false</c>, <c>-v=4</c>, <c>-v 4</c>, last occurrence wins.
/// System.CommandLine tokenizes and recognises the flags; the values are read from its token stream rather than
/// bound, because its binding differs from pflag where operators notice: it drops an empty value
/// (<c>--cluster-cidr=</c> must be refused, not ignored), refuses a repeated flag, and skips a leading
/// <c>[directive]</c> silently.
/// </summary>
internal static class FlagReader
{
    private static readonly Command RootCommand = ControllerFlags.CreateRootCommand();

    // No @response-file expansion: a value starting with '@' is a value.
    private static readonly ParserConfiguration Configuration = new() { ResponseFileTokenReplacer = null };

    public static FlagValues Read(IReadOnlyList<string> args)
    {
        var tokens = RootCommand.Parse(SplitInlineValues(args), Configuration).Tokens;
        var values = new FlagValues();
        var index = 0;
        while (index < tokens.Count)
        {
            index = ReadOne(tokens, index, values);
        }

        return values;
    }

    /// <summary>Reads the token at <paramref name="index"/> (and its value); returns the index of the next one.</summary>
    private static int ReadOne(IReadOnlyList<Token> tokens, int index, FlagValues values)
    {
        var token = tokens[index];
        if (token.Type == TokenType.DoubleDash)
        {
            return index + 1;
        }

        var flag = token.Type == TokenType.Option ? ControllerFlags.Find(token.Value) : null;
        if (flag is null)
        {
            throw StrayToken(token.Value);
        }

        var hasValue = index + 1 < tokens.Count && tokens[index + 1].Type == TokenType.Argument;
        if (flag.IsBoolean)
        {
            values.Set(flag, hasValue ? tokens[index + 1].Value : "true");
            return hasValue ? index + 2 : index + 1;
        }

        // pflag would take "--cluster-cidr --leader-elect" as the value "--leader-elect"; that is always a mistake.
        if (!hasValue || ControllerFlags.Find(tokens[index + 1].Value) is not null)
        {
            throw FlagException.NeedsArgument(flag);
        }

        values.Set(flag, tokens[index + 1].Value);
        return index + 2;
    }

    private static FlagException StrayToken(string value)
    {
        if (value.Length > 1 && value[0] == '-')
        {
            return FlagException.UnknownFlag(value, FlagSuggestion.ClosestTo(value));
        }

        return FlagException.UnexpectedArgument(value);
    }

    /// <summary>
    /// "--name=value" becomes "--name", "value" (split at the first '=', as pflag does), so an empty value
    /// survives as an empty argument and a value containing '=' or ':' stays whole.
    /// </summary>
    private static List<string> SplitInlineValues(IReadOnlyList<string> args)
    {
        var split = new List<string>(args.Count + 4);
        foreach (var arg in args)
        {
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.Length > 1 && arg[0] == '-' && equals > 1)
            {
                split.Add(arg[..equals]);
                split.Add(arg[(equals + 1)..]);
                continue;
            }

            split.Add(arg);
        }

        return split;
    }
}
