using System.Diagnostics;

namespace CidrController.LoadBenchmark;

/// <summary>
/// The steady phase's load, the same against the emulator and the real API server: nodes named
/// <c>PREFIX-i</c> join at a fixed rate, and the figure is each one's latency from its create to its podCIDR seen on
/// the benchmark's watch.
/// </summary>
public static class SteadyArrivals
{
    /// <summary>
    /// Starts create i at start + i/rate (catching up without sleeping when behind) without waiting for earlier ones
    /// to finish, so a slow answer cannot lower the rate; returns each create's start timestamp once all have finished.
    /// </summary>
    public static async Task<long[]> CreateAtRateAsync(string prefix, int count, double rate, Func<string, Task> create)
    {
        var created = new long[count];
        var requests = new Task[count];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            created[i] = Stopwatch.GetTimestamp();
            requests[i] = create(BenchmarkNodes.Name(prefix, i));
        }

        await Task.WhenAll(requests);
        return created;
    }

    /// <summary>Create-to-seen latencies of the nodes <see cref="CreateAtRateAsync"/> created (all must have been seen).</summary>
    public static SteadyLatency Latency(string prefix, long[] created, AllocationWatch watch)
    {
        var latencies = new double[created.Length];
        for (var i = 0; i < created.Length; i++)
        {
            var seen = watch.Allocated[BenchmarkNodes.Name(prefix, i)].SeenAt;
            latencies[i] = Stopwatch.GetElapsedTime(created[i], seen).TotalMilliseconds;
        }

        Array.Sort(latencies);
        return new SteadyLatency(
            P50Milliseconds: Percentiles.OfSorted(latencies, 0.50),
            P99Milliseconds: Percentiles.OfSorted(latencies, 0.99),
            MaxMilliseconds: latencies[^1]);
    }
}
