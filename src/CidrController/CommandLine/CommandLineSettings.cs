using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>Everything the command line decided, validated: the controller's options plus how the process itself behaves.</summary>
internal sealed record CommandLineSettings
{
    public required ControllerOptions Controller { get; init; }

    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>
    /// klog-style <c>-v</c> (default 2): 0-1 warnings and errors only; 2-3 add the startup and capacity
    /// summary, one line per allocation and release, watch relists and leader-election transitions; 4-5 add
    /// debug detail; 6 and above trace the HTTP client and server.
    /// </summary>
    public int Verbosity { get; init; } = 2;

    /// <summary>Validate, print the capacity plan, exit 0; connect to nothing.</summary>
    public bool ValidateOnly { get; init; }

    /// <summary>
    /// <c>--configure-cloud-routes</c>, accepted for kube-controller-manager compatibility. There is no cloud
    /// provider here, so the host only logs once at startup that no routes are configured.
    /// </summary>
    public bool ConfigureCloudRoutes { get; init; } = true;
}
