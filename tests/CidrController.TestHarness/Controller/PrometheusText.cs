using System.Globalization;

namespace CidrController.TestHarness;

/// <summary>Reads samples out of the Prometheus text exposition format (enough for tests and the usage table).</summary>
public static class PrometheusText
{
    /// <summary>The value of <paramref name="metric"/> whose label set contains <paramref name="label"/> (e.g. clusterCIDR="10.1.0.0/16"), or null.</summary>
    public static double? Value(string exposition, string metric, string? label = null)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(metric, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[metric.Length..];
            if (rest.Length == 0 || (rest[0] != '{' && rest[0] != ' '))
            {
                continue; // a longer metric name with this prefix
            }

            if (label is not null && !rest.Contains(label, StringComparison.Ordinal))
            {
                continue;
            }

            var value = line[(line.LastIndexOf(' ') + 1)..];
            return double.Parse(value, CultureInfo.InvariantCulture);
        }

        return null;
    }

    /// <summary>Every value of one label across the samples of <paramref name="metric"/>, in order of appearance.</summary>
    public static IReadOnlyList<string> LabelValues(string exposition, string metric, string labelName)
    {
        var values = new List<string>();
        var prefix = labelName + "=\"";
        foreach (var line in exposition.Split('\n'))
        {
            if (!line.StartsWith(metric + "{", StringComparison.Ordinal))
            {
                continue;
            }

            var start = line.IndexOf(prefix, StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            start += prefix.Length;
            var end = line.IndexOf('"', start);
            var value = line[start..end];
            if (!values.Contains(value))
            {
                values.Add(value);
            }
        }

        return values;
    }
}
