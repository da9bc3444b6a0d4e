using System.Globalization;
using System.Runtime.InteropServices;

using CidrController.LoadBenchmark;
using CidrController.LoadBenchmark.RealApi;

// End-to-end load benchmark: see docs/benchmarks.md. Exit 0 when every run produced its figures (targets are
// reported, not enforced: this machine is shared and noisy), 1 when a run failed, 2 on a bad command line.
// `real …` runs the side-by-side comparison with kube-controller-manager on the real control plane instead.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "real")
{
    return await RealApiBenchmark.RunAsync(args[1..]);
}

var options = LoadBenchmarkOptions.Parse(args);
if (options is null)
{
    return 2;
}

#if DEBUG
if (!options.Smoke)
{
    Console.Error.WriteLine("load benchmark: this is a Debug build, and so is the cidr-controller next to it; measure with -c Release");
    return 2;
}
#endif

Console.WriteLine($"cidr-controller load benchmark — {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
Console.WriteLine($"phases: {string.Join(',', options.Phases)}; drain N={options.DrainNodes}; restart N={string.Join(',', options.RestartNodes)}; " +
    $"steady {options.SteadyRate}/s for {options.SteadySeconds} s; {options.Repeats} repeat(s); controller flags: {string.Join(' ', options.ControllerArguments)}");

var table = new ResultTable(options);
try
{
    for (var run = 1; run <= options.Repeats; run++)
    {
        if (options.Phases.Contains("drain"))
        {
            var result = await DrainPhase.RunAsync(options);
            Console.WriteLine($"run {run} {result}");
            table.Drain.Add(result);
        }

        if (options.Phases.Contains("steady"))
        {
            var result = await SteadyPhase.RunAsync(options);
            Console.WriteLine($"run {run} {result}");
            table.Steady.Add(result);
        }

        if (options.Phases.Contains("restart"))
        {
            foreach (var nodes in options.RestartNodes)
            {
                var result = await RestartPhase.RunAsync(options, nodes);
                Console.WriteLine($"run {run} {result}");
                table.Restart.Add(result);
            }
        }
    }
}
catch (BenchmarkFailedException e)
{
    Console.Error.WriteLine($"load benchmark FAILED: {e.Message}");
    return 1;
}

Console.WriteLine();
table.Print(Console.Out);
return 0;
