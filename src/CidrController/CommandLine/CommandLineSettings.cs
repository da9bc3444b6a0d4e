using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>Everything the command line decided, validated: the controller's options plus how the process itself behaves.</summary>
internal sealed record CommandLineSettings
{
    public required ControllerOptions Controller { get; init; }

    /// <summary><c>--log-format=json</c>: one JSON object per line with klog's keys; otherwise text.</summary>
    public bool JsonLog { get; init; }

    /// <summary>klog-style <c>-v</c>; the usage of <c>--v</c> says what each level adds.</summary>
    public int Verbosity { get; init; } = 2;

    /// <summary>Validate, print the capacity plan, exit 0; connect to nothing.</summary>
    public bool ValidateOnly { get; init; }

    /// <summary>Accepted for kube-controller-manager compatibility; with no cloud provider the host only logs that no routes are configured.</summary>
    public bool ConfigureCloudRoutes { get; init; } = true;
}
