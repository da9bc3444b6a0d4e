using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>Everything the command line decided, validated: the controller's options plus how the process itself behaves.</summary>
internal sealed record CommandLineSettings
{
    public required ControllerOptions Controller { get; init; }

    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>
    /// klog-style <c>-v</c> (default 2): 0-1 warnings, errors and the startup/capacity summary; 2 adds one
    /// line per allocation and release; 3 adds watch/relist and leader-election transitions; 4 and above
    /// add debug detail (reconcile decisions, retries); 6 and above trace API requests.
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
