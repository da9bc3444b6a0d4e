using System.Diagnostics;

using CidrController.ApiEmulator;

namespace CidrController.LoadBenchmark;

/// <summary>
/// The controller (re)starts in a cluster whose N nodes all have podCIDRs: process start → /readyz (list and
/// adopt everything), then how long the first node that joins afterwards waits for its block.
/// </summary>
public static class RestartPhase
{
    public static async Task<RestartResult> RunAsync(LoadBenchmarkOptions options, int nodes)
    {
        var load = ProcessFootprint.LoadAverage();
        await using var emulator = await KubeApiEmulator.StartAsync(LoadBenchmarkOptions.Emulator());
        for (var i = 0; i < nodes; i++)
        {
            emulator.CreateNode(BenchmarkNodes.Create(BenchmarkNodes.Name("existing", i), BenchmarkNodes.Slash24(i)));
        }

        var directList = await DirectListClient.MeasureAsync(emulator);
        await using var watch = await AllocationWatch.StartAsync(emulator);
        await using var controller = await BenchmarkController.StartAsync(emulator, options.ControllerArguments, options.ReadyTimeout);
        var cpuToReady = controller.CpuTime;

        var name = BenchmarkNodes.Name("joined", 0);
        var node = BenchmarkNodes.Create(name);
        var created = Stopwatch.GetTimestamp();
        emulator.CreateNode(node);
        await watch.WaitForCountAsync(1, options.AllocationTimeout(1), () => controller.IsRunning);
        var allocation = watch.Allocated[name];
        if (allocation.Cidrs != BenchmarkNodes.Slash24(nodes))
        {
            // Every block below N is taken: the cursor's next free block is the N-th.
            throw new BenchmarkFailedException($"restart: the new node got {allocation.Cidrs}, expected {BenchmarkNodes.Slash24(nodes)}");
        }

        if (watch.Count != 1)
        {
            throw new BenchmarkFailedException($"restart: {watch.Count - 1} existing nodes were changed");
        }

        var peak = controller.PeakResidentMegabytes;
        await controller.StopAsync();
        return new RestartResult(
            nodes,
            StartToReadySeconds: Stopwatch.GetElapsedTime(controller.StartedAt, controller.ReadyAt).TotalSeconds,
            DirectListSeconds: directList.TotalSeconds,
            FirstAllocationMilliseconds: Stopwatch.GetElapsedTime(created, allocation.SeenAt).TotalMilliseconds,
            CpuSecondsToReady: cpuToReady.TotalSeconds,
            PeakResidentMegabytes: peak,
            LoadAverage: load);
    }
}
