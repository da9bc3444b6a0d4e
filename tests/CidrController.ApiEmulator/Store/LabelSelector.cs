namespace CidrController.ApiEmulator.Store;

/// <summary>
/// A parsed labelSelector: comma-separated requirements, each one of key=value, key==value, key!=value,
/// key, !key, key in (a,b), key notin (a,b). Parse errors are 400 BadRequest, as on the real server.
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<Requirement> _requirements;

    private LabelSelector(List<Requirement> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEmpty => _requirements.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r.Matches(labels));

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<Requirement>();
        foreach (var raw in SplitTopLevel(text))
        {
            requirements.Add(ParseRequirement(raw.Trim(), text));
        }

        return new LabelSelector(requirements);
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(': depth++; break;
                case ')': depth--; break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    private static Requirement ParseRequirement(string part, string whole)
    {
        if (part.Length == 0)
        {
            throw Invalid(whole, "found '', expected: !, identifier, or 'end of string'");
        }

        if (part.StartsWith('!'))
        {
            return new Requirement(CheckKey(part[1..].Trim(), whole), Operator.DoesNotExist, []);
        }

        foreach (var (token, op) in new[] { ("!=", Operator.NotEquals), ("==", Operator.Equals), ("=", Operator.Equals) })
        {
            var index = part.IndexOf(token, StringComparison.Ordinal);
            if (index > 0)
            {
                var key = CheckKey(part[..index].Trim(), whole);
                var value = part[(index + token.Length)..].Trim();
                return new Requirement(key, op, [CheckValue(value, whole)]);
            }
        }

        var words = part.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 1)
        {
            return new Requirement(CheckKey(words[0], whole), Operator.Exists, []);
        }

        var rest = words[1];
        Operator setOp;
        if (rest.StartsWith("notin", StringComparison.Ordinal))
        {
            setOp = Operator.NotIn;
            rest = rest[5..].Trim();
        }
        else if (rest.StartsWith("in", StringComparison.Ordinal))
        {
            setOp = Operator.In;
            rest = rest[2..].Trim();
        }
        else
        {
            throw Invalid(whole, $"found '{rest}', expected: in, notin, =, ==, !=, gt, lt");
        }

        if (!rest.StartsWith('(') || !rest.EndsWith(')'))
        {
            throw Invalid(whole, "found '" + rest + "', expected: '('");
        }

        var values = rest[1..^1].Split(',', StringSplitOptions.TrimEntries).Select(v => CheckValue(v, whole)).ToHashSet(StringComparer.Ordinal);
        return new Requirement(CheckKey(words[0], whole), setOp, values);
    }

    private static string CheckKey(string key, string whole)
    {
        if (key.Length == 0 || key.Length > 317 || key.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/')))
        {
            throw Invalid(whole, $"invalid label key \"{key}\"");
        }

        return key;
    }

    private static string CheckValue(string value, string whole)
    {
        if (value.Length > 63 || value.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw Invalid(whole, $"invalid label value: \"{value}\"");
        }

        return value;
    }

    private static ApiStatusException Invalid(string whole, string detail) =>
        ApiStatus.BadRequest($"unable to parse requirement: {detail} (selector \"{whole}\")");

    private enum Operator
    {
        Equals,
        NotEquals,
        Exists,
        DoesNotExist,
        In,
        NotIn,
    }

    private sealed record Requirement(string Key, Operator Op, IReadOnlyCollection<string> Values)
    {
        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var has = labels.TryGetValue(Key, out var value);
            return Op switch
            {
                Operator.Equals => has && Values.Contains(value!),
                Operator.In => has && Values.Contains(value!),
                Operator.NotEquals => !has || !Values.Contains(value!),
                Operator.NotIn => !has || !Values.Contains(value!),
                Operator.Exists => has,
                Operator.DoesNotExist => !has,
                _ => false,
            };
        }
    }
}
