using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Store;

/// <summary>A stored object (never mutated once stored) and its creation order, which rv=0 watches replay in.</summary>
internal sealed record StoredObject(JsonObject Value, long Sequence, IReadOnlyDictionary<string, string> Labels);
