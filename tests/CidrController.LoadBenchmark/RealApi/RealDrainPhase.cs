using System.Diagnostics;

using CidrController.TestHarness;

namespace CidrController.LoadBenchmark.RealApi;

/// <summary>
/// N nodes without podCIDRs wait on a fresh control plane; the allocator starts; the figure is its working signal →
/// the last podCIDR visible on the benchmark's own watch. CPU per allocation is the allocator's CPU over that span ÷ N.
/// </summary>
public static class RealDrainPhase
{
    public static async Task<ComparisonRun> RunAsync(RealApiOptions options, string ourBinary, AllocatorKind kind, int nodes, int repeat)
    {
        var load = ProcessFootprint.LoadAverage();
        using var controlPlane = await RealControlPlane.StartAsync();
        using var seeder = new NodeSeeder(controlPlane);
        await seeder.CreateAsync("drain", nodes, allocated: false);
        await using var watch = await AllocationWatch.StartAsync(NodeSeeder.CreateHttpClient(controlPlane), await seeder.CurrentResourceVersionAsync());

        await using var allocator = await AllocatorProcess.StartAsync(kind, controlPlane, ourBinary, options.ControllerArguments, options.SignalTimeout);
        var serverCpuAtSignal = ServerCpu(controlPlane);
        await watch.WaitForCountAsync(nodes, options.AllocationTimeout(nodes), () => allocator.IsRunning);
        var cpu = allocator.CpuTime - allocator.CpuAtSignal;
        var serverCpu = ServerCpu(controlPlane) - serverCpuAtSignal;
        var peak = allocator.PeakResidentMegabytes;

        var distinct = watch.Allocated.Values.Select(a => a.Cidrs).Distinct(StringComparer.Ordinal).Count();
        if (distinct != nodes)
        {
            throw new BenchmarkFailedException($"{kind}: {nodes} nodes hold only {distinct} distinct podCIDRs");
        }

        var last = watch.Allocated.Values.Max(a => a.SeenAt);
        return new ComparisonRun(
            "drain", kind, nodes, repeat,
            StartToSignalSeconds: Stopwatch.GetElapsedTime(allocator.StartedAt, allocator.SignalledAt).TotalSeconds,
            CpuSecondsToSignal: allocator.CpuAtSignal.TotalSeconds,
            PeakResidentMegabytes: peak,
            LoadAverage: load,
            DrainSeconds: Stopwatch.GetElapsedTime(allocator.SignalledAt, last).TotalSeconds,
            CpuMicrosecondsPerAllocation: cpu.TotalMicroseconds / nodes,
            WatchResumes: watch.Resumes,
            ServerCpuMicrosecondsPerAllocation: serverCpu.TotalMicroseconds / nodes);
    }

    private static TimeSpan ServerCpu(RealControlPlane controlPlane) =>
        ProcessFootprint.CpuTime(controlPlane.ApiServerPid) + ProcessFootprint.CpuTime(controlPlane.EtcdPid);
}
