using static CidrController.LoadBenchmark.Percentiles;

namespace CidrController.LoadBenchmark.RealApi;

/// <summary>
/// Medians per allocator and the ours ÷ KCM ratios, as Markdown tables (pasted into docs/benchmarks.md), each ratio
/// marked against its target. Ratios are within one benchmark run, so machine load hits both sides.
/// </summary>
public static class ComparisonTable
{
    public static void Print(IReadOnlyList<ComparisonRun> runs, TextWriter output)
    {
        output.WriteLine("Medians per allocator; ratio = cidr-controller ÷ kube-controller-manager; load = 1-minute load average at run start (min–max).");
        Drain(runs.Where(r => r.Phase == "drain").ToList(), output);
        Steady(runs.Where(r => r.Phase == "steady").ToList(), output);
        Restart(runs.Where(r => r.Phase == "restart").ToList(), output);
    }

    private static void Drain(List<ComparisonRun> runs, TextWriter output)
    {
        if (runs.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine("| drain: N | runs | KCM: signal → all allocated | ours | ratio (≤ 0.75) | KCM CPU µs / allocation | ours | ratio (≤ 0.5) | KCM peak RSS | ours | ratio (≤ 1 at 10k) | server CPU µs / allocation, KCM | ours | load |");
        output.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in runs.GroupBy(r => r.Nodes).OrderBy(g => g.Key))
        {
            var (kcm, ours) = Split(group);
            var time = Cells(kcm, ours, r => r.DrainSeconds!.Value, "F2", " s", 0.75);
            var cpu = Cells(kcm, ours, r => r.CpuMicrosecondsPerAllocation!.Value, "F0", "", 0.5);
            var rss = Cells(kcm, ours, r => r.PeakResidentMegabytes, "F1", " MB", group.Key >= 10_000 ? 1.0 : null);
            var server = $"{ServerCpu(kcm)} | {ServerCpu(ours)}";
            output.WriteLine($"| {group.Key:N0} | {ours.Count} + {kcm.Count} | {time} | {cpu} | {rss} | {server} | {Load(group)} |");
        }
    }

    private static string ServerCpu(List<ComparisonRun> side) =>
        side.Count == 0 || side.Any(r => r.ServerCpuMicrosecondsPerAllocation is null) ? "–" : $"{Median(side, r => r.ServerCpuMicrosecondsPerAllocation!.Value):F0}";

    private static void Steady(List<ComparisonRun> runs, TextWriter output)
    {
        if (runs.Count == 0)
        {
            return;
        }

        var (kcm, ours) = Split(runs);
        output.WriteLine();
        output.WriteLine($"steady: {runs[0].Rate:F0} nodes/s, {runs[0].Nodes:N0} nodes counted per run");
        output.WriteLine();
        output.WriteLine("| allocator | runs | p50 create → podCIDR on a watch | p99 | max | CPU µs / allocation | peak RSS | load |");
        output.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, side) in new[] { ("kube-controller-manager", kcm), ("cidr-controller", ours) })
        {
            if (side.Count > 0)
            {
                output.WriteLine($"| {name} | {side.Count} | {Median(side, r => r.P50Milliseconds!.Value):F1} ms | {Median(side, r => r.P99Milliseconds!.Value):F1} ms " +
                    $"| {Median(side, r => r.MaxMilliseconds!.Value):F1} ms | {Median(side, r => r.CpuMicrosecondsPerAllocation!.Value):F0} | {Median(side, r => r.PeakResidentMegabytes):F1} MB | {Load(side)} |");
            }
        }

        if (kcm.Count > 0 && ours.Count > 0)
        {
            var ratio = Median(ours, r => r.P99Milliseconds!.Value) / Median(kcm, r => r.P99Milliseconds!.Value);
            output.WriteLine($"| p99 ratio (≤ 1) | | | **{ratio:F2}** {Mark(ratio <= 1)} | | | | |");
        }
    }

    private static void Restart(List<ComparisonRun> runs, TextWriter output)
    {
        if (runs.Count == 0)
        {
            return;
        }

        output.WriteLine();
        output.WriteLine("| restart: N allocated | runs | KCM: start → signal | ours: start → ready | KCM CPU to signal | ours CPU to ready | KCM peak RSS | ours | ratio (≤ 1.5 at 50k) | ours: first new node | load |");
        output.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in runs.GroupBy(r => r.Nodes).OrderBy(g => g.Key))
        {
            var (kcm, ours) = Split(group);
            var rss = Cells(kcm, ours, r => r.PeakResidentMegabytes, "F1", " MB", group.Key >= 50_000 ? 1.5 : null);
            output.WriteLine($"| {group.Key:N0} | {ours.Count} + {kcm.Count} | {Cell(kcm, r => r.StartToSignalSeconds, "F2", " s")} | {Cell(ours, r => r.StartToSignalSeconds, "F2", " s")} " +
                $"| {Cell(kcm, r => r.CpuSecondsToSignal, "F2", " s")} | {Cell(ours, r => r.CpuSecondsToSignal, "F2", " s")} | {rss} " +
                $"| {Cell(ours, r => r.FirstNewAllocationMilliseconds!.Value, "F1", " ms")} | {Load(group)} |");
        }
    }

    private static (List<ComparisonRun> Kcm, List<ComparisonRun> Ours) Split(IEnumerable<ComparisonRun> runs) =>
        (runs.Where(r => r.Allocator == AllocatorKind.KubeControllerManager).ToList(), runs.Where(r => r.Allocator == AllocatorKind.CidrController).ToList());

    /// <summary>"KCM | ours | ratio" for one figure; the ratio marked when there is a target.</summary>
    private static string Cells(List<ComparisonRun> kcm, List<ComparisonRun> ours, Func<ComparisonRun, double> value, string format, string unit, double? target)
    {
        var ratio = "—";
        if (kcm.Count > 0 && ours.Count > 0)
        {
            var r = Median(ours, value) / Median(kcm, value);
            ratio = target is { } t ? $"**{r:F2}** {Mark(r <= t)}" : $"{r:F2}";
        }

        return $"{Cell(kcm, value, format, unit)} | {Cell(ours, value, format, unit)} | {ratio}";
    }

    private static string Cell(List<ComparisonRun> runs, Func<ComparisonRun, double> value, string format, string unit) =>
        runs.Count == 0 ? "—" : Median(runs, value).ToString(format, System.Globalization.CultureInfo.InvariantCulture) + unit;

    private static string Mark(bool met) => met ? "met" : "MISSED";

    private static string Load(IEnumerable<ComparisonRun> runs)
    {
        var loads = runs.Select(r => r.LoadAverage).ToList();
        return $"{loads.Min():F1}–{loads.Max():F1}";
    }
}
