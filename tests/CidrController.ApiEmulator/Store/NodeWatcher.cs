using System.Threading.Channels;

namespace CidrController.ApiEmulator.Store;

/// <summary>
/// A watch subscription. The store offers every committed Node change under its lock, so the order is the
/// commit order and no change between the initial replay and the live stream can be missed.
/// </summary>
internal sealed class NodeWatcher
{
    private readonly Channel<HistoryEntry> _channel = Channel.CreateUnbounded<HistoryEntry>(new UnboundedChannelOptions { SingleReader = true });

    public NodeWatcher(LabelSelector labels, FieldSelector fields)
    {
        Labels = labels;
        Fields = fields;
    }

    public LabelSelector Labels { get; }

    public FieldSelector Fields { get; }

    public ChannelReader<HistoryEntry> Reader => _channel.Reader;

    public void Offer(HistoryEntry entry) => _channel.Writer.TryWrite(entry);

    public void Complete() => _channel.Writer.TryComplete();

    /// <summary>The event type this watcher must see for an entry, or null when the entry is outside its selection.</summary>
    public string? Project(HistoryEntry entry)
    {
        if (!Fields.Matches(entry.Name))
        {
            return null;
        }

        var now = Labels.Matches(entry.Labels);
        if (entry.Type != "MODIFIED" || entry.PreviousLabels is null || Labels.IsEmpty)
        {
            return now ? entry.Type : null;
        }

        var before = Labels.Matches(entry.PreviousLabels);
        return (before, now) switch
        {
            (true, true) => "MODIFIED",
            (false, true) => "ADDED",
            (true, false) => "DELETED",
            _ => null,
        };
    }
}
