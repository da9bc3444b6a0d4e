using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Store;

internal sealed record NodeListResult(IReadOnlyList<JsonObject> Items, long ResourceVersion, string? Continue, long? RemainingItemCount);
