using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

using CidrController.TestHarness;

namespace CidrController.LoadBenchmark.RealApi;

/// <summary>
/// cidr-controller and kube-controller-manager side by side on the real control plane (etcd + kube-apiserver with
/// TLS, tokens and RBAC, a fresh one per run): every phase alternates the two allocators, the order flipping each
/// repeat, so that load on this shared machine hits both. See docs/benchmarks.md.
/// </summary>
public static class RealApiBenchmark
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <returns>0 when every run produced its figures (or the binaries are absent: skipped), 1 when a run failed, 2 on a bad command line.</returns>
    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var options = RealApiOptions.Parse(args);
        if (options is null)
        {
            return 2;
        }

        if (KubeBinaries.MissingReason is { } missing)
        {
            Console.WriteLine($"real control plane benchmark skipped: {missing}");
            return 0;
        }

        var allocators = options.Allocators;
        if (KubeBinaries.Find()!.ControllerManager is null && allocators.Contains(AllocatorKind.KubeControllerManager))
        {
            Console.WriteLine("kube-controller-manager not found next to etcd and kube-apiserver: measuring cidr-controller alone");
            allocators = [AllocatorKind.CidrController];
        }

        var binary = options.Binary ?? (options.Smoke ? ControllerProcess.BinaryPath : await PublishAsync());
        Console.WriteLine($"real control plane benchmark — {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}; cidr-controller: {binary}");
        Console.WriteLine($"phases: {string.Join(',', options.Phases)}; drain N={string.Join(',', options.DrainNodes)}; restart N={string.Join(',', options.RestartNodes)}; " +
            $"steady {options.SteadyRate}/s for {options.SteadySeconds} s; {options.Repeats} repeat(s); extra cidr-controller flags: {string.Join(' ', options.ControllerArguments)}");

        var runs = new List<ComparisonRun>();
        try
        {
            for (var repeat = 1; repeat <= options.Repeats; repeat++)
            {
                // KCM first on odd repeats, ours first on even ones: a slow start of the machine's load does not favour one side.
                var order = repeat % 2 == 1 ? allocators.Reverse().ToArray() : allocators.ToArray();
                foreach (var nodes in options.Phases.Contains("drain") ? options.DrainNodes : [])
                {
                    foreach (var kind in order)
                    {
                        runs.Add(Report(await RealDrainPhase.RunAsync(options, binary, kind, nodes, repeat)));
                    }
                }

                foreach (var kind in options.Phases.Contains("steady") ? order : [])
                {
                    runs.Add(Report(await RealSteadyPhase.RunAsync(options, binary, kind, repeat)));
                }

                foreach (var nodes in options.Phases.Contains("restart") ? options.RestartNodes : [])
                {
                    foreach (var kind in order)
                    {
                        runs.Add(Report(await RealRestartPhase.RunAsync(options, binary, kind, nodes, repeat)));
                    }
                }
            }
        }
        catch (BenchmarkFailedException e)
        {
            Console.Error.WriteLine($"real control plane benchmark FAILED: {e.Message}");
            return 1;
        }

        await File.WriteAllTextAsync(options.JsonPath, JsonSerializer.Serialize(new ComparisonReport(
            Environment.ProcessorCount, RuntimeInformation.OSDescription, DateTimeOffset.UtcNow, binary, options.ControllerArguments, runs), Json));
        Console.WriteLine($"runs written to {Path.GetFullPath(options.JsonPath)}");
        Console.WriteLine();
        ComparisonTable.Print(runs, Console.Out);
        return 0;
    }

    private static ComparisonRun Report(ComparisonRun run)
    {
        Console.WriteLine($"run {run.Repeat} {run}");
        return run;
    }

    /// <summary>The shipped binary, built by the same script as the image (.ci/publish.sh), into a temporary directory.</summary>
    private static async Task<string> PublishAsync()
    {
        var root = KubeBinaries.RepositoryRoot() ?? throw new BenchmarkFailedException("cannot find the repository root to publish cidr-controller");
        var output = Directory.CreateTempSubdirectory("cidr-controller-published-").FullName;
        Console.WriteLine($"publishing cidr-controller with .ci/publish.sh into {output} …");
        var info = new ProcessStartInfo("bash") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(root, ".ci", "publish.sh"));
        info.ArgumentList.Add(output);
        using var publish = Process.Start(info)!;
        var stdout = publish.StandardOutput.ReadToEndAsync();
        var stderr = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0)
        {
            throw new BenchmarkFailedException($".ci/publish.sh failed:\n{await stdout}\n{await stderr}");
        }

        return Path.Combine(output, "cidr-controller");
    }
}
