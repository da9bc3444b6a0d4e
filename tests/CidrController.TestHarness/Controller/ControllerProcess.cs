using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace CidrController.TestHarness;

/// <summary>
/// The real cidr-controller binary run as a child process (the build copies it next to this assembly),
/// with its output captured line by line and a health/metrics port chosen for it.
/// </summary>
public sealed partial class ControllerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();

    private ControllerProcess(Process process, Uri healthAddress)
    {
        _process = process;
        HealthAddress = healthAddress;
    }

    /// <summary>Called with every line the controller writes (stdout and stderr).</summary>
    public event Action<string>? Line;

    public Uri HealthAddress { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Path of the controller's entry assembly, run with the same dotnet host as this process.</summary>
    public static string BinaryPath => Path.Combine(AppContext.BaseDirectory, "cidr-controller.dll");

    /// <summary>Names the environment variable that points at a published binary (what <c>.ci/publish.sh</c> makes).</summary>
    public const string PublishedBinaryVariable = "CIDR_CONTROLLER_BINARY";

    /// <summary>
    /// The binary as users run it when <see cref="PublishedBinaryVariable"/> names one (CI publishes once and sets
    /// it), else the build next to this assembly: the same code, framework-dependent.
    /// </summary>
    public static string PublishedOrBuiltBinary =>
        Environment.GetEnvironmentVariable(PublishedBinaryVariable) is { Length: > 0 } published ? published : BinaryPath;

    /// <summary>
    /// Starts the controller; <c>--metrics-bind-address</c> (plain HTTP, what <see cref="HealthAddress"/> points at) is
    /// added unless <paramref name="arguments"/> has one, and HTTPS is turned off (<c>--secure-port=0</c>) unless they
    /// set <c>--secure-port</c>, so that parallel controllers do not compete for the default port.
    /// <paramref name="binary"/> overrides <see cref="BinaryPath"/>: a <c>.dll</c> runs with the dotnet host, anything
    /// else (a published self-contained executable) runs directly.
    /// </summary>
    public static ControllerProcess Start(IEnumerable<string> arguments, Action<string>? onLine = null, string? binary = null)
    {
        var args = arguments.ToList();
        var port = LoopbackPort.Free();
        if (!args.Any(a => a.StartsWith("--metrics-bind-address", StringComparison.Ordinal)))
        {
            args.Add($"--metrics-bind-address=127.0.0.1:{port}");
        }
        else
        {
            var given = args.First(a => a.StartsWith("--metrics-bind-address=", StringComparison.Ordinal));
            port = int.Parse(given[(given.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }

        if (!args.Any(a => a.StartsWith("--secure-port", StringComparison.Ordinal)))
        {
            args.Add("--secure-port=0");
        }

        binary ??= BinaryPath;
        var info = binary.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new ProcessStartInfo(DotnetHost(), [binary, .. args])
            : new ProcessStartInfo(binary, args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var controller = new ControllerProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        if (onLine is not null)
        {
            controller.Line += onLine;
        }

        process.OutputDataReceived += (_, e) => controller.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => controller.Capture(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return controller;
    }

    /// <summary>Polls /readyz until it answers 200, the process exits, or the timeout passes.</summary>
    public async Task<bool> WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && !_process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(HealthAddress, "readyz"), cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    public async Task<string> GetAsync(string path, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await http.GetStringAsync(new Uri(HealthAddress, path), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SIGTERM, as kubelet stops a pod; waits for the exit and returns its code (or -1 on timeout, after SIGKILL).</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return _process.ExitCode;
        }

        _ = SendSignal(_process.Id, Sigterm);
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            Kill();
            return -1;
        }
    }

    /// <summary>SIGKILL: no chance to clean up (a crash, an OOM kill, a node lost).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _process.Dispose();
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            _output.AppendLine(line);
        }

        Line?.Invoke(line);
    }

    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
