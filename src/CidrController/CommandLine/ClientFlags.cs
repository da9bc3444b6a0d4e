using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>How the controller reaches the API server: kubeconfig or master, and the client-side rate limit.</summary>
internal sealed class ClientFlags
{
    private static readonly ApiClientOptions Defaults = new();

    private Flag<string> _kubeconfig = null!;
    private Flag<string> _master = null!;
    private Flag<double> _qps = null!;
    private Flag<int> _burst = null!;
    private Flag<bool> _allowInsecureApiServer = null!;
    private Flag<TimeSpan> _watchIdleTimeout = null!;

    public void AddFlags(FlagSet flags)
    {
        _kubeconfig = flags.String("--kubeconfig", Defaults.Kubeconfig ?? "",
            "Path to a kubeconfig; empty: in-cluster config, then $KUBECONFIG, then ~/.kube/config.");
        _master = flags.String("--master", Defaults.Master ?? "", "Address of the Kubernetes API server (overrides the kubeconfig's).");
        _qps = flags.Double("--kube-api-qps", Defaults.Qps, "Requests per second toward the API server (watches excluded); > 0.", FlagSyntax.Positive);
        _burst = flags.Int("--kube-api-burst", Defaults.Burst, "Burst of requests above --kube-api-qps; >= 1.", FlagSyntax.Between(1, int.MaxValue));
        _allowInsecureApiServer = flags.Bool("--allow-insecure-api-server", Defaults.AllowInsecureApiServer,
            "Accept a plain-http:// API server or a kubeconfig with insecure-skip-tls-verify; without it only verified https:// (or loopback) is used.");
        _watchIdleTimeout = flags.Duration("--watch-idle-timeout", Defaults.WatchIdleTimeout,
            "A node watch that delivers nothing, not even a bookmark, for this long is presumed stalled, restarted and relisted; > 0.", FlagSyntax.Positive);
    }

    public ApiClientOptions ApplyTo(ApiClientOptions options) => options with
    {
        Kubeconfig = _kubeconfig.Value.Length == 0 ? null : _kubeconfig.Value,
        Master = _master.Value.Length == 0 ? null : _master.Value,
        Qps = _qps.Value,
        Burst = _burst.Value,
        AllowInsecureApiServer = _allowInsecureApiServer.Value,
        WatchIdleTimeout = _watchIdleTimeout.Value,
    };
}
