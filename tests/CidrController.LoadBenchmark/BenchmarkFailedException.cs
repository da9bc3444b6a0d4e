namespace CidrController.LoadBenchmark;

/// <summary>A run that could not produce a figure (a timeout, a crash, a wrong allocation): the benchmark exits 1.</summary>
public sealed class BenchmarkFailedException(string message) : Exception(message);
