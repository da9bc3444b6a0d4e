using CidrController.CommandLine;
using CidrController.Kubernetes;
using CidrController.Kubernetes.Health;
using CidrController.Logging;

using Serilog;
using Serilog.Events;

namespace CidrController;

/// <summary>Runs the controller process: logging, the hosted controller, graceful shutdown.</summary>
internal static class ControllerHost
{
    public static async Task<int> RunAsync(CommandLineSettings settings, CancellationToken cancellationToken)
    {
        await using var root = CreateLogger(settings);
        var logger = root.ForContext("SourceContext", "CidrController");
        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = CidrControllerApplication.Build(settings.Controller, logging => logging.AddSerilog(root));
        }
        catch (Kubernetes.Serving.ServingCertificateException e)
        {
            await Console.Error.WriteLineAsync($"cidr-controller: {OneLine(e.Message)}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e)
        {
            // A missing or broken kubeconfig is an operator error: one clear line, not a stack trace. Nothing
            // else runs in this step, and KubernetesClient throws anything from KubeConfigException to a
            // NullReferenceException for an empty file, so every exception here means "bad configuration".
            var detail = e is NullReferenceException or InvalidCastException ? "the file is empty or not a kubeconfig" : e.Message;
            await Console.Error.WriteLineAsync($"cidr-controller: cannot load the Kubernetes client configuration: {OneLine(detail)}").ConfigureAwait(false);
            return 1;
        }

        await using (app.ConfigureAwait(false))
        {
            LogStartup(logger, settings);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"cidr-controller: cannot serve health and metrics on {Listeners(settings)}: {OneLine(e.Message)}").ConfigureAwait(false);
                return 1;
            }
            catch (OperationCanceledException)
            {
                // A signal during start, or the controller gave up before the server was up (its Error line is out).
                return Failed(app) ? 1 : 0;
            }

            logger.Information("Serving /healthz, /readyz, /livez and /metrics on {Addresses} (HTTPS: a token is needed except for {AlwaysAllowPaths}; plain HTTP: no authentication)",
                string.Join(", ", app.ListeningAddresses()), string.Join(",", settings.Controller.Serving.AlwaysAllowPaths));

            // A signal, or the host stopping on its own (the controller gave up, or a hosted service failed): either
            // way the process ends. A host that stops without a signal must not leave a process that answers /healthz.
            using var hostStopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, hostStopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                logger.Information("Shutting down: finishing in-flight work and releasing the lease");
            }

            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            var failed = Failed(app) || !cancellationToken.IsCancellationRequested;
            logger.Information("Stopped");
            return failed ? 1 : 0;
        }
    }

    private static string Listeners(CommandLineSettings settings)
    {
        var serving = settings.Controller.Serving;
        var secure = serving.SecurePort == 0 ? null : $"https {serving.BindAddress}:{serving.SecurePort}";
        var plain = settings.Controller.MetricsBindAddress.Length == 0 ? null : $"http {settings.Controller.MetricsBindAddress}";
        return string.Join(" and ", new[] { secure, plain }.Where(l => l is not null));
    }

    private static bool Failed(Microsoft.AspNetCore.Builder.WebApplication app) =>
        app.Services.GetService(typeof(UnrecoverableFailure)) is UnrecoverableFailure { Reason: not null };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static Serilog.Core.Logger CreateLogger(CommandLineSettings settings)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(Level(settings.Verbosity))
            .MinimumLevel.Override("Microsoft", settings.Verbosity >= 6 ? LogEventLevel.Debug : LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http", settings.Verbosity >= 6 ? LogEventLevel.Debug : LogEventLevel.Warning)
            .Enrich.FromLogContext();
        configuration = settings.JsonLog
            ? configuration.WriteTo.Console(new KlogJsonFormatter())
            : configuration.WriteTo.Console(outputTemplate: "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} {Level:u3} {SourceContext:l}: {Message:lj}{NewLine}{Exception}");
        return configuration.CreateLogger();
    }

    /// <summary>klog verbosity to a minimum level (see <see cref="CommandLineSettings.Verbosity"/>).</summary>
    private static LogEventLevel Level(int verbosity) => verbosity switch
    {
        <= 1 => LogEventLevel.Warning,
        <= 3 => LogEventLevel.Information,
        <= 5 => LogEventLevel.Debug,
        _ => LogEventLevel.Verbose,
    };

    private static void LogStartup(Serilog.ILogger logger, CommandLineSettings settings)
    {
        var options = settings.Controller;
        logger.Information("{Version} starting: cluster CIDRs {ClusterCidrs}, service ranges {ServiceRanges}, {Workers} workers, QPS {Qps}/burst {Burst}, leader election {LeaderElection}",
            CommandLineFrontEnd.VersionLine(), string.Join(",", options.ClusterRanges.Select(r => $"{r.Cluster}@/{r.NodeMaskSize}")),
            options.ServiceRanges.Count == 0 ? "none" : string.Join(",", options.ServiceRanges), options.ConcurrentNodeSyncs,
            options.Api.Qps, options.Api.Burst, options.LeaderElection.Enabled ? $"on ({options.LeaderElection.ResourceNamespace}/{options.LeaderElection.ResourceName} as {options.LeaderElection.Identity})" : "off");
        if (settings.ConfigureCloudRoutes)
        {
            logger.Information("--configure-cloud-routes is set, but there is no cloud provider: no cloud routes are configured");
        }
    }
}
