namespace CidrController.ManifestCheck;

/// <summary>The rendered container arguments, as the chart writes them: one <c>--flag=value</c> each (last wins, as pflag).</summary>
public sealed class ControllerArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private ControllerArgs(IList<string> all) => All = all;

    public IList<string> All { get; }

    public static ControllerArgs Parse(IList<string>? args)
    {
        var parsed = new ControllerArgs(args ?? []);
        foreach (var arg in parsed.All)
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                parsed._values[arg[..eq]] = arg[(eq + 1)..];
            }
        }

        return parsed;
    }

    public string? Get(string flag) => _values.GetValueOrDefault(flag);
}
