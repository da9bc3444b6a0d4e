namespace CidrController.LoadBenchmark;

/// <param name="Rate">Nodes created per second.</param>
/// <param name="CpuMicrosecondsPerAllocation">Controller user+sys CPU over the measured creates, per node.</param>
/// <param name="LoadAverage">1-minute load average when the run started.</param>
public sealed record SteadyResult(
    int Nodes,
    double Rate,
    double P50Milliseconds,
    double P99Milliseconds,
    double MaxMilliseconds,
    double CpuMicrosecondsPerAllocation,
    double PeakResidentMegabytes,
    double LoadAverage);
