namespace CidrController.Kubernetes.Health;

/// <summary>
/// What /healthz and /readyz report. Liveness is "the process works" and stays true while the API server
/// is unreachable (restarting would not help). Readiness tells the truth: a leader is ready once its
/// initial list is fully occupied and its last list succeeded; a standby is ready while it can reach the
/// lease; a controller with allocation disabled is always ready.
/// </summary>
internal sealed class ControllerHealth
{
    private volatile string _notReadyReason = "starting";

    public bool Ready => _notReadyReason.Length == 0;

    public string NotReadyReason => _notReadyReason;

    public void MarkReady() => _notReadyReason = "";

    public void MarkNotReady(string reason) => _notReadyReason = string.IsNullOrEmpty(reason) ? "not ready" : reason;
}
