namespace CidrController.LoadBenchmark;

/// <param name="DirectListSeconds">A bare client's paginated list of the same nodes from the same emulator (the server's share).</param>
/// <param name="CpuSecondsToReady">Controller user+sys CPU from process start to /readyz (runtime start, JIT, list, adopt).</param>
/// <param name="LoadAverage">1-minute load average when the run started.</param>
public sealed record RestartResult(
    int Nodes,
    double StartToReadySeconds,
    double DirectListSeconds,
    double FirstAllocationMilliseconds,
    double CpuSecondsToReady,
    double PeakResidentMegabytes,
    double LoadAverage);
