namespace CidrController.LoadBenchmark.RealApi;

/// <summary>
/// One run of one allocator in one phase, as written to the JSON output. Figures a phase does not measure are null.
/// </summary>
/// <param name="StartToSignalSeconds">Process start → its working signal (see <see cref="AllocatorProcess"/>).</param>
/// <param name="DrainSeconds">drain: working signal → last podCIDR visible on the benchmark's watch.</param>
/// <param name="CpuMicrosecondsPerAllocation">drain: CPU from the signal to the last allocation ÷ N; steady: CPU over the measured window ÷ nodes.</param>
/// <param name="CpuSecondsToSignal">CPU from process start to the working signal (restart: list + occupy).</param>
/// <param name="FirstNewAllocationMilliseconds">restart: one node created after the signal → its podCIDR visible.</param>
/// <param name="ServerCpuMicrosecondsPerAllocation">drain: kube-apiserver + etcd CPU over the same span ÷ N — the server's
/// share of each allocation (a patch, its etcd write, and a watch event to every watcher).</param>
/// <param name="LoadAverage">1-minute load average when the run started.</param>
/// <param name="WatchResumes">How often the server dropped the benchmark's watch and it resumed (see <see cref="AllocationWatch.Resumes"/>).</param>
public sealed record ComparisonRun(
    string Phase,
    AllocatorKind Allocator,
    int Nodes,
    int Repeat,
    double StartToSignalSeconds,
    double CpuSecondsToSignal,
    double PeakResidentMegabytes,
    double LoadAverage,
    double? DrainSeconds = null,
    double? CpuMicrosecondsPerAllocation = null,
    double? Rate = null,
    double? P50Milliseconds = null,
    double? P99Milliseconds = null,
    double? MaxMilliseconds = null,
    double? FirstNewAllocationMilliseconds = null,
    int WatchResumes = 0,
    double? ServerCpuMicrosecondsPerAllocation = null)
{
    public override string ToString() => Phase switch
    {
        "drain" => $"drain {Allocator} N={Nodes:N0}: signal after {StartToSignalSeconds:F2} s, drained in {DrainSeconds:F2} s, " +
            $"{CpuMicrosecondsPerAllocation:F0} µs CPU/allocation (server {ServerCpuMicrosecondsPerAllocation:F0} µs), peak RSS {PeakResidentMegabytes:F1} MB (load {LoadAverage:F2}{Resumed})",
        "steady" => $"steady {Allocator} {Rate:F0}/s × {Nodes:N0}: p50 {P50Milliseconds:F1} ms, p99 {P99Milliseconds:F1} ms, max {MaxMilliseconds:F1} ms, " +
            $"{CpuMicrosecondsPerAllocation:F0} µs CPU/allocation, peak RSS {PeakResidentMegabytes:F1} MB (load {LoadAverage:F2}{Resumed})",
        _ => $"restart {Allocator} N={Nodes:N0}: signal after {StartToSignalSeconds:F2} s, {CpuSecondsToSignal:F2} s CPU, peak RSS {PeakResidentMegabytes:F1} MB, " +
            $"first new node {FirstNewAllocationMilliseconds:F1} ms (load {LoadAverage:F2})",
    };

    private string Resumed => WatchResumes > 0 ? $"; the benchmark's watch was dropped and resumed {WatchResumes}×" : "";
}
