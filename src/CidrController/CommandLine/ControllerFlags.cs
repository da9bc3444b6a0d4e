using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>
/// Every controller flag, one group per concern, each declared once (name, type, default from the options
/// type, range check, usage). The controller command and <c>status</c> both read them through this type.
/// </summary>
internal sealed class ControllerFlags
{
    private readonly NodeIpamFlags _nodeIpam = new();
    private readonly ClientFlags _client = new();
    private readonly LeaderElectionFlags _leaderElection = new();
    private readonly ServingFlags _serving = new();
    private readonly ProcessFlags _process = new();
    private Flag<bool> _validateOnly = null!;

    public Flag<bool> Help { get; private set; } = null!;

    public Flag<bool> Version { get; private set; } = null!;

    /// <summary>Declares every flag on <paramref name="flags"/>, in the order help lists them.</summary>
    public void AddFlags(FlagSet flags)
    {
        _nodeIpam.AddFlags(flags);
        _client.AddFlags(flags);
        _leaderElection.AddFlags(flags);
        _serving.AddFlags(flags);
        _process.AddFlags(flags);
        _validateOnly = flags.Bool("--validate-only", false,
            "Validate the flags, print the capacity plan per cluster CIDR and exit without connecting anywhere.");
        Help = flags.Bool("--help", false, "Print this help and exit.", shorthand: 'h');
        Version = flags.Bool("--version", false, "Print the version and exit.");
    }

    /// <summary>The validated settings; a refused combination throws <see cref="FlagException"/>.</summary>
    public CommandLineSettings ToSettings(Func<string, string?> getEnvironmentVariable)
    {
        var controller = _nodeIpam.ApplyTo(new ControllerOptions());
        controller = _serving.ApplyTo(controller) with
        {
            Api = _client.ApplyTo(controller.Api),
            LeaderElection = _leaderElection.ApplyTo(controller.LeaderElection, LeaderIdentity.Create(getEnvironmentVariable)),
        };
        return _process.ApplyTo(new CommandLineSettings { Controller = controller, ValidateOnly = _validateOnly.Value });
    }
}
