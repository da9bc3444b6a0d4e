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

        var latency = SteadyArrivals.Latency("steady", created, watch);
        return new ComparisonRun(
            "steady", kind, count, repeat,
            StartToSignalSeconds: Stopwatch.GetElapsedTime(allocator.StartedAt, allocator.SignalledAt).TotalSeconds,
            CpuSecondsToSignal: allocator.CpuAtSignal.TotalSeconds,
            PeakResidentMegabytes: allocator.PeakResidentMegabytes,
            LoadAverage: load,
            CpuMicrosecondsPerAllocation: cpu.TotalMicroseconds / count,
            Rate: options.SteadyRate,
            P50Milliseconds: latency.P50Milliseconds,
            P99Milliseconds: latency.P99Milliseconds,
            MaxMilliseconds: latency.MaxMilliseconds,
            WatchResumes: watch.Resumes);
    }

    private static Task<long[]> CreateAtRateAsync(NodeSeeder seeder, string prefix, int count, double rate) =>
        SteadyArrivals.CreateAtRateAsync(prefix, count, rate, name => seeder.CreateOneAsync(name, null));
}
