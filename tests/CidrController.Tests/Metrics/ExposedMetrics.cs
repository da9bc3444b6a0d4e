using System.Text.RegularExpressions;

namespace CidrController.Tests.Metrics;

/// <summary>
/// Metric families in Prometheus text format reduced to what dashboards depend on: each family's type, and each
/// series name with the set of label names it is exported with (label values and sample values dropped). Reads
/// both a live scrape and the recorded form (<c>name{label,label}</c> lines).
/// </summary>
internal sealed partial class ExposedMetrics
{
    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, HashSet<string>> LabelSets { get; } = new(StringComparer.Ordinal);

    public static ExposedMetrics Parse(string text)
    {
        var result = new ExposedMetrics();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (TypeLine().Match(line) is { Success: true } type)
            {
                result.Types[type.Groups[1].Value] = type.Groups[2].Value;
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            var series = SeriesLine().Match(line);
            Assert.True(series.Success, $"not a series line: {line}");
            var inBraces = series.Groups[2].Value.Trim('{', '}');
            var labels = (inBraces.Contains('=', StringComparison.Ordinal)
                    ? LabelName().Matches(inBraces).Select(m => m.Groups[1].Value)
                    : inBraces.Split(',', StringSplitOptions.RemoveEmptyEntries))
                .Order(StringComparer.Ordinal);
            var set = result.LabelSets.TryGetValue(series.Groups[1].Value, out var existing) ? existing : result.LabelSets[series.Groups[1].Value] = [];
            set.Add(string.Join(',', labels));
        }

        return result;
    }

    /// <summary>Every series name of a family: itself, or for histograms and summaries its _bucket/_sum/_count.</summary>
    public IEnumerable<string> SeriesOf(string family) =>
        LabelSets.Keys.Where(n => n == family || (n.StartsWith(family + "_", StringComparison.Ordinal) && !Types.ContainsKey(n)));

    [GeneratedRegex(@"^# TYPE (\S+) (\S+)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?( \S+)*$")]
    private static partial Regex SeriesLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""")]
    private static partial Regex LabelName();
}
