namespace CidrController.Kubernetes.Leadership;

/// <summary>
/// The namespace the leader election Lease should live in does not exist: no retry can fix that, only the operator
/// (create the namespace or correct --leader-elect-resource-namespace).
/// </summary>
internal sealed class LeaseNamespaceMissingException : Exception
{
    public LeaseNamespaceMissingException()
    {
    }

    public LeaseNamespaceMissingException(string message)
        : base(message)
    {
    }

    public LeaseNamespaceMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
