using System.Diagnostics;
using System.Net;

using CidrController.ApiEmulator;
using CidrController.TestHarness;

namespace CidrController.LoadBenchmark;

/// <summary>
/// The real cidr-controller process under measurement: started against an emulator with the benchmark's flags,
/// readiness polled every 10 ms (process start → /readyz is one of the figures), /proc read for CPU and RSS.
/// </summary>
public sealed class BenchmarkController : IAsyncDisposable
{
    private readonly ControllerProcess _process;
    private readonly string _kubeconfig;

    private BenchmarkController(ControllerProcess process, string kubeconfig, long startedAt)
    {
        _process = process;
        _kubeconfig = kubeconfig;
        StartedAt = startedAt;
    }

    /// <summary>Stopwatch timestamp just before the process was spawned.</summary>
    public long StartedAt { get; }

    /// <summary>Stopwatch timestamp of the first 200 from /readyz.</summary>
    public long ReadyAt { get; private set; }

    public int ProcessId => _process.Id;

    public bool IsRunning => !_process.HasExited;

    public TimeSpan CpuTime => ProcessFootprint.CpuTime(_process.Id);

    public double PeakResidentMegabytes => ProcessFootprint.PeakResidentBytes(_process.Id) / 1e6;

    /// <summary>The cluster CIDR every phase uses: 65,536 /24 blocks, room for the largest restart phase.</summary>
    public const string ClusterCidr = "10.0.0.0/8";

    public static async Task<BenchmarkController> StartAsync(KubeApiEmulator emulator, IReadOnlyList<string> extraArguments, TimeSpan readyTimeout)
    {
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"cidr-load-benchmark-{Environment.ProcessId}-{Guid.NewGuid():N}.kubeconfig");
        emulator.WriteKubeconfig(kubeconfig);
        string[] arguments =
        [
            $"--kubeconfig={kubeconfig}",
            "--leader-elect=false",
            $"--cluster-cidr={ClusterCidr}",
            // High enough that the client-side limit never binds: the benchmark measures the controller and the server.
            "--kube-api-qps=100000",
            "--kube-api-burst=100000",
            .. extraArguments,
        ];
        var startedAt = Stopwatch.GetTimestamp();
        var controller = new BenchmarkController(ControllerProcess.Start(arguments), kubeconfig, startedAt);
        await controller.WaitReadyAsync(readyTimeout);
        return controller;
    }

    /// <summary>SIGTERM; a controller that does not exit 0 within 10 s fails the run.</summary>
    public async Task StopAsync()
    {
        var code = await _process.StopAsync(TimeSpan.FromSeconds(10));
        if (code != 0)
        {
            throw new BenchmarkFailedException($"cidr-controller exited with code {code} on SIGTERM:\n{Tail()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        File.Delete(_kubeconfig);
    }

    /// <summary>The last lines the controller wrote, for failure messages.</summary>
    public string Tail(int lines = 20) =>
        string.Join('\n', _process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var readyz = new Uri(_process.HealthAddress, "readyz");
        var deadline = StartedAt + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new BenchmarkFailedException($"cidr-controller exited with code {_process.ExitCode} before it was ready:\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(readyz);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    ReadyAt = Stopwatch.GetTimestamp();
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(10);
        }

        throw new BenchmarkFailedException($"cidr-controller not ready within {timeout.TotalSeconds:F0} s:\n{Tail()}");
    }
}
