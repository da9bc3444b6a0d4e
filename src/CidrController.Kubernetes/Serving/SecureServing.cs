using System.Net;
using System.Security.Authentication;

using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Configuration;

using k8s;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Serving;

/// <summary>
/// The listeners: HTTPS on --bind-address:--secure-port behind <see cref="DelegatedAccessFilter"/>, and the
/// plain-HTTP --metrics-bind-address only when it is given.
/// </summary>
internal static class SecureServing
{
    public static void AddListeners(WebApplicationBuilder builder, ControllerOptions options)
    {
        var serving = options.Serving;
        if (serving.SecurePort == 0 && options.MetricsBindAddress.Length == 0)
        {
            throw new ArgumentException("neither the secure port nor --metrics-bind-address is set: nothing would serve the health endpoints");
        }

        if (serving.SecurePort != 0)
        {
            builder.Services.AddSingleton(serving);
            builder.Services.AddSingleton(services => CreateCertificate(serving, services));
            builder.Services.AddSingleton(new TokenReviewAuthenticator(
                ReviewClient(options.Api, serving.AuthenticationKubeconfig), serving.TokenCacheTtl, TimeProvider.System));
            builder.Services.AddSingleton(new SubjectAccessReviewAuthorizer(
                ReviewClient(options.Api, serving.AuthorizationKubeconfig), serving.AuthorizedCacheTtl, serving.UnauthorizedCacheTtl, TimeProvider.System));
            builder.Services.AddSingleton<DelegatedAccessFilter>();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            if (serving.SecurePort != 0)
            {
                kestrel.Listen(serving.BindAddress, serving.SecurePort, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    SslProtocols = serving.TlsMinVersion == SslProtocols.Tls13 ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13,
                    ServerCertificateSelector = (_, _) => kestrel.ApplicationServices.GetRequiredService<ServingCertificate>().Current,
                }));
            }

            if (options.MetricsBindAddress.Length > 0)
            {
                ListenPlain(kestrel, options.MetricsBindAddress);
            }
        });
    }

    /// <summary>Puts the access filter in front of every endpoint and loads the certificate now, so a bad one fails the start.</summary>
    public static void UseDelegatedAccess(WebApplication app)
    {
        if (app.Services.GetService<DelegatedAccessFilter>() is not { } filter)
        {
            return;
        }

        _ = app.Services.GetRequiredService<ServingCertificate>();
        app.Use((context, next) => filter.InvokeAsync(context, next));
    }

    private static ServingCertificate CreateCertificate(ServingOptions serving, IServiceProvider services)
    {
        if (serving.TlsCertFile is { } certificate && serving.TlsPrivateKeyFile is { } key)
        {
            return ServingCertificate.FromFiles(certificate, key, services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServingCertificate).FullName!));
        }

        return ServingCertificate.Fixed(serving.CertDirectory is { } directory
            ? SelfSignedCertificate.LoadOrCreate(directory, TimeProvider.System)
            : SelfSignedCertificate.Create(TimeProvider.System));
    }

    /// <summary>
    /// The reviews' own client: --authentication-kubeconfig / --authorization-kubeconfig, else the controller's
    /// connection. Separate from the controller's rate-limited client, so scrapes never eat its QPS budget.
    /// </summary>
    private static k8s.Kubernetes ReviewClient(ApiClientOptions api, string? kubeconfig)
    {
        var config = KubernetesClientFactory.LoadConfiguration(kubeconfig is null ? api : api with { Kubeconfig = kubeconfig, Master = null });
        config.HttpClientTimeout = TimeSpan.FromSeconds(10);
        return new k8s.Kubernetes(config);
    }

    private static void ListenPlain(KestrelServerOptions kestrel, string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        var host = hostPort[..colon].Trim('[', ']');
        var port = int.Parse(hostPort[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        if (host.Length == 0)
        {
            kestrel.Listen(IPAddress.Any, port);
        }
        else if (IPAddress.TryParse(host, out var address))
        {
            kestrel.Listen(address, port);
        }
        else if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.Listen(IPAddress.Loopback, port);
        }
        else
        {
            kestrel.Listen(Dns.GetHostAddresses(host)[0], port);
        }
    }
}
