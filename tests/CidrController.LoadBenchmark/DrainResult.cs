namespace CidrController.LoadBenchmark;

/// <param name="Ratio">Drain rate / direct-client rate, both against the same emulator in the same run.</param>
/// <param name="CpuMicrosecondsPerAllocation">Controller user+sys CPU from readiness to the last allocation, per node.</param>
/// <param name="LoadAverage">1-minute load average when the run started.</param>
public sealed record DrainResult(
    int Nodes,
    double StartToReadySeconds,
    double DrainSeconds,
    double DrainRate,
    double DirectRate,
    double Ratio,
    double CpuMicrosecondsPerAllocation,
    double PeakResidentMegabytes,
    double LoadAverage);
