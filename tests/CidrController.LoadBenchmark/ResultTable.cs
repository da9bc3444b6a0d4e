using static CidrController.LoadBenchmark.Percentiles;

namespace CidrController.LoadBenchmark;

/// <summary>Medians over the repeats, as Markdown tables (pasted into docs/benchmarks.md), with the targets.</summary>
public sealed class ResultTable(LoadBenchmarkOptions options)
{
    public List<DrainResult> Drain { get; } = [];

    public List<SteadyResult> Steady { get; } = [];

    public List<RestartResult> Restart { get; } = [];

    public void Print(TextWriter output)
    {
        output.WriteLine($"Medians of {options.Repeats} run(s); load = 1-minute load average at the start of each run (min–max).");
        if (Drain.Count > 0)
        {
            var ratio = Median(Drain, r => r.Ratio);
            var cpu = Median(Drain, r => r.CpuMicrosecondsPerAllocation);
            var rss = Median(Drain, r => r.PeakResidentMegabytes);
            output.WriteLine();
            output.WriteLine("| drain: N | direct client, patches/s | controller: ready → all allocated | controller nodes/s | ratio (≥ 0.8) | CPU µs / allocation (≤ 150) | peak RSS (≤ 64 MB at 5k) | start → ready | load |");
            output.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            output.WriteLine($"| {Drain[0].Nodes:N0} | {Median(Drain, r => r.DirectRate):N0} | {Median(Drain, r => r.DrainSeconds):F2} s | {Median(Drain, r => r.DrainRate):N0} " +
                $"| **{ratio:F2}** {Mark(ratio >= 0.8)} | **{cpu:F0}** {Mark(cpu <= 150)} | **{rss:F1} MB** {Mark(rss <= RssTarget(Drain[0].Nodes))} " +
                $"| {Median(Drain, r => r.StartToReadySeconds):F2} s | {Load(Drain.Select(r => r.LoadAverage))} |");
        }

        if (Steady.Count > 0)
        {
            var p99 = Median(Steady, r => r.P99Milliseconds);
            output.WriteLine();
            output.WriteLine("| steady: rate | nodes | p50 create → podCIDR on a watch | p99 (≤ 50 ms) | max | CPU µs / allocation | peak RSS | load |");
            output.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            output.WriteLine($"| {Steady[0].Rate:N0}/s | {Steady[0].Nodes:N0} | {Median(Steady, r => r.P50Milliseconds):F1} ms | **{p99:F1} ms** {Mark(p99 <= 50)} " +
                $"| {Median(Steady, r => r.MaxMilliseconds):F1} ms | {Median(Steady, r => r.CpuMicrosecondsPerAllocation):F0} | {Median(Steady, r => r.PeakResidentMegabytes):F1} MB " +
                $"| {Load(Steady.Select(r => r.LoadAverage))} |");
        }

        if (Restart.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("| restart: N allocated | start → /readyz (≤ 5 s at 50k) | of which the server: a bare paginated list | first new node allocated | CPU to ready | peak RSS (≤ 64 MB at 5k, ≤ 128 MB at 50k) | load |");
            output.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var group in Restart.GroupBy(r => r.Nodes))
            {
                var ready = Median(group, r => r.StartToReadySeconds);
                var rss = Median(group, r => r.PeakResidentMegabytes);
                output.WriteLine($"| {group.Key:N0} | **{ready:F2} s** {Mark(ready <= 5)} | {Median(group, r => r.DirectListSeconds):F2} s | {Median(group, r => r.FirstAllocationMilliseconds):F1} ms " +
                    $"| {Median(group, r => r.CpuSecondsToReady):F2} s | **{rss:F1} MB** {Mark(rss <= RssTarget(group.Key))} | {Load(group.Select(r => r.LoadAverage))} |");
            }
        }
    }

    private static double RssTarget(int nodes) => nodes <= 5_000 ? 64 : 128;

    private static string Mark(bool met) => met ? "met" : "MISSED";

    private static string Load(IEnumerable<double> loads)
    {
        var list = loads.ToList();
        return $"{list.Min():F2}–{list.Max():F2}";
    }
}
