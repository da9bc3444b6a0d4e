using System.Diagnostics;

using CidrController.ApiEmulator;

namespace CidrController.LoadBenchmark;

/// <summary>
/// Nodes join at a fixed rate while the controller runs: latency from the create to the podCIDR being visible
/// on a watch. One second at the same rate warms the controller up first and is not counted.
/// </summary>
public static class SteadyPhase
{
    public static async Task<SteadyResult> RunAsync(LoadBenchmarkOptions options)
    {
        var load = ProcessFootprint.LoadAverage();
        await using var emulator = await KubeApiEmulator.StartAsync(LoadBenchmarkOptions.Emulator());
        await using var watch = await AllocationWatch.StartAsync(emulator);
        await using var controller = await BenchmarkController.StartAsync(emulator, options.ControllerArguments, options.ReadyTimeout);

        var warmUp = (int)options.SteadyRate;
        await CreateAtRateAsync(emulator, "warmup", warmUp, options.SteadyRate);
        await watch.WaitForCountAsync(warmUp, options.AllocationTimeout(warmUp), () => controller.IsRunning);

        var count = (int)(options.SteadyRate * options.SteadySeconds);
        var cpuBefore = controller.CpuTime;
        var created = await CreateAtRateAsync(emulator, "steady", count, options.SteadyRate);
        await watch.WaitForCountAsync(warmUp + count, options.AllocationTimeout(count), () => controller.IsRunning);
        var cpu = controller.CpuTime - cpuBefore;
        var peak = controller.PeakResidentMegabytes;
        await controller.StopAsync();

        var latencies = new double[count];
        for (var i = 0; i < count; i++)
        {
            var seen = watch.Allocated[BenchmarkNodes.Name("steady", i)].SeenAt;
            latencies[i] = Stopwatch.GetElapsedTime(created[i], seen).TotalMilliseconds;
        }

        Array.Sort(latencies);
        return new SteadyResult(
            count,
            options.SteadyRate,
            P50Milliseconds: Percentiles.OfSorted(latencies, 0.50),
            P99Milliseconds: Percentiles.OfSorted(latencies, 0.99),
            MaxMilliseconds: latencies[^1],
            CpuMicrosecondsPerAllocation: cpu.TotalMicroseconds / count,
            PeakResidentMegabytes: peak,
            LoadAverage: load);
    }

    /// <summary>Creates node i at start + i/rate (catching up without sleeping when behind); returns each create's timestamp.</summary>
    private static async Task<long[]> CreateAtRateAsync(KubeApiEmulator emulator, string prefix, int count, double rate)
    {
        var created = new long[count];
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var node = BenchmarkNodes.Create(BenchmarkNodes.Name(prefix, i));
            created[i] = Stopwatch.GetTimestamp();
            emulator.CreateNode(node);
        }

        return created;
    }
}
