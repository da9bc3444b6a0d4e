using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

using CidrController.Allocation.Benchmarks;

if (args.Length > 0 && args[0] == "--memory")
{
    MemoryReport.Print();
    return;
}

// A short job keeps the whole suite within a few minutes on a 2-core machine; medians are what we report.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(12))
    .AddColumn(StatisticColumn.Median, StatisticColumn.P95)
    .AddDiagnoser(MemoryDiagnoser.Default);
BenchmarkSwitcher.FromAssembly(typeof(AllocateNextBenchmarks).Assembly).Run(args, config);
