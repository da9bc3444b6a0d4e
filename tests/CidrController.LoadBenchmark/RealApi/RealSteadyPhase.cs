using System.Diagnostics;

using CidrController.TestHarness;

namespace CidrController.LoadBenchmark.RealApi;

/// <summary>
/// Nodes join a running allocator at a fixed rate: latency from just before the create request to the podCIDR
/// visible on the benchmark's watch. One second at the same rate warms up first and is not counted.
/// </summary>
public static class RealSteadyPhase
{
    public static async Task<ComparisonRun> RunAsync(RealApiOptions options, string ourBinary, AllocatorKind kind, int repeat)
    {
        var load = ProcessFootprint.LoadAverage();
        using var controlPlane = await RealControlPlane.StartAsync();
        using var seeder = new NodeSeeder(controlPlane);
        await using var watch = await AllocationWatch.StartAsync(NodeSeeder.CreateHttpClient(controlPlane), await seeder.CurrentResourceVersionAsync());
        await using var allocator = await AllocatorProcess.StartAsync(kind, controlPlane, ourBinary, options.ControllerArguments, options.SignalTimeout);

        var warmUp = (int)Math.Ceiling(options.SteadyRate);
        await CreateAtRateAsync(seeder, "warmup", warmUp, options.SteadyRate);
        await watch.WaitForCountAsync(warmUp, options.AllocationTimeout(warmUp), () => allocator.IsRunning);

        var count = (int)(options.SteadyRate * options.SteadySeconds);
        var cpuBefore = allocator.CpuTime;
        var created = await CreateAtRateAsync(seeder, "steady", count, options.SteadyRate);
        await watch.WaitForCountAsync(warmUp + count, options.AllocationTimeout(count), () => allocator.IsRunning);
        var cpu = allocator.CpuTime - cpuBefore;

        var latencies = new double[count];
        for (var i = 0; i < count; i++)
        {
            latencies[i] = Stopwatch.GetElapsedTime(created[i], watch.Allocated[BenchmarkNodes.Name("steady", i)].SeenAt).TotalMilliseconds;
        }

        Array.Sort(latencies);
        return new ComparisonRun(
            "steady", kind, count, repeat,
            StartToSignalSeconds: Stopwatch.GetElapsedTime(allocator.StartedAt, allocator.SignalledAt).TotalSeconds,
            CpuSecondsToSignal: allocator.CpuAtSignal.TotalSeconds,
            PeakResidentMegabytes: allocator.PeakResidentMegabytes,
            LoadAverage: load,
            CpuMicrosecondsPerAllocation: cpu.TotalMicroseconds / count,
            Rate: options.SteadyRate,
            P50Milliseconds: Percentiles.OfSorted(latencies, 0.50),
            P99Milliseconds: Percentiles.OfSorted(latencies, 0.99),
            MaxMilliseconds: latencies[^1],
            WatchResumes: watch.Resumes);
    }

    /// <summary>
    /// Sends create i at start + i/rate without waiting for earlier ones to finish (a slow answer must not lower the
    /// rate); returns each request's send timestamp once all have been stored.
    /// </summary>
    private static async Task<long[]> CreateAtRateAsync(NodeSeeder seeder, string prefix, int count, double rate)
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
            requests[i] = seeder.CreateOneAsync(BenchmarkNodes.Name(prefix, i), null);
        }

        await Task.WhenAll(requests);
        return created;
    }
}
