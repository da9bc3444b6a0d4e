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

        var latency = SteadyArrivals.Latency("steady", created, watch);
        return new SteadyResult(
            count,
            options.SteadyRate,
            P50Milliseconds: latency.P50Milliseconds,
            P99Milliseconds: latency.P99Milliseconds,
            MaxMilliseconds: latency.MaxMilliseconds,
            CpuMicrosecondsPerAllocation: cpu.TotalMicroseconds / count,
            PeakResidentMegabytes: peak,
            LoadAverage: load);
    }

    private static Task<long[]> CreateAtRateAsync(KubeApiEmulator emulator, string prefix, int count, double rate) =>
        SteadyArrivals.CreateAtRateAsync(prefix, count, rate, name =>
        {
            emulator.CreateNode(BenchmarkNodes.Create(name));
            return Task.CompletedTask;
        });
}
