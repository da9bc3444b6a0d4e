using System.Reflection;

using CidrController.Kubernetes.Configuration;

using k8s;

namespace CidrController.Kubernetes.Api;

/// <summary>Builds the API client the way kube-controller-manager resolves its configuration.</summary>
internal static class KubernetesClientFactory
{
    /// <summary>
    /// --kubeconfig if given; else in-cluster (service account) when running in a pod; else --master alone
    /// (no credentials, as client-go does with only a master URL); else KUBECONFIG or ~/.kube/config.
    /// --master overrides the server address in every case. TLS verification is never turned off here, and an unverified or plain-HTTP server
    /// is refused unless allowed (see <see cref="RefuseInsecure"/>).
    /// </summary>
    public static KubernetesClientConfiguration LoadConfiguration(ApiClientOptions options)
    {
        KubernetesClientConfiguration config;
        if (!string.IsNullOrEmpty(options.Kubeconfig))
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig, masterUrl: options.Master);
        }
        else if (KubernetesClientConfiguration.IsInCluster())
        {
            config = KubernetesClientConfiguration.InClusterConfig();
        }
        else if (!string.IsNullOrEmpty(options.Master))
        {
            config = new KubernetesClientConfiguration { Host = options.Master };
        }
        else
        {
            var path = Environment.GetEnvironmentVariable("KUBECONFIG");
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(
                string.IsNullOrEmpty(path) ? KubernetesClientConfiguration.KubeConfigDefaultLocation : path.Split(Path.PathSeparator)[0]);
        }

        if (!string.IsNullOrEmpty(options.Master))
        {
            config.Host = options.Master;
        }

        RefuseInsecure(config, options);
        config.HttpClientTimeout = options.RequestTimeout;
        config.UserAgent = UserAgent(options.UserAgentSuffix);
        return config;
    }

    /// <summary>
    /// A bearer token sent over plain HTTP, or to a server whose identity is not checked, can be read or stolen
    /// by anyone on the path. Loopback is exempt: nothing leaves the host (a local API server, kubectl proxy).
    /// </summary>
    private static void RefuseInsecure(KubernetesClientConfiguration config, ApiClientOptions options)
    {
        if (options.AllowInsecureApiServer)
        {
            return;
        }

        if (!Uri.TryCreate(config.Host, UriKind.Absolute, out var server))
        {
            throw new InvalidOperationException($"the API server address {config.Host} is not an absolute URL");
        }

        if (server.IsLoopback)
        {
            return;
        }

        if (server.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidOperationException(
                $"the API server address {server.GetLeftPart(UriPartial.Authority)} is not https://; pass --allow-insecure-api-server to use it anyway");
        }

        if (config.SkipTlsVerify)
        {
            throw new InvalidOperationException(
                $"the kubeconfig turns off TLS verification (insecure-skip-tls-verify) for {server.GetLeftPart(UriPartial.Authority)}; pass --allow-insecure-api-server to use it anyway");
        }
    }

    /// <param name="observer">Sees every request before the rate limiter (the controller counts API errors there).</param>
    public static ControllerKubernetesClient Create(ApiClientOptions options, ApiCallObserver? observer = null) =>
        Create(LoadConfiguration(options), options, observer);

    public static ControllerKubernetesClient Create(KubernetesClientConfiguration config, ApiClientOptions options, ApiCallObserver? observer = null) =>
        observer is null
            ? new ControllerKubernetesClient(config, options.RequestTimeout, new ClientRateLimitHandler(options.Qps, options.Burst))
            : new ControllerKubernetesClient(config, options.RequestTimeout, observer, new ClientRateLimitHandler(options.Qps, options.Burst));

    private static string UserAgent(string? suffix)
    {
        var version = typeof(KubernetesClientFactory).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0)
        {
            version = version[..plus];
        }

        return string.IsNullOrEmpty(suffix) ? $"cidr-controller/{version}" : $"cidr-controller/{version} ({suffix})";
    }
}
