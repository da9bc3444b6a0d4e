using System.Globalization;

using CidrController.ApiEmulator;
using CidrController.TestHarness;

// Try cidr-controller with no cluster: start the API server emulator, create simulated nodes, run the real
// controller binary against it, print each node's CIDRs as they arrive and a usage table per range.
// Usage: dotnet run --project tests/CidrController.Sandbox -- [--nodes N] [--timeout SECONDS] [--https]
//        [--controller-binary PATH] [controller flags…]
// --https serves the emulator over TLS (the kubeconfig then carries certificate-authority-data and a token);
// --controller-binary runs another build, e.g. the published self-contained one (CI checks the trimmed binary this way).
var settings = SandboxSettings.Parse(args);
if (settings is null)
{
    return 2;
}

await using var emulator = await KubeApiEmulator.StartAsync(new EmulatorOptions { BearerToken = "sandbox-token", Https = settings.Https });
var kubeconfig = Path.Combine(Path.GetTempPath(), $"cidr-controller-sandbox-{Environment.ProcessId}.kubeconfig");
emulator.WriteKubeconfig(kubeconfig);
for (var i = 1; i <= settings.Nodes; i++)
{
    emulator.CreateNode(SandboxSettings.NodeName(i));
}

Console.WriteLine($"API server emulator on {emulator.BaseAddress} with {settings.Nodes} nodes without podCIDRs");
Console.WriteLine($"Starting: cidr-controller {string.Join(' ', settings.ControllerArguments)}");
var controller = ControllerProcess.Start(
    [$"--kubeconfig={kubeconfig}", "--leader-elect=false", .. settings.ControllerArguments],
    line =>
    {
        // Per-node allocation lines repeat what the sandbox prints itself; everything else (startup, capacity, warnings) shows.
        if (!line.Contains(" Allocated ", StringComparison.Ordinal))
        {
            Console.WriteLine($"  | {line}");
        }
    },
    settings.ControllerBinary);
var exitCode = 1;
await using (controller)
{
    var reported = new HashSet<string>(StringComparer.Ordinal);
    var deadline = DateTime.UtcNow.AddSeconds(settings.TimeoutSeconds);
    while (reported.Count < settings.Nodes && DateTime.UtcNow < deadline && !controller.HasExited)
    {
        foreach (var node in emulator.ListNodes())
        {
            var name = node["metadata"]!["name"]!.GetValue<string>();
            var cidrs = node["spec"]?["podCIDRs"]?.AsArray().Select(c => c!.GetValue<string>()).ToArray() ?? [];
            if (cidrs.Length > 0 && reported.Add(name))
            {
                Console.WriteLine($"{name,-20} {string.Join(", ", cidrs)}");
            }
        }

        await Task.Delay(100);
    }

    if (controller.HasExited)
    {
        Console.Error.WriteLine($"cidr-controller exited with code {controller.ExitCode}");
        return controller.ExitCode == 0 ? 1 : controller.ExitCode;
    }

    Console.WriteLine();
    Console.WriteLine(reported.Count == settings.Nodes
        ? $"All {settings.Nodes} nodes have pod CIDRs."
        : $"{reported.Count} of {settings.Nodes} nodes have pod CIDRs after {settings.TimeoutSeconds} s (is the range too small?).");
    // The operator's own view of the pool, from the same binary: `cidr-controller status`.
    Console.WriteLine();
    await using (var status = ControllerProcess.Start(["status", $"--kubeconfig={kubeconfig}", .. settings.ControllerArguments], Console.WriteLine, settings.ControllerBinary))
    {
        if (await status.WaitForExitAsync(TimeSpan.FromSeconds(30)) != 0)
        {
            Console.Error.WriteLine($"cidr-controller status exited with code {status.ExitCode}");
        }
    }

    var reasons = emulator.Events.GroupBy(e => e["reason"]?.GetValue<string>() ?? "?").Select(g => $"{g.Key} x{g.Count()}").ToList();
    if (reasons.Count > 0)
    {
        Console.WriteLine($"Events written by the controller: {string.Join(", ", reasons)}");
    }

    exitCode = reported.Count == settings.Nodes ? 0 : 1;
}

File.Delete(kubeconfig);
return exitCode;

internal sealed record SandboxSettings(int Nodes, int TimeoutSeconds, bool Https, string? ControllerBinary, IReadOnlyList<string> ControllerArguments)
{
    public static string NodeName(int i) => $"sandbox-node-{i.ToString("D3", CultureInfo.InvariantCulture)}";

    /// <summary>Takes --nodes, --timeout, --https and --controller-binary; everything else goes to the controller (default --cluster-cidr 10.1.0.0/16).</summary>
    public static SandboxSettings? Parse(string[] args)
    {
        var nodes = 20;
        var timeout = 60;
        var https = false;
        string? binary = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = Split(args, ref i);
            switch (name)
            {
                case "--nodes" when int.TryParse(value, out var n) && n is >= 0 and <= 100_000:
                    nodes = n;
                    break;
                case "--timeout" when int.TryParse(value, out var t) && t > 0:
                    timeout = t;
                    break;
                case "--https" when value is null:
                    https = true;
                    break;
                case "--controller-binary" when File.Exists(value):
                    binary = Path.GetFullPath(value);
                    break;
                case "--nodes" or "--timeout" or "--https" or "--controller-binary":
                    Console.Error.WriteLine($"sandbox: invalid value \"{value}\" for flag {name}");
                    return null;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        if (!rest.Any(a => a.StartsWith("--cluster-cidr", StringComparison.Ordinal)))
        {
            rest.Add("--cluster-cidr=10.1.0.0/16");
        }

        return new SandboxSettings(nodes, timeout, https, binary, rest);
    }

    private static (string Name, string? Value) Split(string[] args, ref int i)
    {
        var arg = args[i];
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0)
        {
            return (arg[..eq], arg[(eq + 1)..]);
        }

        if (arg is "--nodes" or "--timeout" or "--controller-binary" && i + 1 < args.Length)
        {
            return (arg, args[++i]);
        }

        return (arg, null);
    }
}
