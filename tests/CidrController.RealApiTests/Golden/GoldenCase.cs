using System.Text.Json.Nodes;

namespace CidrController.RealApiTests.Golden;

/// <summary>One request to record: what the emulator must answer the way the real server does.</summary>
public sealed record GoldenCase(string Name, string Doc, string Method, string Path, string? ContentType = null, JsonNode? Body = null);
