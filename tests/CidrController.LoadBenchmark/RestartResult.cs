namespace CidrController.LoadBenchmark;

/// <param name="CpuSecondsToReady">Controller user+sys CPU from process start to /readyz (runtime start, JIT, list, adopt).</param>
/// <param name="LoadAverage">1-minute load average when the run started.</param>
public sealed record RestartResult(
    int Nodes,
    double StartToReadySeconds,
    double FirstAllocationMilliseconds,
    double CpuSecondsToReady,
    double PeakResidentMegabytes,
    double LoadAverage);
