using System.Collections.Concurrent;
using System.Text;

namespace CidrController.ChaosTests;

/// <summary>Named counters of what a chaos run did, printed in the report.</summary>
internal sealed class ChaosTally
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Add(string what, long n = 1) => _counts.AddOrUpdate(what, n, (_, old) => old + n);

    public long this[string what] => _counts.GetValueOrDefault(what);

    public string Format(string prefix)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in _counts.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            text.Append(key[prefix.Length..]).Append(" = ").Append(value).Append("; ");
        }

        return text.ToString().TrimEnd(' ', ';');
    }
}
