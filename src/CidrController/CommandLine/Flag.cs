namespace CidrController.CommandLine;

/// <summary>
/// One command-line flag: what help prints for it and the spellings the reader accepts.
/// A null <paramref name="ValueName"/> makes it a boolean (<c>--flag</c>, <c>--flag=false</c>).
/// </summary>
internal sealed record Flag(string Name, string? ValueName, string DefaultText, string Description)
{
    /// <summary>Other spellings, e.g. <c>-v</c> for <c>--v</c>.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    public bool IsBoolean => ValueName is null;

    public IEnumerable<string> AllNames => Aliases.Prepend(Name);

    public override string ToString() => Name;
}
