namespace CidrController.CommandLine;

/// <summary>
/// This replica's identity in the Lease. kube-controller-manager uses the host name plus "_" and a UUID, so two
/// processes on one host (or a restarted pod whose old process still holds the lease) never share an identity.
/// In a pod, POD_NAME (downward API) is the readable part: the host name of a pod is its name anyway.
/// </summary>
internal static class LeaderIdentity
{
    public static string Create(Func<string, string?> getEnvironmentVariable)
    {
        var podName = getEnvironmentVariable("POD_NAME")?.Trim();
        var name = string.IsNullOrEmpty(podName) ? Environment.MachineName : podName;
        return name + "_" + Guid.NewGuid().ToString("N")[..8];
    }
}
