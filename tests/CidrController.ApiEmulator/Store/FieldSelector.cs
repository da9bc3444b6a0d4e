namespace CidrController.ApiEmulator.Store;

/// <summary>The fieldSelector subset clients use on nodes: metadata.name with =, == or !=. Other fields are refused like the real server does.</summary>
internal sealed record FieldSelector(string? NameEquals, string? NameNotEquals)
{
    public static FieldSelector Everything { get; } = new(null, null);

    public bool Matches(string name) =>
        (NameEquals is null || NameEquals == name) && (NameNotEquals is null || NameNotEquals != name);

    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        string? equals = null;
        string? notEquals = null;
        foreach (var part in text.Split(','))
        {
            var negated = part.Contains("!=", StringComparison.Ordinal);
            var pieces = part.Split(negated ? "!=" : (part.Contains("==", StringComparison.Ordinal) ? "==" : "="), 2);
            if (pieces.Length != 2)
            {
                throw ApiStatus.BadRequest($"invalid field selector: '{part}'");
            }

            if (pieces[0].Trim() != "metadata.name")
            {
                throw ApiStatus.BadRequest($"field label not supported: {pieces[0].Trim()}");
            }

            if (negated)
            {
                notEquals = pieces[1].Trim();
            }
            else
            {
                equals = pieces[1].Trim();
            }
        }

        return new FieldSelector(equals, notEquals);
    }
}
