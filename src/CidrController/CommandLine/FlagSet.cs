using System.Text.Json;
using System.Text.Json.Nodes;

namespace CidrController.CommandLine;

/// <summary>
/// The flags of one command, in the order help lists them, read with pflag's rules: <c>--flag=value</c> and
/// <c>--flag value</c>; a boolean is <c>--flag</c> or <c>--flag=true|false</c> and never takes the next word;
/// a shorthand is <c>-v 4</c>, <c>-v=4</c> or <c>-v4</c>; the last occurrence wins; no positional arguments.
/// Help text and the <c>flags</c> listing are written from the same table.
/// </summary>
internal sealed class FlagSet(string command)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly List<Flag> _flags = [];

    /// <summary>The command's name as errors say it: <c>cidr-controller</c> or <c>cidr-controller status</c>.</summary>
    public string Command => command;

    public IReadOnlyList<Flag> Flags => _flags;

    /// <summary>Declares a flag: its name, kind of value, default (from the options type), usage and range check.</summary>
    public Flag<T> Add<T>(string name, FlagType<T> type, T value, string usage, Func<T, string?>? rangeCheck = null, char? shorthand = null, string? defaultText = null)
    {
        var flag = new Flag<T>(name, type, value, usage, rangeCheck, shorthand, defaultText);
        _flags.Add(flag);
        return flag;
    }

    /// <summary>Reads <paramref name="args"/> into the flags; a refused command line throws <see cref="FlagException"/>.</summary>
    public void Parse(IReadOnlyList<string> args)
    {
        Flag? bareBoolean = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--")
            {
                // pflag's end of flags: what follows would be positional, and this command takes none.
                if (i + 1 < args.Count)
                {
                    throw FlagException.UnexpectedArgument(command, args[i + 1], null);
                }

                return;
            }

            var (flag, inlineValue) = Recognise(args[i]) ?? throw Stray(args[i], bareBoolean);
            bareBoolean = inlineValue is null && flag.TypeName is null ? flag : null;
            if (inlineValue is not null || flag.TypeName is null)
            {
                flag.Set(inlineValue ?? "true");
            }
            else if (i + 1 < args.Count && Recognise(args[i + 1]) is null)
            {
                flag.Set(args[++i]);
            }
            else
            {
                // pflag would take "--cluster-cidr --leader-elect" as the value "--leader-elect"; that is always a mistake.
                throw FlagException.NeedsArgument(flag);
            }
        }
    }

    /// <summary>pflag's layout: <c>-v, --v int</c> and <c>    --cluster-cidr cidrs</c>, then usage and default.</summary>
    public void WriteUsage(TextWriter writer)
    {
        var signatures = _flags.Select(f => (f.Shorthand is { } s ? $"-{s}, " : "    ") + f.Name + (f.TypeName is null ? "" : " " + f.TypeName)).ToList();
        var width = signatures.Max(s => s.Length);
        foreach (var (flag, signature) in _flags.Zip(signatures))
        {
            // As pflag: no "(default …)" for an empty or zero value (a boolean off by default).
            writer.WriteLine($"  {signature.PadRight(width)}  {flag.Usage}{(flag.DefaultText is "" or "false" ? "" : $" (default {flag.DefaultText})")}");
        }
    }

    /// <summary>The table for scripts and CI (the chart's defaults are checked against it): one object per flag.</summary>
    public void WriteJson(TextWriter writer) => writer.WriteLine(new JsonArray([.. _flags.Select(flag => new JsonObject
    {
        ["name"] = flag.Name,
        ["shorthand"] = flag.Shorthand is { } s ? "-" + s : null,
        ["type"] = flag.TypeName ?? "bool",
        ["default"] = flag.DefaultText,
        ["usage"] = flag.Usage,
    })]).ToJsonString(Indented));

    /// <summary>The known flag <paramref name="arg"/> names and its inline value (after '=' or a shorthand's letter), or null.</summary>
    private (Flag Flag, string? InlineValue)? Recognise(string arg)
    {
        if (arg.StartsWith("--", StringComparison.Ordinal))
        {
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var flag = _flags.Find(f => f.Name == (equals < 0 ? arg : arg[..equals]));
            return flag is null ? null : (flag, equals < 0 ? null : arg[(equals + 1)..]);
        }

        return arg.Length >= 2 && arg[0] == '-' && _flags.Find(f => f.Shorthand == arg[1]) is { } shorthand
            ? (shorthand, arg.Length == 2 ? null : arg[2] == '=' ? arg[3..] : arg[2..])
            : null;
    }

    private FlagException Stray(string arg, Flag? bareBoolean) => arg.Length > 1 && arg[0] == '-'
        ? FlagException.UnknownFlag(arg.Split('=')[0], ClosestTo(arg.Split('=')[0].TrimStart('-')))
        : FlagException.UnexpectedArgument(command, arg, bareBoolean);

    /// <summary>"Did you mean": the closest flag within edit distance 2 (as cobra), else one the name is a prefix of.</summary>
    private Flag? ClosestTo(string bare)
    {
        if (bare.Length > 80)
        {
            return null;
        }

        var best = _flags.MinBy(flag => Distance(bare, flag.Name.TrimStart('-')));
        return best is not null && Distance(bare, best.Name.TrimStart('-')) <= 2 ? best
            : bare.Length < 4 ? null // "--cluster" for "--cluster-cidr": a truncated flag is as good a hint as a typo
            : _flags.Find(flag => flag.Name.TrimStart('-').StartsWith(bare, StringComparison.Ordinal));
    }

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var (previous, current) = (Enumerable.Range(0, b.Length + 1).ToArray(), new int[b.Length + 1]);
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1), Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
