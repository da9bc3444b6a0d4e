using System.Collections.Concurrent;
using System.Text.Json.Nodes;

using CidrController.Allocation;
using CidrController.ApiEmulator;
using CidrController.Kubernetes;
using CidrController.Kubernetes.Configuration;
using CidrController.Kubernetes.Health;

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CidrController.Tests.Integration;

/// <summary>
/// The controller composed exactly as the executable composes it (same options type, same host), run in
/// this process against the API server emulator over real HTTP.
/// </summary>
internal sealed class InProcessController : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessController(WebApplication app, ConcurrentQueue<string> logs)
    {
        _app = app;
        Logs = logs;
    }

    public ConcurrentQueue<string> Logs { get; }

    public Uri HealthAddress => _app.ListeningAddress();

    /// <summary>Why the controller gave up (its one Error line), or null.</summary>
    public string? FailureReason => _app.Services.GetRequiredService<UnrecoverableFailure>().Reason;

    /// <summary>The host is stopping (the executable then exits).</summary>
    public bool HostStopping => _app.Lifetime.ApplicationStopping.IsCancellationRequested;

    public static ControllerOptions Options(KubeApiEmulator emulator, string clusterCidrs, string? serviceRanges = null, int v4Mask = 24, int v6Mask = 64, bool leaderElection = false, string identity = "test")
    {
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"cidr-controller-test-{Guid.NewGuid():N}.kubeconfig");
        emulator.WriteKubeconfig(kubeconfig);
        return new ControllerOptions
        {
            ClusterRanges = [.. clusterCidrs.Split(',').Select(IpBlock.Parse).Select(b => new RangeSpec(b, b.Family == IpFamily.IPv4 ? v4Mask : v6Mask))],
            ServiceRanges = serviceRanges is null ? [] : [.. serviceRanges.Split(',').Select(IpBlock.Parse)],
            Api = new ApiClientOptions { Kubeconfig = kubeconfig, Qps = 1000, Burst = 1000, RequestTimeout = TimeSpan.FromSeconds(2), WatchIdleTimeout = TimeSpan.FromSeconds(30) },
            LeaderElection = new LeaderElectionOptions
            {
                Enabled = leaderElection,
                Identity = identity,
                LeaseDuration = TimeSpan.FromSeconds(4),
                RenewDeadline = TimeSpan.FromSeconds(3),
                RetryPeriod = TimeSpan.FromMilliseconds(500),
            },
            ConcurrentNodeSyncs = 4,
            MetricsBindAddress = "127.0.0.1:0",
            Serving = new ServingOptions { SecurePort = 0 },
        };
    }

    /// <param name="moreLogging">Another logger beside the captured one (a test's failing part: whatever it throws, the code that logs sees).</param>
    public static async Task<InProcessController> StartAsync(ControllerOptions options, ILoggerProvider? moreLogging = null)
    {
        var logs = new ConcurrentQueue<string>();
        var app = CidrControllerApplication.Build(options, logging =>
        {
            logging.AddProvider(new QueueLoggerProvider(logs)).SetMinimumLevel(LogLevel.Information);
            if (moreLogging is not null)
            {
                logging.AddProvider(moreLogging);
            }
        });
        try
        {
            await app.StartAsync();
        }
        catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The controller gave up while the host was still starting (see FailureReason).
        }

        return new InProcessController(app, logs);
    }

    public async Task<string> GetAsync(string path)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(HealthAddress, path));
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    public async Task WaitReadyAsync() =>
        await Eventually.TrueAsync(async () => (await GetAsync("readyz")).StartsWith("200", StringComparison.Ordinal), "controller never became ready");

    public async Task<double?> MetricAsync(string name, string? label = null) =>
        TestHarness.PrometheusText.Value(await GetAsync("metrics"), name, label);

    public async Task StopAsync() => await _app.StopAsync(CancellationToken.None);

    /// <summary>
    /// Waits for the controller to give up (the host stopping), stops it, and checks that it said so in exactly one
    /// Error line. Stopped before counting: an Error logged while the host stops counts too, or "one line" proves little.
    /// </summary>
    public async Task EndsWithOneErrorLineAsync(string because)
    {
        await Eventually.TrueAsync(() => HostStopping, because);
        await StopAsync();
        Assert.Single(Logs, l => l.StartsWith("Error:", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    public static string[] PodCidrs(JsonObject? node) =>
        node?["spec"]?["podCIDRs"]?.AsArray().Select(c => c!.GetValue<string>()).ToArray() ?? [];

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(logs);

        public void Dispose()
        {
        }
    }

    private sealed class QueueLogger(ConcurrentQueue<string> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
