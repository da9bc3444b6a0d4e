namespace CidrController.ApiEmulator;

/// <summary>One request as the emulator saw it. <see cref="StatusCode"/> is 0 when no response was sent (an injected hang or close).</summary>
public sealed record RequestRecord(
    DateTimeOffset Time,
    string Method,
    string PathAndQuery,
    string? UserAgent,
    int StatusCode,
    string? Body)
{
    public bool IsWatch => PathAndQuery.Contains("watch=1", StringComparison.Ordinal) || PathAndQuery.Contains("watch=true", StringComparison.Ordinal);
}
