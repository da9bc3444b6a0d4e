using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Configuration;
using CidrController.Kubernetes.Health;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Serving;

using k8s;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes;

/// <summary>Composes the controller: the hosted service, its API client, and the health/metrics server.</summary>
internal static class CidrControllerApplication
{
    /// <param name="configureLogging">Sets up logging (the executable plugs Serilog in here; tests their own sink).</param>
    public static WebApplication Build(ControllerOptions options, Action<ILoggingBuilder> configureLogging)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        configureLogging(builder.Logging);
        SecureServing.AddListeners(builder, options);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(15));

        // Loaded here, not in the container, so a broken kubeconfig fails Build with its own message.
        var api = options.Api with { UserAgentSuffix = options.Api.UserAgentSuffix ?? options.LeaderElection.Identity };
        var config = KubernetesClientFactory.LoadConfiguration(api);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(sp => KubernetesClientFactory.Create(config, api, new ApiCallObserver(
            sp.GetRequiredService<ControllerMetrics>(), sp.GetRequiredService<ControllerHealth>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ApiCallObserver>>())));
        builder.Services.AddSingleton<IKubernetes>(sp => sp.GetRequiredService<ControllerKubernetesClient>());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ControllerMetrics>();
        builder.Services.AddSingleton(sp => new ControllerHealth(sp.GetRequiredService<TimeProvider>(), ControllerHealth.StallBoundFor(options.Api)));
        builder.Services.AddSingleton<UnrecoverableFailure>();
        builder.Services.AddHostedService<NodeIpamController>();

        var app = builder.Build();
        app.Services.GetRequiredService<ControllerKubernetesClient>();
        SecureServing.UseDelegatedAccess(app);
        app.MapControllerEndpoints(app.Services.GetRequiredService<ControllerHealth>(), app.Services.GetRequiredService<ControllerMetrics>());
        return app;
    }

    /// <summary>The address a listener actually listens on (useful with port 0): <c>http</c> (the plain one) or <c>https</c>.</summary>
    public static Uri ListeningAddress(this WebApplication app, string scheme = "http")
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var first = addresses.FirstOrDefault(a => a.StartsWith(scheme + "://", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no {scheme} listener (yet)");
        return new Uri(first.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }

    /// <summary>Every address the server listens on, for the startup log.</summary>
    public static IReadOnlyList<string> ListeningAddresses(this WebApplication app) =>
        [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
}
