namespace CidrController.ApiEmulator.Store;

/// <summary>Either a live subscription (with the events to send first) or the 410 message for a compacted resourceVersion.</summary>
internal sealed record WatchStart(NodeWatcher? Watcher, IReadOnlyList<HistoryEntry> Initial, string? ExpiredMessage);
