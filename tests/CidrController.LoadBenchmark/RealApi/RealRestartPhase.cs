using System.Diagnostics;
using System.Globalization;

using CidrController.TestHarness;

namespace CidrController.LoadBenchmark.RealApi;

/// <summary>
/// N nodes that already hold podCIDRs (node i the i-th /24); the allocator starts; the figure is process start → its
/// working signal (list + occupy everything), then one new node's allocation, which must not reuse a held block.
/// </summary>
public static class RealRestartPhase
{
    public static async Task<ComparisonRun> RunAsync(RealApiOptions options, string ourBinary, AllocatorKind kind, int nodes, int repeat)
    {
        var load = ProcessFootprint.LoadAverage();
        using var controlPlane = await RealControlPlane.StartAsync();
        using var seeder = new NodeSeeder(controlPlane);
        await seeder.CreateAsync("restart", nodes, allocated: true);
        await using var watch = await AllocationWatch.StartAsync(NodeSeeder.CreateHttpClient(controlPlane), await seeder.CurrentResourceVersionAsync());

        await using var allocator = await AllocatorProcess.StartAsync(kind, controlPlane, ourBinary, options.ControllerArguments, options.SignalTimeout);
        var peak = allocator.PeakResidentMegabytes;

        var created = Stopwatch.GetTimestamp();
        await seeder.CreateOneAsync("restart-new", null);
        await watch.WaitForCountAsync(1, options.AllocationTimeout(1), () => allocator.IsRunning);
        var seen = watch.Allocated["restart-new"];
        if (BlockIndex(seen.Cidrs) < nodes)
        {
            throw new BenchmarkFailedException($"{kind}: the new node got {seen.Cidrs}, a block an existing node holds");
        }

        return new ComparisonRun(
            "restart", kind, nodes, repeat,
            StartToSignalSeconds: Stopwatch.GetElapsedTime(allocator.StartedAt, allocator.SignalledAt).TotalSeconds,
            CpuSecondsToSignal: allocator.CpuAtSignal.TotalSeconds,
            PeakResidentMegabytes: Math.Max(peak, allocator.PeakResidentMegabytes),
            LoadAverage: load,
            FirstNewAllocationMilliseconds: Stopwatch.GetElapsedTime(created, seen.SeenAt).TotalMilliseconds);
    }

    /// <summary>"10.a.b.0/24" → a × 256 + b, the inverse of <see cref="BenchmarkNodes.Slash24"/>.</summary>
    private static int BlockIndex(string cidr)
    {
        var octets = cidr.Split('/')[0].Split('.');
        return (int.Parse(octets[1], CultureInfo.InvariantCulture) * 256) + int.Parse(octets[2], CultureInfo.InvariantCulture);
    }
}
