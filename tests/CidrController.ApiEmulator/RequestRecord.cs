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

    /// <summary>The holder a successful Lease write (create or update) set, "" for a released Lease; null for any other request.</summary>
    public string? LeaseHolderWritten =>
        Method is "PUT" or "POST" && StatusCode is 200 or 201 && PathAndQuery.Contains("/leases", StringComparison.Ordinal) && Body is not null
            ? System.Text.Json.Nodes.JsonNode.Parse(Body)?["spec"]?["holderIdentity"]?.GetValue<string>() ?? ""
            : null;
}
