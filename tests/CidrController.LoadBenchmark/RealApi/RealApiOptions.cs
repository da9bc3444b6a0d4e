using System.Globalization;

namespace CidrController.LoadBenchmark.RealApi;

/// <summary>
/// Command line of the side-by-side benchmark on the real control plane:
/// <c>real [--smoke] [--nodes N,N] [--steady-rate R] [--steady-seconds S] [--restart-nodes N,N] [--repeats K]
/// [--phases drain,steady,restart] [--binary PATH] [--json PATH] [--allocators ours,kcm] [-- cidr-controller flags…]</c>.
/// </summary>
public sealed record RealApiOptions
{
    public const string Usage =
        "usage: dotnet run -c Release --project tests/CidrController.LoadBenchmark -- real [--smoke] [--nodes 3000,10000]\n" +
        "       [--steady-rate R] [--steady-seconds S] [--restart-nodes 10000,50000] [--repeats K] [--phases drain,steady,restart]\n" +
        "       [--allocators ours,kcm] [--binary PATH] [--json PATH] [-- extra cidr-controller flags]";

    /// <summary>Both allocators get the same client-side limit, high enough that the server is what binds.</summary>
    public const int ApiQps = 1000;

    public bool Smoke { get; init; }

    public IReadOnlyList<int> DrainNodes { get; init; } = [3_000, 10_000];

    public double SteadyRate { get; init; } = 200;

    public double SteadySeconds { get; init; } = 20;

    public IReadOnlyList<int> RestartNodes { get; init; } = [10_000, 50_000];

    public int Repeats { get; init; } = 3;

    public IReadOnlySet<string> Phases { get; init; } = new HashSet<string>(["drain", "steady", "restart"], StringComparer.Ordinal);

    public IReadOnlyList<AllocatorKind> Allocators { get; init; } = [AllocatorKind.CidrController, AllocatorKind.KubeControllerManager];

    /// <summary>A published cidr-controller; when null the benchmark publishes one with .ci/publish.sh, as the image does.</summary>
    public string? Binary { get; init; }

    public string JsonPath { get; init; } = "real-benchmark.json";

    public IReadOnlyList<string> ControllerArguments { get; init; } = [];

    public TimeSpan SignalTimeout => TimeSpan.FromSeconds(180);

    /// <summary>Generous: a timeout is a failure, not a figure. 60 s plus 20 ms a node.</summary>
    public TimeSpan AllocationTimeout(int nodes) => TimeSpan.FromSeconds(60 + (nodes * 0.02));

    /// <summary>Parses what follows <c>real</c>; null (after printing why) when it is wrong.</summary>
    public static RealApiOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new RealApiOptions();
        if (args.Contains("--smoke"))
        {
            // CI: one small drain per allocator (two control planes, about half a minute on an idle 2-core machine);
            // `real --smoke --phases drain,steady,restart` runs every phase at this size.
            options = options with
            {
                Smoke = true,
                DrainNodes = [200],
                SteadyRate = 50,
                SteadySeconds = 2,
                RestartNodes = [500],
                Repeats = 1,
                Phases = new HashSet<string>(["drain"], StringComparer.Ordinal),
            };
        }

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                return options with { ControllerArguments = args.Skip(i + 1).ToArray() };
            }

            if (arg == "--smoke")
            {
                continue;
            }

            if (i + 1 >= args.Count)
            {
                return Refuse($"{arg} needs a value");
            }

            var value = args[++i];
            var parsed = arg switch
            {
                "--nodes" when PositiveList(value) is { } list => options with { DrainNodes = list },
                "--restart-nodes" when PositiveList(value) is { } list => options with { RestartNodes = list },
                "--steady-rate" when PositiveDouble(value) is { } r => options with { SteadyRate = r },
                "--steady-seconds" when PositiveDouble(value) is { } s => options with { SteadySeconds = s },
                "--repeats" when PositiveInt(value) is { } k => options with { Repeats = k },
                "--binary" when File.Exists(value) => options with { Binary = Path.GetFullPath(value) },
                "--json" => options with { JsonPath = value },
                "--phases" when value.Split(',') is { } phases && phases.All(p => p is "drain" or "steady" or "restart") =>
                    options with { Phases = new HashSet<string>(phases, StringComparer.Ordinal) },
                "--allocators" when value.Split(',') is { } names && names.All(n => n is "ours" or "kcm") =>
                    options with { Allocators = names.Distinct().Select(n => n == "ours" ? AllocatorKind.CidrController : AllocatorKind.KubeControllerManager).ToArray() },
                _ => null,
            };
            if (parsed is null)
            {
                return Refuse($"invalid {arg} {value}");
            }

            options = parsed;
        }

        return options;
    }

    private static RealApiOptions? Refuse(string why)
    {
        Console.Error.WriteLine($"load benchmark: {why}\n{Usage}");
        return null;
    }

    /// <summary>At most 65,000: every node gets one /24 of 10.0.0.0/8.</summary>
    private static int[]? PositiveList(string value)
    {
        var list = value.Split(',').Select(PositiveInt).ToArray();
        return list.All(n => n is <= 65_000) ? list.Select(n => n!.Value).ToArray() : null;
    }

    private static int? PositiveInt(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static double? PositiveDouble(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 ? d : null;
}
