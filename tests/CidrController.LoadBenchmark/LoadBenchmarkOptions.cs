using System.Globalization;

using CidrController.ApiEmulator;

namespace CidrController.LoadBenchmark;

/// <summary>
/// Command line: <c>[--smoke] [--nodes N] [--restart-nodes N,N] [--steady-rate R] [--steady-seconds S]
/// [--repeats K] [--phases drain,steady,restart] [--direct-connections C] [-- controller flags…]</c>.
/// </summary>
public sealed record LoadBenchmarkOptions
{
    public const string Usage =
        "usage: dotnet run -c Release --project tests/CidrController.LoadBenchmark -- [--smoke] [--nodes N] [--restart-nodes N,N]\n" +
        "       [--steady-rate R] [--steady-seconds S] [--repeats K] [--phases drain,steady,restart] [--direct-connections C]\n" +
        "       [-- extra cidr-controller flags]";

    public bool Smoke { get; init; }

    public int DrainNodes { get; init; } = 5_000;

    public IReadOnlyList<int> RestartNodes { get; init; } = [10_000, 50_000];

    public double SteadyRate { get; init; } = 200;

    public double SteadySeconds { get; init; } = 10;

    public int Repeats { get; init; } = 3;

    public IReadOnlySet<string> Phases { get; init; } = new HashSet<string>(["drain", "steady", "restart"], StringComparer.Ordinal);

    public int DirectConnections { get; init; } = 64;

    public IReadOnlyList<string> ControllerArguments { get; init; } = [];

    public TimeSpan ReadyTimeout => TimeSpan.FromSeconds(60);

    /// <summary>Generous: a timeout is a failure, not a figure. 30 s plus 20 ms a node.</summary>
    public TimeSpan AllocationTimeout(int nodes) => TimeSpan.FromSeconds(30 + (nodes * 0.02));

    /// <summary>No request bodies kept (memory), a token because KubernetesClient refuses a user without credentials.</summary>
    public static EmulatorOptions Emulator() => new() { RecordRequestBodies = false, BearerToken = "load-benchmark-token" };

    /// <summary>Parses the command line; null (after printing why) when it is wrong.</summary>
    public static LoadBenchmarkOptions? Parse(string[] args)
    {
        var options = new LoadBenchmarkOptions();
        if (args.Contains("--smoke"))
        {
            // Small enough for CI (well under a minute), large enough to run every code path of every phase.
            options = options with { Smoke = true, DrainNodes = 300, RestartNodes = [1_000], SteadySeconds = 2, Repeats = 1, DirectConnections = 16 };
        }

        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                return options with { ControllerArguments = args[(i + 1)..] };
            }

            if (arg == "--smoke")
            {
                continue;
            }

            if (i + 1 >= args.Length)
            {
                return Refuse($"{arg} needs a value");
            }

            var value = args[++i];
            var parsed = arg switch
            {
                "--nodes" when PositiveInt(value) is { } n && n <= 60_000 => options with { DrainNodes = n },
                "--restart-nodes" when value.Split(',').Select(PositiveInt).ToArray() is { } list && list.All(n => n is <= 65_000) =>
                    options with { RestartNodes = list.Select(n => n!.Value).ToArray() },
                "--steady-rate" when PositiveDouble(value) is { } r => options with { SteadyRate = r },
                "--steady-seconds" when PositiveDouble(value) is { } s => options with { SteadySeconds = s },
                "--repeats" when PositiveInt(value) is { } k => options with { Repeats = k },
                "--direct-connections" when PositiveInt(value) is { } c => options with { DirectConnections = c },
                "--phases" when value.Split(',') is { } phases && phases.All(p => p is "drain" or "steady" or "restart") =>
                    options with { Phases = new HashSet<string>(phases, StringComparer.Ordinal) },
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

    private static LoadBenchmarkOptions? Refuse(string why)
    {
        Console.Error.WriteLine($"load benchmark: {why}\n{Usage}");
        return null;
    }

    private static int? PositiveInt(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    private static double? PositiveDouble(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 ? d : null;
}
