namespace CidrController.CommandLine;

/// <summary>
/// One flag as pflag declares it: a long name, an optional one-letter shorthand, the type help shows (none for a
/// boolean), the default as text, and one line of usage. <see cref="Flag{T}"/> holds the typed value.
/// </summary>
internal abstract class Flag(string name, char? shorthand, string? typeName, string defaultText, string usage)
{
    /// <summary>The long name with its dashes, e.g. <c>--cluster-cidr</c>.</summary>
    public string Name { get; } = name;

    public char? Shorthand { get; } = shorthand;

    /// <summary>What help calls the value (<c>int</c>, <c>duration</c>, …); null for a boolean, which never takes the next word.</summary>
    public string? TypeName { get; } = typeName;

    public string DefaultText { get; } = defaultText;

    public string Usage { get; } = usage;

    /// <summary>True once the command line gave the flag, even with its default value (mask-size rules depend on it).</summary>
    public bool Changed { get; private set; }

    /// <summary>The value as given (trimmed), or the default's text: what an error about a combination quotes.</summary>
    public string Text { get; private set; } = defaultText;

    /// <summary>Parses and range-checks <paramref name="value"/>; the last occurrence wins, as in pflag.</summary>
    public void Set(string value)
    {
        Text = value.Trim();
        Parse(Text);
        Changed = true;
    }

    /// <summary>Refuses the value as given when <paramref name="refused"/>: the rules that combine flags use it.</summary>
    public void RefuseIf(bool refused, string reason)
    {
        if (refused)
        {
            throw FlagException.InvalidValue(this, Text, reason);
        }
    }

    /// <summary>Throws <see cref="FlagException"/> naming this flag and the value when it is not acceptable.</summary>
    protected abstract void Parse(string text);
}
