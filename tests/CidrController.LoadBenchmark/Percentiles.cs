namespace CidrController.LoadBenchmark;

/// <summary>Nearest-rank percentiles and medians; small samples, so no interpolation.</summary>
public static class Percentiles
{
    public static double OfSorted(double[] sorted, double fraction)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sorted.Length);
        var rank = (int)Math.Ceiling(fraction * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median<T>(IEnumerable<T> runs, Func<T, double> value)
    {
        var values = runs.Select(value).Order().ToArray();
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
    }
}
