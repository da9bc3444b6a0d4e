using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

using CidrController.TestHarness;

namespace CidrController.LoadBenchmark.RealApi;

/// <summary>
/// One allocator process under measurement, started against a real control plane with the same cluster CIDR, mask
/// and client limits for both. "Working" is each one's own signal: for cidr-controller the first 200 from /readyz
/// (polled every 10 ms; it answers 200 once every existing node's podCIDR is occupied), for kube-controller-manager
/// its <c>Starting range CIDR allocator</c> log line (printed after its constructor has listed the nodes and
/// occupied their CIDRs). CPU and peak RSS come from /proc.
/// </summary>
public sealed class AllocatorProcess : IAsyncDisposable
{
    /// <summary>The cluster CIDR both allocators use: 65,536 /24 blocks, room for the largest phase.</summary>
    public const string ClusterCidr = "10.0.0.0/8";

    private const string KcmSignal = "Starting range CIDR allocator";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail = new();
    private readonly TaskCompletionSource _signalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _kcmSignal;

    private AllocatorProcess(AllocatorKind kind, Process process, string? kcmSignal)
    {
        Kind = kind;
        _process = process;
        _kcmSignal = kcmSignal;
    }

    public AllocatorKind Kind { get; }

    /// <summary>Stopwatch timestamp just before the process was spawned.</summary>
    public long StartedAt { get; private init; }

    /// <summary>Stopwatch timestamp of the working signal.</summary>
    public long SignalledAt { get; private set; }

    /// <summary>Process CPU (user + system) at the working signal.</summary>
    public TimeSpan CpuAtSignal { get; private set; }

    public bool IsRunning => !_process.HasExited;

    public TimeSpan CpuTime => ProcessFootprint.CpuTime(_process.Id);

    public double PeakResidentMegabytes => ProcessFootprint.PeakResidentBytes(_process.Id) / 1e6;

    public static async Task<AllocatorProcess> StartAsync(
        AllocatorKind kind, RealControlPlane controlPlane, string ourBinary, IReadOnlyList<string> extraArguments, TimeSpan timeout)
    {
        var kubeconfig = controlPlane.AdminKubeconfigPath;
        var healthPort = LoopbackPort.Free();
        var (binary, arguments, signal) = kind switch
        {
            AllocatorKind.CidrController => (ourBinary, (IEnumerable<string>)
            [
                $"--kubeconfig={kubeconfig}",
                "--leader-elect=false",
                $"--cluster-cidr={ClusterCidr}",
                "--node-cidr-mask-size=24",
                $"--kube-api-qps={RealApiOptions.ApiQps}",
                $"--kube-api-burst={RealApiOptions.ApiQps}",
                $"--metrics-bind-address=127.0.0.1:{healthPort}",
                // No HTTPS listener on the default port: another run on the machine may hold it, and the signal is /readyz above.
                "--secure-port=0",
                .. extraArguments,
            ], null),
            _ => (controlPlane.Binaries.ControllerManager ?? throw new BenchmarkFailedException("no kube-controller-manager binary"), (IEnumerable<string>)
            [
                "--controllers=nodeipam",
                "--allocate-node-cidrs=true",
                $"--cluster-cidr={ClusterCidr}",
                "--node-cidr-mask-size=24",
                $"--service-cluster-ip-range={RealControlPlane.ServiceClusterIpRange}",
                $"--kubeconfig={kubeconfig}",
                $"--authentication-kubeconfig={kubeconfig}",
                $"--authorization-kubeconfig={kubeconfig}",
                "--leader-elect=false",
                "--use-service-account-credentials=false",
                "--cloud-provider=",
                "--bind-address=127.0.0.1",
                $"--secure-port={healthPort}",
                $"--kube-api-qps={RealApiOptions.ApiQps}",
                $"--kube-api-burst={RealApiOptions.ApiQps}",
                "--v=2",
            ], KcmSignal),
        };

        // A framework-dependent build (the CI smoke) runs with the dotnet host; the published binary runs as itself.
        var dll = binary.EndsWith(".dll", StringComparison.Ordinal);
        var info = new ProcessStartInfo(dll ? "dotnet" : binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (dll)
        {
            info.ArgumentList.Add(binary);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var startedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new BenchmarkFailedException($"cannot start {binary}");
        var allocator = new AllocatorProcess(kind, process, signal) { StartedAt = startedAt };
        process.OutputDataReceived += (_, e) => allocator.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => allocator.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var signalled = kind == AllocatorKind.CidrController ? allocator.PollReadyAsync(healthPort, timeout) : allocator.WaitSignalAsync(timeout);
        try
        {
            await signalled;
        }
        catch
        {
            await allocator.DisposeAsync();
            throw;
        }

        return allocator;
    }

    /// <summary>The last lines the process wrote, for failure messages.</summary>
    public string Tail() => string.Join('\n', _tail);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _tail.Enqueue(line);
        while (_tail.Count > 20)
        {
            _tail.TryDequeue(out _);
        }

        if (_kcmSignal is not null && !_signalled.Task.IsCompleted && line.Contains(_kcmSignal, StringComparison.Ordinal))
        {
            Signal();
        }
    }

    private void Signal()
    {
        SignalledAt = Stopwatch.GetTimestamp();
        CpuAtSignal = CpuTime;
        _signalled.TrySetResult();
    }

    private async Task WaitSignalAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(_signalled.Task, exited, Task.Delay(timeout));
        if (done != _signalled.Task)
        {
            throw new BenchmarkFailedException($"{Kind} did not log '{_kcmSignal}' within {timeout.TotalSeconds:F0} s:\n{Tail()}");
        }
    }

    private async Task PollReadyAsync(int port, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var readyz = new Uri($"http://127.0.0.1:{port}/readyz");
        var deadline = StartedAt + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new BenchmarkFailedException($"{Kind} exited with code {_process.ExitCode} before it was ready:\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(readyz);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Signal();
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(10);
        }

        throw new BenchmarkFailedException($"{Kind} not ready within {timeout.TotalSeconds:F0} s:\n{Tail()}");
    }
}
