namespace CidrController.CommandLine;

/// <summary>The log output of <c>--log-format</c>, as kube-controller-manager names them.</summary>
internal enum LogFormat
{
    Text,
    Json,
}
