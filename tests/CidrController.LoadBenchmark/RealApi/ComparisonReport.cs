namespace CidrController.LoadBenchmark.RealApi;

/// <summary>The JSON the side-by-side benchmark writes (read by plot-real-benchmark.sh): the machine and every run.</summary>
public sealed record ComparisonReport(
    int Cores,
    string OperatingSystem,
    DateTimeOffset FinishedAt,
    string CidrControllerBinary,
    IReadOnlyList<string> ExtraControllerArguments,
    IReadOnlyList<ComparisonRun> Runs);
