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

    /// <summary>
    /// What decoding a body that is not what the API promises can throw: System.Text.Json's own JsonException, and
    /// from readers and converters InvalidOperationException (a number where a string belongs), FormatException (a
    /// date that is not one) and the like. Callers turn these into a <see cref="JsonException"/>, so that a malformed
    /// answer is an API failure (<see cref="Is"/>), retried, and never mistaken for a bug.
    /// </summary>
    public static bool IsMalformedAnswer(Exception e) =>
        e is JsonException or InvalidOperationException or FormatException or OverflowException or ArgumentException or IndexOutOfRangeException;

    /// <summary>A decoding failure other than JsonException (see <see cref="IsMalformedAnswer"/>) as the JsonException callers retry.</summary>
    public static JsonException AsMalformed(Exception e, string what) => new($"a malformed answer to {what}: {e.Message}", e);
}
