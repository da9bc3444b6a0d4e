namespace CidrController.CommandLine;

/// <summary>
/// One command-line flag as pflag declares it: a name, an optional one-letter shorthand, the type help shows
/// (none for a boolean), the default as text, and one line of usage. <see cref="Flag{T}"/> holds the typed value.
/// </summary>
internal abstract class Flag
{
    protected Flag(string name, char? shorthand, string? typeName, string defaultText, string usage)
    {
        Name = name;
        Shorthand = shorthand;
        TypeName = typeName;
        DefaultText = defaultText;
        Usage = usage;
        Text = defaultText;
    }

    /// <summary>The long name with its dashes, e.g. <c>--cluster-cidr</c>.</summary>
    public string Name { get; }

    public char? Shorthand { get; }

    /// <summary>What help calls the value (<c>int</c>, <c>duration</c>, …); null for a boolean.</summary>
    public string? TypeName { get; }

    public bool IsBoolean => TypeName is null;

    public string DefaultText { get; }

    public string Usage { get; }

    /// <summary>True once the command line gave the flag, even with its default value (mask-size rules depend on it).</summary>
    public bool Changed { get; private set; }

    /// <summary>The value as given (trimmed), or the default's text: what an error about a combination quotes.</summary>
    public string Text { get; private set; }

    /// <summary>Parses and range-checks <paramref name="value"/>; the last occurrence wins, as in pflag.</summary>
    public void Set(string value)
    {
        Text = value.Trim();
        Parse(Text);
        Changed = true;
    }

    /// <summary>Throws <see cref="FlagException"/> naming this flag and the value when it is not acceptable.</summary>
    protected abstract void Parse(string text);

    public override string ToString() => Name;
}
