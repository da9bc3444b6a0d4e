using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Store;

/// <summary>
/// One committed change to a Node, as watches replay it. <see cref="Json"/> is serialized once at commit so
/// that many watchers never touch the shared object concurrently. <see cref="PreviousLabels"/> lets a
/// label-selected watch turn a MODIFIED into ADDED/DELETED when the object enters or leaves the selection,
/// as the real watch cache does.
/// </summary>
internal sealed record HistoryEntry(
    long ResourceVersion,
    string Type,
    string Name,
    string Json,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string>? PreviousLabels,
    JsonObject Object,
    JsonObject? Previous);
