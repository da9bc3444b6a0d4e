using System.Globalization;
using System.Text.Json;

using CidrController.Allocation;

namespace CidrController.CommandLine;

/// <summary>
/// The flags of one command, in the order help lists them, read with pflag's rules: <c>--flag=value</c> and
/// <c>--flag value</c>; a boolean is <c>--flag</c> or <c>--flag=true|false</c> and never takes the next word;
/// a shorthand is <c>-v 4</c>, <c>-v=4</c> or <c>-v4</c>; the last occurrence wins. The command takes no
/// positional arguments. Help text and the <c>flags</c> listing are written from the same table.
/// </summary>
internal sealed class FlagSet
{
    private readonly List<Flag> _flags = [];

    public FlagSet(string command) => Command = command;

    /// <summary>The command's name as errors say it: <c>cidr-controller</c> or <c>cidr-controller status</c>.</summary>
    public string Command { get; }

    public IReadOnlyList<Flag> Flags => _flags;

    public Flag<T> Add<T>(Flag<T> flag)
    {
        _flags.Add(flag);
        return flag;
    }

    public Flag<bool> Bool(string name, bool value, string usage, char? shorthand = null) =>
        Add(new Flag<bool>(name, shorthand, null, value, value ? "true" : "false", usage, FlagSyntax.Bool));

    public Flag<int> Int(string name, int value, string usage, Func<int, string?> rangeCheck, char? shorthand = null, string? defaultText = null) =>
        Add(new Flag<int>(name, shorthand, "int", value, defaultText ?? value.ToString(CultureInfo.InvariantCulture), usage, FlagSyntax.Int, rangeCheck));

    public Flag<double> Double(string name, double value, string usage, Func<double, string?> rangeCheck) =>
        Add(new Flag<double>(name, null, "float", value, value.ToString(CultureInfo.InvariantCulture), usage, FlagSyntax.Double, rangeCheck));

    public Flag<TimeSpan> Duration(string name, TimeSpan value, string usage, Func<TimeSpan, string?> rangeCheck) =>
        Add(new Flag<TimeSpan>(name, null, "duration", value, GoDuration.Format(value), usage, FlagSyntax.Duration, rangeCheck));

    public Flag<string> String(string name, string value, string usage, Func<string, string?>? rangeCheck = null, char? shorthand = null) =>
        Add(new Flag<string>(name, shorthand, "string", value, value, usage, FlagSyntax.String, rangeCheck));

    public Flag<IReadOnlyList<IpBlock>> Cidrs(string name, string usage, Func<Flag, string, IReadOnlyList<IpBlock>> parse, Func<IReadOnlyList<IpBlock>, string?>? rangeCheck = null) =>
        Add(new Flag<IReadOnlyList<IpBlock>>(name, null, "cidrs", [], "", usage, parse, rangeCheck));

    /// <summary>Reads <paramref name="args"/> into the flags; a refused command line throws <see cref="FlagException"/>.</summary>
    public void Parse(IReadOnlyList<string> args)
    {
        Flag? bareBoolean = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                // pflag's end of flags: what follows would be positional, and this command takes none.
                if (i + 1 < args.Count)
                {
                    throw FlagException.UnexpectedArgument(Command, args[i + 1], null);
                }

                return;
            }

            var (flag, inlineValue) = Recognise(arg) ?? throw Stray(arg, bareBoolean);
            bareBoolean = null;
            if (inlineValue is not null)
            {
                flag.Set(inlineValue);
            }
            else if (flag.IsBoolean)
            {
                flag.Set("true");
                bareBoolean = flag;
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

    /// <summary>The known flag <paramref name="arg"/> names and its inline value (after '=' or a shorthand's letter), or null.</summary>
    private (Flag Flag, string? InlineValue)? Recognise(string arg)
    {
        if (arg.StartsWith("--", StringComparison.Ordinal))
        {
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            var flag = _flags.Find(f => f.Name == name);
            return flag is null ? null : (flag, equals < 0 ? null : arg[(equals + 1)..]);
        }

        if (arg.Length < 2 || arg[0] != '-' || _flags.Find(f => f.Shorthand == arg[1]) is not { } shorthand)
        {
            return null;
        }

        return (shorthand, arg.Length == 2 ? null : arg[2] == '=' ? arg[3..] : arg[2..]);
    }

    private FlagException Stray(string arg, Flag? bareBoolean)
    {
        if (arg.Length > 1 && arg[0] == '-')
        {
            var name = arg.Split('=')[0];
            return FlagException.UnknownFlag(name, FlagSuggestion.ClosestTo(name, _flags));
        }

        return FlagException.UnexpectedArgument(Command, arg, bareBoolean);
    }

    /// <summary>pflag's layout: <c>-v, --v int</c> and <c>    --cluster-cidr cidrs</c>, then usage and default.</summary>
    public void WriteUsage(TextWriter writer)
    {
        var signatures = _flags.Select(f => (f.Shorthand is { } s ? $"-{s}, " : "    ") + f.Name + (f.IsBoolean ? "" : " " + f.TypeName)).ToList();
        var width = signatures.Max(s => s.Length);
        for (var i = 0; i < _flags.Count; i++)
        {
            var flag = _flags[i];
            // As pflag: no "(default …)" for an empty or zero value (a boolean off by default).
            var suffix = flag.DefaultText is "" or "false" ? "" : $" (default {flag.DefaultText})";
            writer.WriteLine($"  {signatures[i].PadRight(width)}  {flag.Usage}{suffix}");
        }
    }

    /// <summary>The table for scripts and CI (the chart's defaults are checked against it): one object per flag.</summary>
    public void WriteJson(TextWriter writer)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var flag in _flags)
            {
                json.WriteStartObject();
                json.WriteString("name", flag.Name);
                json.WriteString("shorthand", flag.Shorthand is { } s ? "-" + s : null);
                json.WriteString("type", flag.TypeName ?? "bool");
                json.WriteString("default", flag.DefaultText);
                json.WriteString("usage", flag.Usage);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        writer.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
