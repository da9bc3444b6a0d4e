using System.Text.Json.Nodes;

namespace CidrController.ChaosTests;

/// <summary>A node as the API server has it at the end of a run, with its podCIDRs parsed by the test's own rules.</summary>
internal sealed record LiveNode(string Name, string Uid, IReadOnlyList<string> PodCidrs, bool Deleting)
{
    public IReadOnlyList<NetBlock> Parsed => [.. PodCidrs.Select(c => NetBlock.TryParse(c, out var b) ? b : (NetBlock?)null).OfType<NetBlock>()];

    public static LiveNode From(JsonObject node)
    {
        var metadata = node["metadata"]!;
        var cidrs = node["spec"]?["podCIDRs"] is JsonArray list ? list.Select(c => c!.GetValue<string>()).ToArray() : [];
        return new LiveNode(metadata["name"]!.GetValue<string>(), metadata["uid"]!.GetValue<string>(), cidrs, metadata["deletionTimestamp"] is not null);
    }
}
