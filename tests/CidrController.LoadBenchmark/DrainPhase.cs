using System.Diagnostics;

using CidrController.ApiEmulator;

namespace CidrController.LoadBenchmark;

/// <summary>
/// N nodes without podCIDRs exist before the controller starts (a zone coming back, a big scale-up); the figure
/// is readiness → every node's podCIDR visible on a watch, next to what a direct client gets from the same
/// emulator in the same run.
/// </summary>
public static class DrainPhase
{
    public static async Task<DrainResult> RunAsync(LoadBenchmarkOptions options)
    {
        var load = ProcessFootprint.LoadAverage();
        await using var emulator = await KubeApiEmulator.StartAsync(LoadBenchmarkOptions.Emulator());
        double directRate;
        // The direct client runs under the same observer as the controller (a watch decoding every event), so the
        // ratio compares the two writers, not "writer" against "writer + observer".
        await using (await AllocationWatch.StartAsync(emulator))
        {
            directRate = await DirectPatchClient.MeasureAsync(emulator, options.DrainNodes, options.DirectConnections);
        }

        for (var i = 0; i < options.DrainNodes; i++)
        {
            emulator.CreateNode(BenchmarkNodes.Create(BenchmarkNodes.Name("drain", i)));
        }

        await using var watch = await AllocationWatch.StartAsync(emulator);
        await using var controller = await BenchmarkController.StartAsync(emulator, options.ControllerArguments, options.ReadyTimeout);
        var cpuAtReady = controller.CpuTime;
        await watch.WaitForCountAsync(options.DrainNodes, options.AllocationTimeout(options.DrainNodes), () => controller.IsRunning);
        var cpu = controller.CpuTime - cpuAtReady;
        var peak = controller.PeakResidentMegabytes;
        var lastSeen = watch.Allocated.Values.Max(a => a.SeenAt);
        var drain = Stopwatch.GetElapsedTime(controller.ReadyAt, lastSeen);
        var distinct = watch.Allocated.Values.Select(a => a.Cidrs).Distinct(StringComparer.Ordinal).Count();
        if (distinct != options.DrainNodes)
        {
            throw new BenchmarkFailedException($"drain: {options.DrainNodes} nodes got only {distinct} distinct podCIDRs");
        }

        await controller.StopAsync();
        var drainRate = options.DrainNodes / drain.TotalSeconds;
        return new DrainResult(
            options.DrainNodes,
            StartToReadySeconds: Stopwatch.GetElapsedTime(controller.StartedAt, controller.ReadyAt).TotalSeconds,
            DrainSeconds: drain.TotalSeconds,
            DrainRate: drainRate,
            DirectRate: directRate,
            Ratio: drainRate / directRate,
            CpuMicrosecondsPerAllocation: cpu.TotalMicroseconds / options.DrainNodes,
            PeakResidentMegabytes: peak,
            LoadAverage: load);
    }
}
