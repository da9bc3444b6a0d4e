namespace CidrController.Kubernetes.Quarantine;

/// <summary>
/// The namespace the reuse quarantine's ConfigMap should live in does not exist: no retry can fix that, only the
/// operator (create the namespace or correct --leader-elect-resource-namespace, which names it).
/// </summary>
internal sealed class QuarantineNamespaceMissingException : Exception
{
    public QuarantineNamespaceMissingException()
    {
    }

    public QuarantineNamespaceMissingException(string message)
        : base(message)
    {
    }

    public QuarantineNamespaceMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
