using System.Text.Json;

using k8s.Autorest;

namespace CidrController.Kubernetes.Api;

/// <summary>
/// The exceptions that mean "the API server could not be asked or answered badly": an error status, a
/// connection problem, a timeout, a truncated or garbled body. The controller retries these; anything
/// else is a bug and goes up.
/// </summary>
internal static class ApiFailure
{
    public static bool Is(Exception e) =>
        e is HttpOperationException or HttpRequestException or IOException or TaskCanceledException or JsonException;
}
