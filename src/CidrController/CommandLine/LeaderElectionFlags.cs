using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>Lease-based leader election, with kube-controller-manager's flags and timing rules.</summary>
internal sealed class LeaderElectionFlags
{
    private static readonly LeaderElectionOptions Defaults = new();

    private Flag<bool> _enabled = null!;
    private Flag<TimeSpan> _leaseDuration = null!;
    private Flag<TimeSpan> _renewDeadline = null!;
    private Flag<TimeSpan> _retryPeriod = null!;
    private Flag<string> _resourceName = null!;
    private Flag<string> _resourceNamespace = null!;

    public void AddFlags(FlagSet flags)
    {
        _enabled = flags.Bool("--leader-elect", Defaults.Enabled, "Take a Lease before allocating, so only one replica allocates at a time.");
        _leaseDuration = flags.Duration("--leader-elect-lease-duration", Defaults.LeaseDuration,
            "How long a standby waits after the last renewal before taking the lease.", FlagSyntax.Positive);
        _renewDeadline = flags.Duration("--leader-elect-renew-deadline", Defaults.RenewDeadline,
            "How long the leader keeps retrying to renew before it stops allocating; < lease duration.", FlagSyntax.Positive);
        _retryPeriod = flags.Duration("--leader-elect-retry-period", Defaults.RetryPeriod,
            "Wait between attempts to acquire or renew the lease; < renew deadline.", FlagSyntax.Positive);
        _resourceName = flags.String("--leader-elect-resource-name", Defaults.ResourceName, "Name of the Lease object used for leader election.", FlagSyntax.NotEmpty);
        _resourceNamespace = flags.String("--leader-elect-resource-namespace", Defaults.ResourceNamespace,
            "Namespace of the Lease object used for leader election.", FlagSyntax.NotEmpty);
    }

    public LeaderElectionOptions ApplyTo(LeaderElectionOptions options, string identity)
    {
        // A leader must give up (renew deadline) before a standby may take over (lease duration), and must get
        // more than one retry in before it gives up. client-go is stricter on the second rule (deadline > 1.2 × retry).
        if (_enabled.Value)
        {
            RequireLess(_renewDeadline, _leaseDuration);
            RequireLess(_retryPeriod, _renewDeadline);
        }

        return options with
        {
            Enabled = _enabled.Value,
            LeaseDuration = _leaseDuration.Value,
            RenewDeadline = _renewDeadline.Value,
            RetryPeriod = _retryPeriod.Value,
            ResourceName = _resourceName.Value,
            ResourceNamespace = _resourceNamespace.Value,
            Identity = identity,
        };
    }

    private static void RequireLess(Flag<TimeSpan> shorter, Flag<TimeSpan> longer)
    {
        if (shorter.Value >= longer.Value)
        {
            throw FlagException.InvalidValue(shorter, shorter.Text, $"must be less than {longer} ({longer.Text})");
        }
    }
}
