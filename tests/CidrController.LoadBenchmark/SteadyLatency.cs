namespace CidrController.LoadBenchmark;

/// <summary>Create-to-podCIDR latencies of one steady phase (nearest-rank percentiles).</summary>
public readonly record struct SteadyLatency(double P50Milliseconds, double P99Milliseconds, double MaxMilliseconds);
