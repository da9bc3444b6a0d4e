namespace CidrController.CommandLine;

/// <summary>The raw, trimmed value of every flag given on the command line (pflag semantics: the last occurrence wins).</summary>
internal sealed class FlagValues
{
    private readonly Dictionary<Flag, string> values = [];

    public void Set(Flag flag, string value) => values[flag] = value.Trim();

    /// <summary>True when the flag was given, even with its default value (mask-size combinations depend on it).</summary>
    public bool IsSet(Flag flag) => values.ContainsKey(flag);

    /// <summary>The given value, or null when the flag was not given.</summary>
    public string? Get(Flag flag) => values.GetValueOrDefault(flag);
}
