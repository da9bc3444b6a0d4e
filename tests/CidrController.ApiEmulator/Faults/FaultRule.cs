namespace CidrController.ApiEmulator.Faults;

/// <summary>
/// Which requests a fault hits: <see cref="Method"/> (null = any), a path prefix (query excluded), watch or not,
/// with a probability and an optional cap on how many times it fires.
/// </summary>
public sealed record FaultRule
{
    public string? Method { get; init; }

    public string PathPrefix { get; init; } = "/";

    public WatchMatch Watch { get; init; } = WatchMatch.Any;

    public double Probability { get; init; } = 1.0;

    /// <summary>Fire at most this many times; null = until removed.</summary>
    public int? Count { get; init; }

    public required FaultAction Action { get; init; }

    internal bool Matches(string method, string path, bool isWatch) =>
        (Method is null || string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
        && path.StartsWith(PathPrefix, StringComparison.Ordinal)
        && (Watch == WatchMatch.Any || (Watch == WatchMatch.WatchOnly) == isWatch);
}
