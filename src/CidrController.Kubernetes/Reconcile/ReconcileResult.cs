namespace CidrController.Kubernetes.Reconcile;

internal enum ReconcileAction
{
    /// <summary>Nothing more to do for this node until it changes.</summary>
    Done,

    /// <summary>Try again after the node's back-off (API trouble).</summary>
    Retry,

    /// <summary>Every range of a family is full: wait for a release (or the back-off, whichever comes first).</summary>
    WaitForRelease,
}

/// <summary>What the worker should do with a node after reconciling it.</summary>
/// <param name="RetryAfter">The server's Retry-After, when it sent one: the back-off is at least this long.</param>
internal readonly record struct ReconcileResult(ReconcileAction Action, TimeSpan RetryAfter = default)
{
    public static ReconcileResult Done { get; } = new(ReconcileAction.Done);

    public static ReconcileResult Retry { get; } = new(ReconcileAction.Retry);

    public static ReconcileResult WaitForRelease { get; } = new(ReconcileAction.WaitForRelease);
}
