using System.Text.Json.Nodes;

namespace CidrController.RealApiTests.Golden;

/// <summary>One request to record: what the emulator must answer the way the real server does.</summary>
public sealed record GoldenCase(string Name, string Doc, string Method, string Path, string? ContentType = null, JsonNode? Body = null)
{
    /// <summary>
    /// The name of an earlier case whose answer's metadata.resourceVersion goes into this body's before it is sent
    /// (an update that must be current, or stale): recorded as sent, so the replay maps it like any other.
    /// </summary>
    public string? ResourceVersionOf { get; init; }
}
